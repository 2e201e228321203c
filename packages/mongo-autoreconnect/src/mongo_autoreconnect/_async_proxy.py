"""`AsyncMongoProxy`: a pymongo client, database or collection that rides out failover.

Edit this file: ``scripts/synchro.py`` generates the synchronous twin from it, and a
test fails when the two differ.
"""

from __future__ import annotations

# <async-only>
import inspect

# </async-only>
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import pymongo
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import PyMongoError

from ._async_cursor import AsyncResumableCursor
from ._compat import select_server, topology_type
from ._deadline import DEADLINE, DIRECT, TIMEOUT, monotonic
from ._operations import Call, pymongo_retries, rereadable, sends_several_commands
from ._policy import RetryPolicy
from ._proxy_base import MethodBase, ProxyBase
from ._runner import OnRetry
from ._sources import CursorSource, FindSource, NamedSource, PipelineSource
from ._state import OperationKind

__all__ = [
    "AsyncMongoProxy",
    "AsyncProxiedClient",
    "AsyncProxiedCollection",
    "AsyncProxiedDatabase",
]

_T = TypeVar("_T")
_D = TypeVar("_D", bound=Mapping[str, Any])


class _AsyncMethod(MethodBase):
    __slots__ = ()

    def proxied(self) -> Callable[..., Any]:
        """What ``proxy.<name>`` is: a function taking the fast path when it can.

        The fast path is a plain retried call classified by name (decided once, here),
        without a ``session`` argument, while pymongo knows a server for it. It is a
        function closed over what it needs, which costs less to call than this object,
        and enters pymongo's deadline inline (see `_deadline`): every first attempt
        pays for it, so it is most of what the proxy adds to a call, unless the caller's
        own ``pymongo.timeout()`` already ends sooner.
        """
        fn = self.fast_fn
        if fn is None or not DIRECT:
            return self
        assert self.fixed is not None
        _, kind, idempotent = self.fixed
        topology, waits, retrier = self.topology, self.waits, self.retrier
        seconds = retrier.first_timeout
        call, attempts, reports = self._call, self._attempts, self.reports
        # Bound once: looking a method up costs a tenth of the whole call here.
        get_timeout, set_timeout, reset_timeout = TIMEOUT.get, TIMEOUT.set, TIMEOUT.reset
        get_deadline, set_deadline, reset_deadline = DEADLINE.get, DEADLINE.set, DEADLINE.reset

        async def proxied(*args: Any, **kwargs: Any) -> Any:
            if (kwargs and "session" in kwargs) or topology_type(topology) in waits:
                return await call(args, kwargs)
            # Even the first attempt runs under pymongo's deadline, so that pymongo retries a
            # retryable write with the same txnNumber for as long as the call may take.
            entered = monotonic()
            later = entered + seconds
            current = get_deadline()  # an enclosing pymongo.timeout() may end sooner
            try:
                if current > later or not get_timeout():
                    timeout_token = set_timeout(seconds)
                    deadline_token = set_deadline(later if later < current else current)
                    try:
                        result = await fn(*args, **kwargs)
                    finally:
                        reset_timeout(timeout_token)
                        reset_deadline(deadline_token)
                else:
                    # The caller's pymongo.timeout() is in force and ends no later than ours
                    # would: pymongo already bounds the attempt by it and retries until it
                    # (nested, ours would keep that deadline and change only what error
                    # messages quote as timeoutMS), so nothing is entered.
                    result = await fn(*args, **kwargs)
            except PyMongoError as error:
                start = retrier.started(entered)
                return await attempts(start, error, kind, idempotent, fn, args, kwargs)
            if reports:
                self._report_fallback(retrier.started(entered), OperationKind.READ)
            return result

        proxied.__name__ = self.name
        proxied.__qualname__ = self.operation  # its repr names it as the log lines do
        proxied.__doc__ = fn.__doc__
        proxied.__wrapped__ = fn  # type: ignore[attr-defined]
        return proxied

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(args, kwargs)

    async def _call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Every call the fast path does not take: sessions, cursors, passthrough, no server."""
        owner = self.owner
        session = kwargs.get("session")
        if session is not None and session.in_transaction:
            # A transaction's statements are retried as a whole by with_transaction().
            return await self.fn(*args, **kwargs)
        mode, kind, idempotent = self.classify(args, kwargs)
        args, kwargs = rereadable(self.name, args, kwargs)
        if mode is Call.PASSTHROUGH:
            return owner._wrap(await self.fn(*args, **kwargs))
        if mode is Call.FIND:
            return self._find(args, kwargs)
        source: CursorSource | None = None
        if mode is Call.SORTED_CURSOR:
            source = PipelineSource(self.name, args, kwargs)
        elif mode is Call.NAMED_CURSOR:
            source = NamedSource(self.name, args, kwargs)
        retrier = owner._retrier
        start = retrier.clock()
        fn = self.fn
        fallback = owner._fallback if kind is OperationKind.READ else None
        if fallback is not None:
            fn = self.on(fallback)
        if not self.ready(kind):
            result = await self._attempts(start, None, kind, idempotent, fn, args, kwargs)
        else:
            try:
                with pymongo.timeout(retrier.first_timeout):
                    result = await fn(*args, **kwargs)
            except PyMongoError as error:
                result = await self._attempts(start, error, kind, idempotent, fn, args, kwargs)
            else:
                if fallback is not None:
                    self._report_fallback(start, kind)
        if source is not None:
            return self._cursor(result, source)
        return result

    async def _attempts(
        self,
        start: float,
        error: PyMongoError | None,
        kind: OperationKind,
        idempotent: bool,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """Attempt until a success, an error not to retry, or the deadline.

        ``error`` is the first attempt's, or None when pymongo knew no server to run on:
        the call then waits for one in slices of at most 5 s (each a logged failure), not
        silently inside an operation.
        """
        owner = self.owner
        retrier = owner._retrier
        in_transaction = self.in_transaction(args, kwargs)
        state = retrier.start(
            self.operation,
            kind,
            idempotent or owner._idempotent,
            start,
            sends_several_commands(self.name, args, kwargs),
            owner._retry_writes and pymongo_retries(self.name, args, kwargs),
        )
        waited = False  # whether the last failure was the wait for a server
        while True:
            if error is not None:
                if in_transaction:
                    # A transaction's statements are retried as a whole by with_transaction().
                    raise error
                delay = retrier.after_failure(state, error, owner._no_primary, waited=waited)
                if delay > 0:
                    await retrier.policy.async_sleep(delay)
            remaining = retrier.remaining(state)
            if remaining <= 0:
                if error is not None:
                    raise error
                # The caller's own pymongo.timeout() has expired: pymongo says so.
                return await fn(*args, **kwargs)
            waited = not self.ready(kind)
            try:
                if waited:
                    with pymongo.timeout(retrier.wait_slice(remaining)):
                        await select_server(self.topology, self.selector(kind))
                    waited = False
                    remaining = max(retrier.remaining(state), 0.0)
                with pymongo.timeout(retrier.attempt_timeout(remaining)):
                    return await fn(*args, **kwargs)
            except PyMongoError as exc:
                error = exc

    def _find(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> AsyncResumableCursor[Any]:
        """``find`` does no I/O: the cursor it returns is resumable."""
        source = FindSource(args, kwargs)
        return self._cursor(source.open(None, 0, self._read_target()), source)

    def _cursor(self, live: Any, source: CursorSource) -> AsyncResumableCursor[Any]:
        owner = self.owner
        return AsyncResumableCursor(
            live,
            source,
            operation=self.operation,
            retrier=owner._retrier,
            target=self._read_target(),
            no_primary=owner._no_primary,
        )


# <async-only>
class _NoIOMethod(_AsyncMethod):
    """A method of pymongo's asyncio API that is no coroutine: it does no I/O.

    ``find`` returns a cursor; ``with_options``, ``get_collection`` ... return objects.
    """

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.name == "find" and not self.in_transaction(args, kwargs):
            return self._find(args, kwargs)
        return self.owner._wrap(self.fn(*args, **kwargs))


# </async-only>
class AsyncMongoProxy(ProxyBase, Generic[_T]):
    """A pymongo `AsyncMongoClient`, `AsyncDatabase` or `AsyncCollection` that rides out failover.

    Attribute and item access return proxies of the same kind (client → database →
    collection, and ``get_database`` / ``get_collection`` / ``with_options``); methods are
    wrapped so that an election costs a wait instead of an exception; plain attributes pass
    through. Single-statement writes and reads run inside ``pymongo.timeout(remaining)`` so
    pymongo retries them with the same transaction number until the deadline; a write that
    may have been applied raises `AmbiguousWriteError` instead of being applied twice;
    cursors resume after the last document they yielded (`AsyncResumableCursor`).
    The synchronous and asyncio proxies behave the same (one is generated from the other).

    Parameters
    ----------
    obj : AsyncMongoClient, AsyncDatabase or AsyncCollection
        What to wrap (a proxy is unwrapped first).
    policy : RetryPolicy, optional
        Deadline, backoff and what to retry; ``RetryPolicy()`` by default.
    logger : logging.Logger, optional
        Where retries are logged at WARNING; ``mongo_autoreconnect.retry`` by default.
    on_retry : callable, optional
        Called with the `RetryState` before every retry and read fallback.

    Raises
    ------
    TypeError
        ``obj`` is not a pymongo `AsyncMongoClient`, `AsyncDatabase` or `AsyncCollection`,
        or ``policy`` is not a RetryPolicy.

    Examples
    --------
    >>> import pymongo
    >>> from mongo_autoreconnect import AsyncMongoProxy, RetryPolicy
    >>> client = AsyncMongoProxy(pymongo.AsyncMongoClient(connect=False), RetryPolicy(deadline=30))
    >>> client.blogs.posts
    AsyncMongoProxy(AsyncCollection(AsyncDatabase(AsyncMongoClient(...), 'blogs'), 'posts'))
    >>> client.unwrap()
    AsyncMongoClient(...)
    """

    _client_kind = AsyncMongoClient
    _database_kind = AsyncDatabase
    _collection_kind = AsyncCollection
    _kinds = (AsyncMongoClient, AsyncDatabase, AsyncCollection)

    def _method(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        # <async-only>
        if not inspect.iscoroutinefunction(fn):
            return _NoIOMethod(self, name, fn)
        # </async-only>
        return _AsyncMethod(self, name, fn).proxied()

    @overload
    def __new__(
        cls,
        obj: AsyncMongoClient[_D],
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> AsyncProxiedClient[_D]: ...
    @overload
    def __new__(
        cls,
        obj: AsyncDatabase[_D],
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> AsyncProxiedDatabase[_D]: ...
    @overload
    def __new__(
        cls,
        obj: AsyncCollection[_D],
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> AsyncProxiedCollection[_D]: ...
    @overload
    def __new__(
        cls,
        obj: AsyncMongoProxy[_T],
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> AsyncMongoProxy[_T]: ...
    def __new__(
        cls,
        obj: Any,
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> Any:
        # Set up in __new__ (no __init__) so type checkers take the overloads' return types.
        self = object.__new__(cls)
        self._setup(obj, policy, logger, on_retry)
        return self

    def unwrap(self) -> _T:
        """The wrapped pymongo object (for calls that must bypass the proxy)."""
        target: _T = self._target
        return target

    async def __aenter__(self) -> AsyncMongoProxy[_T]:
        await self._target.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._target.__aexit__(*exc_info)


if TYPE_CHECKING:
    from bson.codec_options import CodecOptions
    from pymongo.read_concern import ReadConcern
    from pymongo.write_concern import WriteConcern

    from ._compat import ServerMode

    _D2 = TypeVar("_D2", bound=Mapping[str, Any])

    # What type checkers see: pymongo's own classes (every method signature, generics
    # included) with navigation returning proxies. At run time these names are
    # AsyncMongoProxy; they exist only to be annotated with.

    class AsyncProxiedClient(AsyncMongoClient[_D], AsyncMongoProxy[AsyncMongoClient[_D]]):  # type: ignore[misc]
        def __getattr__(self, name: str) -> AsyncProxiedDatabase[_D]: ...
        def __getitem__(self, name: str) -> AsyncProxiedDatabase[_D]: ...
        def get_database(self, *args: Any, **kwargs: Any) -> AsyncProxiedDatabase[_D]: ...
        def get_default_database(self, *args: Any, **kwargs: Any) -> AsyncProxiedDatabase[_D]: ...
        @property
        def idempotent(self) -> AsyncProxiedClient[_D]: ...
        def unwrap(self) -> AsyncMongoClient[_D]: ...
        async def __aenter__(self) -> AsyncProxiedClient[_D]: ...

    class AsyncProxiedDatabase(AsyncDatabase[_D], AsyncMongoProxy[AsyncDatabase[_D]]):
        def __getattr__(self, name: str) -> AsyncProxiedCollection[_D]: ...
        def __getitem__(self, name: str) -> AsyncProxiedCollection[_D]: ...
        def get_collection(self, *args: Any, **kwargs: Any) -> AsyncProxiedCollection[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: None = None,
            read_preference: ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> AsyncProxiedDatabase[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: CodecOptions[_D2],
            read_preference: ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> AsyncProxiedDatabase[_D2]: ...
        def with_options(self, *args: Any, **kwargs: Any) -> Any: ...
        @property
        def client(self) -> AsyncProxiedClient[_D]: ...
        @property
        def idempotent(self) -> AsyncProxiedDatabase[_D]: ...
        def unwrap(self) -> AsyncDatabase[_D]: ...
        def __bool__(self) -> bool: ...  # type: ignore[override]

    class AsyncProxiedCollection(AsyncCollection[_D], AsyncMongoProxy[AsyncCollection[_D]]):
        def __getattr__(self, name: str) -> AsyncProxiedCollection[_D]: ...
        def __getitem__(self, name: str) -> AsyncProxiedCollection[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: None = None,
            read_preference: ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> AsyncProxiedCollection[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: CodecOptions[_D2],
            read_preference: ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> AsyncProxiedCollection[_D2]: ...
        def with_options(self, *args: Any, **kwargs: Any) -> Any: ...
        @property
        def database(self) -> AsyncProxiedDatabase[_D]: ...
        @property
        def idempotent(self) -> AsyncProxiedCollection[_D]: ...
        def unwrap(self) -> AsyncCollection[_D]: ...
        def __bool__(self) -> bool: ...  # type: ignore[override]

else:
    AsyncProxiedClient = AsyncProxiedDatabase = AsyncProxiedCollection = AsyncMongoProxy
