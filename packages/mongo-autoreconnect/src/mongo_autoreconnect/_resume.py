"""Where a broken cursor continues: after the last yielded document, in its sort order.

The query a cursor first sends is the caller's, unchanged. When it breaks, it is re-issued
with a filter selecting exactly the documents not yielded yet: those sorted after the last
one (``(k1, k2, ...) > last``), plus those that tie with it on every sort key and were not
yielded (their order among themselves is unspecified, so the cursor keeps the ``_id`` of
each yielded document of the current tie, and excludes them with ``$nin``). An unsorted
``find`` is one tie: every ``_id`` yielded is kept, up to `MAX_TIED`. Resuming by
``skip=n`` (what the old DurableCursor did) duplicates or skips documents when the
collection changes meanwhile; this does not, for a stable sort.

MongoDB sorts values of different types by type first (null and missing, numbers,
strings, objects, binary data, ObjectIds, booleans, dates, ...), but a query's ``$gt`` /
``$lt`` compare within one type only. So "after" a value is the rest of its own type
(``$gt``) and every value of the types sorted after it (``$type``), null and missing
included (``$eq: null``).
"""

from __future__ import annotations

import datetime
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from bson.binary import Binary
from bson.code import Code
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp

__all__ = [
    "MAX_TIED",
    "CannotResume",
    "SortKeys",
    "TieTracker",
    "after_filter",
    "and_filters",
    "check_resumable",
    "normalize_sort",
]

SortKeys = list[tuple[str, Any]]

#: The most ``_id``s a cursor keeps for the documents tied with its last one (a ``$nin``
#: of 10,000 ObjectIds is about 200 kB of query).
MAX_TIED = 10_000

# MongoDB's sort order of types, each with the ``$type`` alias that selects it (null also
# stands for a missing field). Arrays sort by one of their elements, so they have no place
# of their own; deprecated types (symbol, undefined, code) are not selected.
_ORDER = (
    "minKey",
    "null",
    "number",
    "string",
    "object",
    "binData",
    "objectId",
    "bool",
    "date",
    "timestamp",
    "regex",
    "maxKey",
)
_NULL = _ORDER.index("null")
# One value only: nothing of its own type sorts before or after it.
_SINGLE_VALUED = frozenset({_ORDER.index("minKey"), _NULL, _ORDER.index("maxKey")})


class CannotResume(Exception):
    """The yielded documents do not say exactly where to continue (message: why)."""


def normalize_sort(spec: Any, direction: Any = None) -> SortKeys:
    """Turn every form pymongo accepts for a sort into ``[(key, direction), ...]``."""
    if spec is None:
        return []
    if isinstance(spec, str):
        return [(spec, 1 if direction is None else direction)]
    if isinstance(spec, Mapping):
        return list(spec.items())
    keys: SortKeys = []
    for item in spec:
        if isinstance(item, str):
            keys.append((item, 1))
        else:
            key, value = item
            keys.append((key, value))
    return keys


def check_resumable(keys: SortKeys) -> str | None:
    """Why this sort can never resume exactly, or None if it can."""
    for key, direction in keys:
        if key == "$natural":
            return "a $natural sort has no key to resume from"
        if isinstance(direction, bool) or direction not in (1, -1):
            return f"sort key {key!r} is {direction!r}, not 1 or -1"
    return None


class TieTracker:
    """The ``_id``s of the yielded documents that tie with the last one on every sort key.

    Ties are judged as MongoDB compares (``Decimal128("1")`` ties with ``1``), or more
    loosely, never less: keeping the ``_id`` of a document that did not tie only excludes
    a document already yielded. ``loose_strings``: the sort has a collation, which may tie
    strings that Python tells apart ("bob", "Bob"), so every string ties with every other.
    """

    __slots__ = ("ids", "keys", "loose_strings", "overflow", "values")

    def __init__(self, keys: SortKeys, *, loose_strings: bool = False) -> None:
        self.keys = keys
        self.loose_strings = loose_strings
        self.values: tuple[Any, ...] | None = None
        self.ids: list[Any] = []
        self.overflow = False

    def add(self, doc: Mapping[str, Any]) -> None:
        """Record ``doc``, the next document yielded in sort order."""
        try:
            values = tuple(self._tie_key(_value(doc, key)) for key, _ in self.keys)
        except CannotResume:
            values = None  # resume_point says why, if it comes to that
        if values is None or values != self.values:
            self.values = values
            self.ids = []
            self.overflow = False
        if "_id" not in doc:
            return
        if len(self.ids) >= MAX_TIED:
            self.overflow = True
        else:
            self.ids.append(doc["_id"])

    def _tie_key(self, value: Any) -> Any:
        """What of a sort-key value decides ties (MongoDB's equality, or coarser)."""
        if value is _MISSING:
            return None  # missing and null sort together
        if isinstance(value, Decimal128):
            return value.to_decimal()  # equal to the int or float of the same value
        if self.loose_strings and isinstance(value, str):
            return str
        return value


