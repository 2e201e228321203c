"""What a resumable cursor decides, sync or async: where to resume, when to give up.

The I/O (fetching a document, re-opening the query, sleeping) is in the two cursors,
`ResumableCursor` and `AsyncResumableCursor`; everything they decide is here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import pymongo
from pymongo.errors import PyMongoError

from ._errors import CursorResumeError
from ._resume import CannotResume, normalize_sort
from ._runner import Retrier
from ._sources import CursorSource, FindSource
from ._state import OperationKind, RetryState

__all__ = ["Resumable"]


class Resumable:
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
        source.chained(name, args, kwargs)

    def _set_sort(self, key_or_list: Any, direction: Any) -> None:
        source = self._find_source()
        self._live.sort(key_or_list, direction)  # pymongo validates and keeps it as given
        source.sorted_by(normalize_sort(key_or_list, direction))

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
