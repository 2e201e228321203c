"""Capped collections and tailable cursors on them.

A collection created with ``capped: true`` keeps at most ``max`` documents and ``size``
bytes, dropping the oldest (natural order) on insert. A ``find`` with ``tailable: true`` on
it leaves its cursor open at the end of the results; each ``getMore`` returns the documents
inserted after the last one it returned, and with ``awaitData: true`` waits up to
``maxTimeMS`` (default 1 s) for one, on the oplog's condition variable. When the capped
collection rolls over past the cursor's position, the ``getMore`` fails with
CappedPositionLost (136), which pymongo takes as the end of the cursor.
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

import bson

from mongosim._command_error import CommandError
from mongosim._store import delete_stored, stored_key

if TYPE_CHECKING:
    from collections.abc import Callable

    import mongomock

    from mongosim._oplog import Oplog

    _Collection = mongomock.Collection[dict[str, Any]]

__all__ = ["DEFAULT_AWAIT_MS", "TailableCursor", "trim_capped"]

DEFAULT_AWAIT_MS = 1000
"""How long an awaitData ``getMore`` waits when the driver sends no ``maxTimeMS``."""


def trim_capped(collection: _Collection, options: dict[str, Any]) -> list[dict[str, Any]]:
    """Drop the oldest documents of a capped collection beyond its ``max`` and ``size``.

    Returns the documents dropped (oldest first).
    """
    if not options.get("capped"):
        return []
    store: Any = collection._store
    documents = list(store.documents)
    limit = options.get("max") or 0
    size_limit = options.get("size") or 0
    sizes = [len(bson.encode(document)) for document in documents] if size_limit else []
    total = sum(sizes)
    dropped = []
    while documents and (
        (limit and len(documents) > limit) or (size_limit and total > size_limit)
    ):
        oldest = documents.pop(0)
        if sizes:
            total -= sizes.pop(0)
        delete_stored(collection, oldest["_id"])
        dropped.append(oldest)
    return dropped


class TailableCursor:
    """A tailable (optionally awaitData) cursor over a capped collection.

    ``read(function)`` runs ``function`` under the store's lock (it reads the collection).
    """

    is_change_stream = False
    high_water = None

    def __init__(
        self,
        oplog: Oplog,
        read: Callable[[Callable[[], list[dict[str, Any]]]], list[dict[str, Any]]],
        collection: _Collection,
        query: dict[str, Any],
        project: Callable[[dict[str, Any]], dict[str, Any]],
        *,
        await_data: bool,
        skip: int = 0,
        limit: int = 0,
    ) -> None:
        self._oplog = oplog
        self._read = read
        self._collection = collection
        self._query = query
        self._project = project
        self._await_data = await_data
        self._last: Any = None
        self._started = False
        self._skip = skip
        self._remaining = abs(limit) or None
        self._single_batch = limit < 0
        self.invalidated = False

    def _scan(self, limit: int | None) -> list[dict[str, Any]]:
        from mongomock.filtering import filter_applies

        store: Any = self._collection._store
        documents = list(store.documents)
        start = 0
        if self._started and self._last is not None:
            keys = [stored_key(document["_id"]) for document in documents]
            if self._last not in keys:
                self.invalidated = True
                raise CommandError(
                    136,
                    "CappedPositionLost",
                    "CollectionScan died due to failure to restore tailable cursor position."
                    f" Last seen record id: {self._last!r}",
                )
            start = keys.index(self._last) + 1
        if self._remaining is not None:
            limit = self._remaining if limit is None else min(limit, self._remaining)
        batch: list[dict[str, Any]] = []
        for document in documents[start:]:
            if limit is not None and len(batch) >= limit:
                break
            self._last = stored_key(document["_id"])
            if filter_applies(self._query, document):  # type: ignore[no-untyped-call]
                if self._skip:
                    self._skip -= 1
                    continue
                batch.append(self._project(copy.deepcopy(document)))
        self._started = True
        if self._remaining is not None:
            self._remaining -= len(batch)
            self.invalidated = self._remaining <= 0 or self._single_batch
        return batch

    def next_batch(self, limit: int | None) -> list[dict[str, Any]]:
        """The documents inserted since the last batch (at most ``limit``)."""
        return self._read(lambda: self._scan(limit))

    def wait_for_batch(
        self,
        limit: int | None,
        max_await_ms: float | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> list[dict[str, Any]]:
        """A ``getMore``'s batch; with awaitData, wait for a new document if there is none."""
        waited = DEFAULT_AWAIT_MS if max_await_ms is None else max_await_ms
        deadline = monotonic() + waited / 1000
        while True:
            seen = self._oplog.last_sequence
            batch = self.next_batch(limit)
            remaining = deadline - monotonic()
            if batch or not self._await_data or remaining <= 0:
                return batch
            if not self._oplog.wait_after(seen, remaining):
                return self.next_batch(limit)