def after_filter(
    keys: SortKeys,
    last: Mapping[str, Any],
    tied: TieTracker,
    *,
    trust_missing: bool = True,
) -> dict[str, Any]:
    """The filter matching exactly the documents not yielded yet, ``last`` being the last.

    ``trust_missing``: a sort key missing from ``last`` is really missing (sorted as
    null), not removed by a projection.

    Raises
    ------
    CannotResume
        A sort key is an array, NaN or of an unsupported type in ``last`` (or missing
        when it may have been projected out), the sort is not plain, or too many
        documents tie with ``last`` (or ``last`` has no ``_id``) to exclude them.
    """
    reason = check_resumable(keys)
    if reason is not None:
        raise CannotResume(reason)
    values = []
    for key, _ in keys:
        value = _value(last, key)
        # Every document has an _id: a missing one was projected out.
        if value is _MISSING and (key == "_id" or not trust_missing):
            raise CannotResume(
                f"sort key {key!r} is missing from the last document (projected out or absent)"
            )
        values.append(None if value is _MISSING else value)
    branches: list[dict[str, Any]] = []
    for i, (key, direction) in enumerate(keys):
        equal = {k: {"$eq": v} for (k, _), v in zip(keys[:i], values[:i], strict=True)}
        branches.extend({**equal, key: after} for after in _after(key, values[i], direction))
    if not any(key == "_id" for key, _ in keys):
        # The documents tying with the last one on every key, in any order: the rest of
        # them, without those already yielded.
        if "_id" not in last:
            raise CannotResume("'_id' is missing from the last document (projected out?)")
        if tied.overflow:
            what = "sort key" if keys else "unsorted find, past the first"
            raise CannotResume(
                f"more than {MAX_TIED} documents yielded share the last {what}: sort by"
                " keys that are unique together (add _id) to let it resume"
            )
        equal = {k: {"$eq": v} for (k, _), v in zip(keys, values, strict=True)}
        excluded = list(tied.ids) if tied.values is not None else []
        if not any(id_ == last["_id"] for id_ in excluded):
            excluded.append(last["_id"])
        branches.append({**equal, "_id": {"$nin": excluded}})
    return branches[0] if len(branches) == 1 else {"$or": branches}


def _after(key: str, value: Any, direction: int) -> list[dict[str, Any]]:
    """The conditions on ``key`` selecting what sorts after ``value`` in ``direction``."""
    place = _type_place(key, value)
    conditions: list[dict[str, Any]] = []
    if place not in _SINGLE_VALUED:
        # The rest of its own type: a query compares within one type only.
        conditions.append({"$gt" if direction == 1 else "$lt": value})
    later = range(place + 1, len(_ORDER)) if direction == 1 else range(place - 1, -1, -1)
    for other in later:
        # $eq null matches null and missing alike, as they sort together.
        conditions.append({"$eq": None} if other == _NULL else {"$type": _ORDER[other]})
    return conditions


def _type_place(key: str, value: Any) -> int:
    """Where the type of ``value`` sorts in MongoDB's order of types."""
    if value is None:
        return _NULL
    # bool before the numbers: Python's bool is an int.
    if isinstance(value, bool):
        return _ORDER.index("bool")
    if isinstance(value, (int, float, Int64, Decimal128)):
        if _is_nan(value):
            raise CannotResume(f"sort key {key!r} is NaN in the last document")
        return _ORDER.index("number")
    if isinstance(value, str) and not isinstance(value, Code):  # bson's Code is a str
        return _ORDER.index("string")
    if isinstance(value, Mapping):
        return _ORDER.index("object")
    if isinstance(value, (bytes, Binary, uuid.UUID)):
        return _ORDER.index("binData")
    if isinstance(value, ObjectId):
        return _ORDER.index("objectId")
    if isinstance(value, (datetime.datetime, DatetimeMS)):
        return _ORDER.index("date")
    if isinstance(value, Timestamp):
        return _ORDER.index("timestamp")
    if isinstance(value, MinKey):
        return _ORDER.index("minKey")
    if isinstance(value, MaxKey):
        return _ORDER.index("maxKey")
    # A regular expression in a query is a pattern, not a value to compare.
    if isinstance(value, (Regex, re.Pattern)):
        raise CannotResume(f"sort key {key!r} holds a regular expression in the last document")
    raise CannotResume(
        f"sort key {key!r} holds a {type(value).__name__} in the last document, a type the"
        " cursor cannot resume after"
    )


def _is_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal128):
        return value.to_decimal().is_nan()
    return False


def and_filters(first: Mapping[str, Any] | None, second: Mapping[str, Any]) -> dict[str, Any]:
    """Both filters; ``first`` (the caller's) is left unchanged."""
    if not first:
        return dict(second)
    return {"$and": [dict(first), dict(second)]}


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def _value(doc: Mapping[str, Any], path: str) -> Any:
    """The value of ``path`` in ``doc``, or ``_MISSING``."""
    current: Any = doc
    for part in path.split("."):
        if isinstance(current, Sequence) and not isinstance(current, (str, bytes)):
            raise CannotResume(f"sort key {path!r} goes through an array")
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    if isinstance(current, (list, tuple)):
        raise CannotResume(f"sort key {path!r} holds an array in the last document")
    return current
