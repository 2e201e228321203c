"""Where mongomock differs from MongoDB, the simulator teaches it MongoDB's behaviour.

Each fix below is installed once per process (`teach_mongomock`, idempotent) and
changes only the cases it names; everything else still runs mongomock's own code, errors
included.

- ``$expr`` in a filter is evaluated by [`_expressions`][mongosim._expressions]: a missing
  field is missing (``{"$eq": ["$absent", null]}`` is false), ``$$NOW``, ``$$CLUSTER_TIME``
  and the command's ``let`` variables are bound, ``$literal`` keeps its string.
- The stages ``$addFields``/``$set``, ``$project``, ``$unset``, ``$replaceRoot`` and
  ``$replaceWith`` are the simulator's (see [`_pipeline`][mongosim._pipeline]), also inside
  mongomock's own pipelines (``$facet``, pipeline updates).
- mongomock's own expression evaluator (``$group`` accumulators...) sees the command's
  variables too.
- ``$add`` of a date and numbers (milliseconds), such as ``{"$add": ["$expires_at", 1000]}``,
  in mongomock's evaluator: MongoDB returns the date moved by that many milliseconds.
- The query operator ``$type`` knows ``"null"``, ``"regex"``, ``"timestamp"``,
  ``"minKey"``, ``"maxKey"`` and ``"undefined"`` (mongomock raised NotImplementedError).
"""

from __future__ import annotations

import datetime
import re
import threading
from typing import Any

from bson import MaxKey, MinKey, Regex, Timestamp
from mongomock import aggregate, filtering

from mongosim._expressions import command_variables, evaluate, is_true
from mongosim._pipeline import install_stages_into_mongomock

__all__ = ["add_dates_to_mongomock", "teach_mongomock"]

_patch_lock = threading.Lock()
_taught = False


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def add_dates_to_mongomock() -> None:
    """Make mongomock's ``$add`` accept one date among numbers, as MongoDB does (idempotent).

    Only that case is taken over; every other ``$add`` (and every other operator) still runs
    mongomock's own code, errors included.
    """
    parser: Any = aggregate._Parser
    with _patch_lock:
        original = parser._handle_arithmetic_operator
        if getattr(original, "_mongosim_dates", False):
            return

        def handle(self: Any, operator: str, values: Any) -> Any:
            if operator == "$add" and isinstance(values, list):
                try:
                    parsed = list(self.parse_many(values))
                except KeyError:
                    parsed = []
                dates = [v for v in parsed if isinstance(v, datetime.datetime)]
                if len(dates) == 1 and all(v is dates[0] or _is_number(v) for v in parsed):
                    milliseconds = sum(v for v in parsed if v is not dates[0])
                    return dates[0] + datetime.timedelta(milliseconds=milliseconds)
            return original(self, operator, values)

        handle._mongosim_dates = True  # type: ignore[attr-defined]
        parser._handle_arithmetic_operator = handle


def _filter_expression(expression: Any, document: Any, ignore_missing_keys: bool = False) -> bool:
    return is_true(evaluate(expression, document))


def _bind_command_variables() -> None:
    parser: Any = aggregate._Parser
    original = parser.__init__
    if getattr(original, "_mongosim_variables", False):
        return

    def init(
        self: Any, doc_dict: Any, user_vars: Any = None, ignore_missing_keys: bool = False
    ) -> None:
        variables = command_variables()
        variables.update(user_vars or {})
        original(self, doc_dict, variables, ignore_missing_keys=ignore_missing_keys)

    init._mongosim_variables = True  # type: ignore[attr-defined]
    parser.__init__ = init


_TYPES = {
    "null": lambda value: value is None,
    "regex": lambda value: isinstance(value, (Regex, re.Pattern)),
    "timestamp": lambda value: isinstance(value, Timestamp),
    "minKey": lambda value: isinstance(value, MinKey),
    "maxKey": lambda value: isinstance(value, MaxKey),
    "undefined": lambda value: False,
}


def teach_mongomock() -> None:
    """Install every fix listed in this module's docstring (once per process).

    Examples
    --------
    >>> import mongomock
    >>> teach_mongomock()
    >>> collection = mongomock.MongoClient().db.c
    >>> _ = collection.insert_many([{"_id": 1, "a": None}, {"_id": 2}])
    >>> [d["_id"] for d in collection.find({"a": {"$type": "null"}})]
    [1]
    >>> [d["_id"] for d in collection.find({"$expr": {"$eq": ["$a", None]}})]
    [1]
    """
    global _taught
    add_dates_to_mongomock()
    with _patch_lock:
        if _taught:
            return
        install_stages_into_mongomock()
        filtering.register_parse_expression(_filter_expression)  # type: ignore[no-untyped-call]
        _bind_command_variables()
        type_map: Any = filtering.TYPE_MAP
        for name, check in _TYPES.items():
            if type_map.get(name) is None:
                type_map[name] = check
        _taught = True
