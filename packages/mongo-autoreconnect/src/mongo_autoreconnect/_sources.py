"""How a cursor is (re-)opened and where it resumes: one source per kind of cursor."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from pymongo.cursor import Cursor, CursorType

from ._resume import (
    CannotResume,
    SortKeys,
    TieTracker,
    after_filter,
    and_filters,
    normalize_sort,
)

__all__ = [
    "CHAIN_METHODS",
    "CursorSource",
    "FindSource",
    "NamedSource",
    "PipelineSource",
    "projection_shows",
]

_FIND_PARAMETERS = inspect.signature(Cursor.__init__)
# Cursor methods that only set an option; replayed on every re-opened cursor.
CHAIN_METHODS = frozenset(
    {
        "batch_size",
        "hint",
        "max_time_ms",
        "max_await_time_ms",
        "comment",
        "collation",
        "allow_disk_use",
        "where",
        "max",
        "min",
        "add_option",
        "remove_option",
    }
)


class CursorSource:
    """Opens the underlying pymongo cursor, first time and after a failure."""

    def open(self, after: Mapping[str, Any] | None, yielded: int, target: Any) -> Any:
        """A new cursor (or an awaitable of one) over the documents after ``after``.

        ``target`` is the collection or database to run on (the fallback's, if redirected).
        """
        raise NotImplementedError

    def resume_point(self, last: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The filter for documents after ``last``; raises CannotResume if unknowable."""
        raise NotImplementedError

    def exhausted(self, yielded: int) -> bool:
        """Whether a limit is already met (a re-opened cursor must not start over)."""
        return False

    def seen(self, doc: Mapping[str, Any]) -> bool:
        """Whether ``doc`` was yielded before (sources that skip, not filter), else record it."""
        return False


class FindSource(CursorSource):
    """``collection.find(...)`` resumed by ``(sort keys...) > last``, ties excluded by ``_id``."""

    def __init__(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        bound = _FIND_PARAMETERS.bind(None, None, *args, **kwargs)
        self.spec: dict[str, Any] = dict(bound.arguments)
        del self.spec["self"], self.spec["collection"]
        self.chain: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.tied = self._tracker()

    def _tracker(self) -> TieTracker:
        # Under a collation, strings Python tells apart may tie.
        collated = self.spec.get("collation") is not None
        return TieTracker(self.keys(), loose_strings=collated)

    def chained(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """The caller set a cursor option after creating it (replayed on a re-issue)."""
        if name == "collation":
            # find() takes it too; the tie tracker must know of it.
            self.spec["collation"] = args[0] if args else kwargs.get("collation")
            self.tied = self._tracker()
        else:
            self.chain.append((name, args, kwargs))

    def tailable(self) -> bool:
        """Whether the cursor follows insertion order, not a sort."""
        return bool(self.spec.get("cursor_type", CursorType.NON_TAILABLE))

    def keys(self) -> SortKeys:
        """The caller's sort."""
        return normalize_sort(self.spec.get("sort"))

    def sorted_by(self, sort: Any) -> None:
        """The caller sorted the cursor after creating it."""
        self.spec["sort"] = sort
        self.tied = self._tracker()

    def open(self, after: Mapping[str, Any] | None, yielded: int, target: Any) -> Any:
        spec = dict(self.spec)
        if after is not None:
            spec["filter"] = and_filters(spec.get("filter"), after)
            spec["skip"] = 0
            limit = spec.get("limit", 0)
            if limit:
                # A negative limit means "one batch"; keep its sign.
                spec["limit"] = (abs(limit) - yielded) * (1 if limit > 0 else -1)
        cursor = target.find(**spec)
        for name, args, kwargs in self.chain:
            getattr(cursor, name)(*args, **kwargs)
        return cursor

    def resume_point(self, last: Mapping[str, Any]) -> Mapping[str, Any] | None:
        if self.tailable():
            raise CannotResume("a tailable cursor follows insertion order, not a sort key")
        keys = self.keys()
        # A projection may remove a sort key: then a missing one is not known to be null.
        shown = [projection_shows(self.spec.get("projection"), key) for key, _ in keys]
        return after_filter(keys, last, self.tied, trust_missing=all(shown))

    def exhausted(self, yielded: int) -> bool:
        limit = self.spec.get("limit", 0)
        return bool(limit) and yielded >= abs(limit)

    def seen(self, doc: Mapping[str, Any]) -> bool:
        self.tied.add(doc)
        return False


class PipelineSource(CursorSource):
    """``aggregate(pipeline)`` resumed by a ``$match`` after its final ``$sort``.

    The output documents must have unique ``_id``s (ties are excluded by ``_id``).
    """

    def __init__(self, method_name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        self.method_name = method_name
        pipeline = list(args[0] if args else kwargs.get("pipeline", []))
        self.rest_args = args[1:]
        self.kwargs = {k: v for k, v in kwargs.items() if k != "pipeline"}
        self.keys: SortKeys | None = None
        last = pipeline[-1] if pipeline else None
        if isinstance(last, Mapping) and list(last) == ["$sort"]:
            self.keys = normalize_sort(last["$sort"])
        # Under a collation, strings Python tells apart may tie.
        self.tied = TieTracker(
            self.keys or [], loose_strings=self.kwargs.get("collation") is not None
        )
        self.pipeline = pipeline

    def open(self, after: Mapping[str, Any] | None, yielded: int, target: Any) -> Any:
        pipeline = self.pipeline if after is None else [*self.pipeline, {"$match": dict(after)}]
        method: Callable[..., Any] = getattr(target, self.method_name)
        return method(pipeline, *self.rest_args, **self.kwargs)

    def resume_point(self, last: Mapping[str, Any]) -> Mapping[str, Any] | None:
        if self.keys is None:
            raise CannotResume("the pipeline does not end with a $sort stage")
        return after_filter(self.keys, last, self.tied)

    def seen(self, doc: Mapping[str, Any]) -> bool:
        self.tied.add(doc)
        return False


class NamedSource(CursorSource):
    """``list_indexes`` / ``list_collections`` / ``list_databases``: re-run, skip names seen."""

    def __init__(self, method_name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        self.method_name = method_name
        self.args = args
        self.kwargs = dict(kwargs)
        self.names: set[Any] = set()

    def open(self, after: Mapping[str, Any] | None, yielded: int, target: Any) -> Any:
        method: Callable[..., Any] = getattr(target, self.method_name)
        return method(*self.args, **self.kwargs)

    def resume_point(self, last: Mapping[str, Any]) -> Mapping[str, Any] | None:
        if "name" not in last:
            raise CannotResume("the listed documents have no unique `name`")
        return None

    def seen(self, doc: Mapping[str, Any]) -> bool:
        name = doc.get("name")
        if name in self.names:
            return True
        self.names.add(name)
        return False


def projection_shows(projection: Any, key: str) -> bool:
    """Whether documents projected by ``projection`` show the sort key ``key`` as sorted.

    False when the projection removes it (a missing key then says nothing).

    Raises
    ------
    CannotResume
        The projection computes the key or shows only part of it: the value a document
        shows is not the one the server sorted by.
    """
    if not projection:
        return True
    if not isinstance(projection, Mapping):
        projection = dict.fromkeys(projection, True)  # pymongo's list of field names
    # Naming a field to include (or to compute) leaves out every field not named.
    including = any(
        not _plain(spec) or bool(spec) for field, spec in projection.items() if field != "_id"
    )
    whole = False  # the key, or a document holding it, is named
    for field, spec in projection.items():
        named = field == key or key.startswith(f"{field}.")
        part = field.startswith(f"{key}.")
        if not (named or part):
            continue
        if not _plain(spec) or field.endswith(".$"):
            raise CannotResume(f"sort key {key!r} is computed by the projection {field!r}")
        if part:
            raise CannotResume(f"the projection {field!r} shows only part of sort key {key!r}")
        whole = True
        if not spec:
            return False
    if key == "_id" or key.startswith("_id."):
        return True  # shown unless excluded by name (above)
    return whole if including else True


def _plain(spec: Any) -> bool:
    """Whether a projection value only includes or excludes (1, 0, True, False)."""
    return isinstance(spec, (bool, int, float))
