"""Where a broken cursor continues: a range filter on the sort keys after the last document.

Resuming by ``skip=n`` (what the old DurableCursor did) duplicates or skips documents when
the collection changes meanwhile; a filter ``(k1, k2, ..., _id) > last`` does not, for a
stable sort. ``_id`` is appended to every sort as the tie-breaker so the order is total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "CannotResume",
    "SortKeys",
    "after_filter",
    "and_filters",
    "check_resumable",
    "normalize_sort",
    "with_tiebreak",
]

SortKeys = list[tuple[str, Any]]


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


def with_tiebreak(keys: SortKeys) -> SortKeys:
    """``keys`` plus ascending ``_id`` unless ``_id`` already orders them."""
    if any(key == "_id" for key, _ in keys):
        return list(keys)
    return [*keys, ("_id", 1)]


def check_resumable(keys: SortKeys) -> str | None:
    """Why this sort can never resume exactly, or None if it can."""
    for key, direction in keys:
        if key == "$natural":
            return "a $natural sort has no key to resume from"
        if isinstance(direction, bool) or direction not in (1, -1):
            return f"sort key {key!r} is {direction!r}, not 1 or -1"
    return None


def after_filter(keys: SortKeys, last: Mapping[str, Any]) -> dict[str, Any]:
    """The filter matching exactly the documents sorted after ``last``.

    Raises
    ------
    CannotResume
        A sort key is missing, null or an array in ``last``, or the sort is not plain.
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
