"""Where a broken cursor continues: after the last yielded document, in its sort order.

The query a cursor first sends is the caller's, unchanged. When it breaks, it is re-issued
with a filter selecting exactly the documents not yielded yet: those sorted after the last
one (``(k1, k2, ...) > last``), plus those that tie with it on every sort key and were not
yielded (their order among themselves is unspecified, so the cursor keeps the ``_id`` of
each yielded document of the current tie, and excludes them with ``$nin``). An unsorted
``find`` is one tie: every ``_id`` yielded is kept, up to `MAX_TIED`. Resuming by
``skip=n`` (what the old DurableCursor did) duplicates or skips documents when the
collection changes meanwhile; this does not, for a stable sort.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
    """The ``_id``s of the yielded documents that tie with the last one on every sort key."""

    __slots__ = ("ids", "keys", "overflow", "values")

    def __init__(self, keys: SortKeys) -> None:
        self.keys = keys
        self.values: tuple[Any, ...] | None = None
        self.ids: list[Any] = []
        self.overflow = False

    def add(self, doc: Mapping[str, Any]) -> None:
        """Record ``doc``, the next document yielded in sort order."""
        try:
            values = tuple(_value(doc, key) for key, _ in self.keys)
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


def after_filter(keys: SortKeys, last: Mapping[str, Any], tied: TieTracker) -> dict[str, Any]:
    """The filter matching exactly the documents not yielded yet, ``last`` being the last.

    Raises
    ------
    CannotResume
        A sort key is missing, null or an array in ``last``, the sort is not plain, or too
        many documents tie with ``last`` (or ``last`` has no ``_id``) to exclude them.
    """
    reason = check_resumable(keys)
    if reason is not None:
        raise CannotResume(reason)
    values = [_value(last, key) for key, _ in keys]
    branches = []
    for i, (key, direction) in enumerate(keys):
        equal = {k: v for (k, _), v in zip(keys[:i], values[:i], strict=True)}
        branches.append({**equal, key: {"$gt" if direction == 1 else "$lt": values[i]}})
        if direction == -1:
            # Null and missing sort below every value, so after it in a descending sort,
            # and $lt never matches them (MongoDB compares within one type).
            branches.append({**equal, key: None})
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
        equal = {k: v for (k, _), v in zip(keys, values, strict=True)}
        excluded = list(tied.ids) if tied.values is not None else []
        if not any(id_ == last["_id"] for id_ in excluded):
            excluded.append(last["_id"])
        branches.append({**equal, "_id": {"$nin": excluded}})
    return branches[0] if len(branches) == 1 else {"$or": branches}


def and_filters(first: Mapping[str, Any] | None, second: Mapping[str, Any]) -> dict[str, Any]:
    """Both filters; ``first`` (the caller's) is left unchanged."""
    if not first:
        return dict(second)
    return {"$and": [dict(first), dict(second)]}


def _value(doc: Mapping[str, Any], path: str) -> Any:
    current: Any = doc
    for part in path.split("."):
        if isinstance(current, Sequence) and not isinstance(current, (str, bytes)):
            raise CannotResume(f"sort key {path!r} goes through an array")
        if not isinstance(current, Mapping) or part not in current:
            raise CannotResume(
                f"sort key {path!r} is missing from the last document (projected out or absent)"
            )
        current = current[part]
    if current is None:
        raise CannotResume(f"sort key {path!r} is null in the last document")
    if isinstance(current, (list, tuple)):
        raise CannotResume(f"sort key {path!r} holds an array in the last document")
    return current
