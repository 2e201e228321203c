"""Cursors that survive a failover mid-iteration (pymongo never retries getMore)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar

import pymongo
from pymongo.errors import AutoReconnect, PyMongoError

from ._errors import CursorResumeError
from ._resume import CannotResume, normalize_sort
from ._runner import Retrier
from ._sources import CHAIN_METHODS, CursorSource, FindSource
from ._state import OperationKind, RetryState

__all__ = ["AsyncResumableCursor", "ResumableCursor"]

_D = TypeVar("_D")


class _Resumable:
    """State and decisions shared by the sync and async cursors."""

    def __init__(
        self,
        live: Any,
        source: CursorSource,
        *,
        operation: str,
        retrier: Retrier,
        target: Any,
        no_primary: Callable[[], bool] | None,
    ) -> None:
        self._live = live
        self._source = source
        self._operation = operation
        self._retrier = retrier
        self._target = target
        self._no_primary = no_primary
        self._after: Mapping[str, Any] | None = None
        self._yielded = 0
        self._last: Mapping[str, Any] | None = None
        self._state: RetryState | None = None
        self._closed = False

    def _accept(self, doc: Any) -> bool:
        """Count ``doc`` as yielded unless a re-opened cursor already yielded it."""
        if self._source.seen(doc):
            return False
        self._yielded += 1
        self._last = doc
        self._state = None
        return True

    def _timeout(self) -> Any:
        """No deadline while healthy; the remaining deadline while recovering."""
        if self._state is None:
            return _NO_TIMEOUT
        remaining = self._retrier.remaining(self._state)
        return pymongo.timeout(max(self._retrier.attempt_timeout(remaining), 0.0))

    def _plan_recovery(self, error: PyMongoError) -> float:
        """Decide how to continue after ``error``: the sleep before re-opening, or raise."""
        retrier = self._retrier
        if self._state is None:
            self._state = retrier.start(
                f"{self._operation} getMore" if self._yielded else self._operation,
                OperationKind.READ,
                False,
                retrier.clock(),
            )
        if self._last is not None:
            try:
                self._after = self._source.resume_point(self._last)
            except CannotResume as why:
                raise CursorResumeError(self._operation, error, self._yielded, str(why)) from error
        delay = retrier.after_failure(self._state, error, self._no_primary)
        self._close_live()
        return delay

    def _check_deadline(self, error: PyMongoError) -> None:
        assert self._state is not None
        if self._retrier.remaining(self._state) <= 0:
            raise error

    def _close_live(self) -> None:
        live, self._live = self._live, None
        if live is not None:
            try:
                result = live.close()
            except PyMongoError:
                return
            if inspect.iscoroutine(result):
                # An async cursor's close is awaited by the caller's next re-open; the
                # server reaps the dead cursor anyway.
                result.close()

    # -- find()'s chainable options: recorded so a re-opened cursor gets them too ------
    def _find_source(self) -> FindSource:
        if not isinstance(self._source, FindSource):
            raise AttributeError("only find() cursors take options after creation")
        return self._source

    def _chain(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        source = self._find_source()
        getattr(self._live, name)(*args, **kwargs)
        source.chain.append((name, args, kwargs))

    def _set_sort(self, key_or_list: Any, direction: Any) -> None:
        source = self._find_source()
        self._live.sort(key_or_list, direction)  # pymongo validates the arguments
        source.spec["sort"] = normalize_sort(key_or_list, direction)
        self._live.sort(source.sort_to_send())

    def _set_spec(self, name: str, value: int) -> None:
        source = self._find_source()
        getattr(self._live, name)(value)
        source.spec[name] = value

    def _repr(self, kind: str) -> str:
        return f"{kind}({self._operation!r}, yielded={self._yielded})"


class _NoTimeout:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_TIMEOUT = _NoTimeout()


class ResumableCursor(_Resumable, Generic[_D]):
    """A pymongo cursor that re-issues its query after a mid-iteration failover.

    Returned by a proxied ``find``, ``aggregate`` and ``list_*``. It forwards every
    attribute of the pymongo cursor it wraps; when fetching a batch fails with an
    AutoReconnect-family error, it backs off (within the policy's deadline) and re-issues
    the query for the documents after the last one it yielded, by sort key with ``_id`` as
    the tie-breaker (an unsorted ``find`` is sorted by ``_id``). No document is yielded twice
    or skipped for a stable sort. When the last document cannot say where to continue it
    raises :class:`CursorResumeError` instead of guessing.

    Examples
    --------
    >>> for post in proxy.blogs.posts.find({"draft": False}).sort("published"):  # doctest: +SKIP
    ...     print(post["title"])
    """

    def __iter__(self) -> ResumableCursor[_D]:
        return self

    def __next__(self) -> _D:
        return self.next()

    def next(self) -> _D:
        """The next document, re-issuing the query after a failover if needed."""
        while True:
            try:
                if self._live is None:
                    if self._closed or self._source.exhausted(self._yielded):
                        raise StopIteration
                    with self._timeout():
                        self._live = self._source.open(self._after, self._yielded, self._target)
                with self._timeout():
                    doc = self._live.next()
            except AutoReconnect as error:
                delay = self._plan_recovery(error)
                if delay > 0:
                    self._retrier.policy.sleep(delay)
                self._check_deadline(error)
                continue
            if self._accept(doc):
                return doc  # type: ignore[no-any-return]

    def to_list(self, length: int | None = None) -> list[_D]:
        """Up to ``length`` documents (all if None), like pymongo's ``Cursor.to_list``."""
        docs: list[_D] = []
        for doc in self:
            docs.append(doc)
            if length is not None and len(docs) >= length:
                break
        return docs

    def sort(self, key_or_list: Any, direction: Any = None) -> ResumableCursor[_D]:
        """Sort as pymongo does; ``_id`` is appended as the tie-breaker."""
        self._set_sort(key_or_list, direction)
        return self

    def limit(self, limit: int) -> ResumableCursor[_D]:
        """Limit as pymongo does (a re-issued query gets the remaining count)."""
        self._set_spec("limit", limit)
        return self

    def skip(self, skip: int) -> ResumableCursor[_D]:
        """Skip as pymongo does (only the first issue skips)."""
        self._set_spec("skip", skip)
        return self

    def close(self) -> None:
        """Close the underlying cursor, as pymongo does; a closed cursor is never re-issued."""
        self._closed = True
        if self._live is not None:
            self._live.close()

    def __enter__(self) -> ResumableCursor[_D]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        if name in CHAIN_METHODS:

            def chained(*args: Any, **kwargs: Any) -> ResumableCursor[_D]:
                self._chain(name, args, kwargs)
                return self

            return chained
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._live, name)

    def __repr__(self) -> str:
        return self._repr("ResumableCursor")


class AsyncResumableCursor(_Resumable, Generic[_D]):
    """The ``async for`` twin of :class:`ResumableCursor`, for :class:`AsyncMongoProxy`.

    Examples
    --------
    >>> async for post in proxy.blogs.posts.find({}).sort("_id"):  # doctest: +SKIP
    ...     print(post["title"])
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
                        if inspect.isawaitable(live):
                            live = await live
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
