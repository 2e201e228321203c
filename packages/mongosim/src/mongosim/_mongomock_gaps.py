"""Rewrite the few valid MongoDB forms that mongomock cannot execute into equivalents it can.

- The ``$unset`` pipeline stage (not implemented by mongomock) becomes a ``$project``
  that excludes the same fields.
- ``$add`` of a date and numbers (milliseconds) inside an expression, such as
  ``{"$add": ["$expires_at", 1000]}``: mongomock sums numbers only. MongoDB returns the
  date moved by that many milliseconds; `add_dates_to_mongomock` teaches mongomock
  the same.
- In a filter's ``$expr``, an ordering comparison (``$lt``, ``$lte``, ``$gt``, ``$gte``) of a
  field missing from a document raises ``KeyError`` in mongomock; on MongoDB the missing
  value sorts below everything, like null. Field paths there are wrapped in
  ``{"$ifNull": [path, null]}``, which mongomock evaluates with the same result.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

from mongomock import aggregate

__all__ = ["add_dates_to_mongomock", "guard_missing_fields", "unset_as_project"]

_patch_lock = threading.Lock()

_ORDERING = frozenset({"$lt", "$lte", "$gt", "$gte"})


def _is_field_path(value: object) -> bool:
    return isinstance(value, str) and value.startswith("$") and not value.startswith("$$")


def _guard_expression(expression: Any) -> Any:
    if isinstance(expression, list):
        return [_guard_expression(item) for item in expression]
    if not isinstance(expression, dict):
        return expression
    guarded = {key: _guard_expression(value) for key, value in expression.items()}
    for operator in _ORDERING & guarded.keys():
        operands = guarded[operator]
        if isinstance(operands, list):
            guarded[operator] = [
                {"$ifNull": [operand, None]} if _is_field_path(operand) else operand
                for operand in operands
            ]
    return guarded


def guard_missing_fields(query: Any) -> Any:
    """Make ``$expr`` ordering comparisons tolerate missing fields, anywhere in a filter.

    Examples
    --------
    >>> guard_missing_fields({"$expr": {"$lt": ["$expires_at", 5]}})
    {'$expr': {'$lt': [{'$ifNull': ['$expires_at', None]}, 5]}}
    """
    if isinstance(query, list):
        return [guard_missing_fields(item) for item in query]
    if not isinstance(query, dict):
        return query
    return {
        key: _guard_expression(value) if key == "$expr" else guard_missing_fields(value)
        for key, value in query.items()
    }


def unset_as_project(pipeline: list[Any]) -> list[Any]:
    """Replace ``{"$unset": "f"}`` / ``{"$unset": ["f", "g"]}`` stages by ``$project`` exclusions.

    Examples
    --------
    >>> unset_as_project([{"$unset": ["owner", "expires_at"]}])
    [{'$project': {'owner': 0, 'expires_at': 0}}]
    """
    stages = []
    for stage in pipeline:
        if isinstance(stage, dict) and list(stage) == ["$unset"]:
            fields = stage["$unset"]
            names = [fields] if isinstance(fields, str) else list(fields)
            stage = {"$project": dict.fromkeys(names, 0)}
        stages.append(stage)
    return stages


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
