"""`AsyncResumableCursor`: a cursor that survives a failover mid-iteration.

pymongo never retries a getMore.

Edit this file: ``scripts/synchro.py`` generates the synchronous twin from it, and a
test fails when the two differ.
"""

from __future__ import annotations

# <async-only>
import inspect

# </async-only>
from types import TracebackType
from typing import Any, Generic, TypeVar

from pymongo.errors import AutoReconnect

from ._resumable import Resumable
from ._sources import CHAIN_METHODS

__all__ = ["AsyncResumableCursor"]

_D = TypeVar("_D")


class AsyncResumableCursor(Resumable, Generic[_D]):
    """A pymongo cursor that re-issues its query after a mid-iteration failover.

    Returned by a proxied ``find``, ``aggregate`` and ``list_*``. It forwards every
    attribute of the pymongo cursor it wraps; when fetching a batch fails with an
    AutoReconnect-family error, it backs off (within the policy's deadline) and re-issues
    the query for the documents after the last one it yielded, by sort key with ``_id`` as
    the tie-breaker (an unsorted ``find`` is sorted by ``_id``). No document is yielded twice
    or skipped for a stable sort. When the last document cannot say where to continue it
    raises `CursorResumeError` instead of guessing.

    Examples
    --------
    A proxied ``find`` returns one (``proxy`` is a proxied client):

    ```python
    async for post in proxy.blogs.posts.find({"draft": False}).sort("published"):
        print(post["title"])
    ```
    """

    def __aiter__(self) -> AsyncResumableCursor[_D]:
        return self

    async def __anext__(self) -> _D:
        return await self.next()

    async def next(self) -> _D:
        """The next document, re-issuing the query after a failover if needed."""
        while True:
            try:
                if self._live is None:
                    if self._closed or self._source.exhausted(self._yielded):
                        raise StopAsyncIteration
                    with self._timeout():
                        live = self._source.open(self._after, self._yielded, self._target)
                        # <async-only>
                        if inspect.isawaitable(live):
                            live = await live
                        # </async-only>
                    self._live = live
                with self._timeout():
                    doc = await self._live.next()
            except AutoReconnect as error:
                delay = self._plan_recovery(error)
                if delay > 0:
                    await self._retrier.policy.async_sleep(delay)
                self._check_deadline(error)
                continue
            if self._accept(doc):
                return doc  # type: ignore[no-any-return]

    async def to_list(self, length: int | None = None) -> list[_D]:
        """Up to ``length`` documents (all if None), like pymongo's ``to_list``."""
        docs: list[_D] = []
        async for doc in self:
            docs.append(doc)
            if length is not None and len(docs) >= length:
                break
        return docs

    def sort(self, key_or_list: Any, direction: Any = None) -> AsyncResumableCursor[_D]:
        """Sort as pymongo does; ``_id`` is appended as the tie-breaker."""
        self._set_sort(key_or_list, direction)
        return self

    def limit(self, limit: int) -> AsyncResumableCursor[_D]:
        """Limit as pymongo does (a re-issued query gets the remaining count)."""
        self._set_spec("limit", limit)
        return self

    def skip(self, skip: int) -> AsyncResumableCursor[_D]:
        """Skip as pymongo does (only the first issue skips)."""
        self._set_spec("skip", skip)
        return self

    async def close(self) -> None:
        """Close the underlying cursor, as pymongo does; a closed cursor is never re-issued."""
        self._closed = True
        if self._live is not None:
            await self._live.close()

    async def __aenter__(self) -> AsyncResumableCursor[_D]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __getattr__(self, name: str) -> Any:
        if name in CHAIN_METHODS:

            def chained(*args: Any, **kwargs: Any) -> AsyncResumableCursor[_D]:
                self._chain(name, args, kwargs)
                return self

            return chained
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._live, name)

    def __repr__(self) -> str:
        return self._repr("AsyncResumableCursor")
