"""``AsyncMongoProxy``: the asyncio twin of ``MongoProxy``, for pymongo's AsyncMongoClient."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import pymongo
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.errors import PyMongoError

from ._cursor import AsyncResumableCursor
from ._deadline import enter, leave
from ._operations import Call, sends_several_commands
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
    __slots__ = ("is_async",)

    def __init__(self, owner: ProxyBase, name: str, fn: Callable[..., Any]) -> None:
        super().__init__(owner, name, fn)
        self.is_async = inspect.iscoroutinefunction(fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        owner = self.owner
        session = kwargs.get("session")
        if session is not None and session.in_transaction:
            # A transaction's statements are retried as a whole by with_transaction().
            return self.fn(*args, **kwargs)
        if self.is_async:
            return self._run(args, kwargs)
        if self.name == "find":
            source = FindSource(args, kwargs)
            return self._cursor(source.open(None, 0, self._read_target()), source)
        # Synchronous methods of the async API do no I/O (with_options, get_collection...).
        return owner._wrap(self.fn(*args, **kwargs))

    async def _run(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        fn = self.fast_fn
        if fn is not None and "session" not in kwargs:
            retrier = self.retrier
            start = retrier.clock()
            try:
                tokens = enter(retrier.first_timeout)  # pymongo's deadline: see _proxy
                try:
                    result = await fn(*args, **kwargs)
                finally:
                    leave(tokens)
            except PyMongoError as error:
                assert self.fixed is not None
                _, kind, idempotent = self.fixed
                return await self._retry(start, error, kind, idempotent, fn, args, kwargs)
            if self.reports:
                self._report_fallback(start, OperationKind.READ)
            return result
        return await self._call(args, kwargs)

    async def _call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Every call the fast path does not take: sessions, cursors, passthrough."""
        owner = self.owner
        mode, kind, idempotent = self.classify(args, kwargs)
        if mode is Call.PASSTHROUGH:
            return owner._wrap(await self.fn(*args, **kwargs))
        source: CursorSource | None = None
        if mode is Call.SORTED_CURSOR:
            source = PipelineSource(self.name, args, kwargs)
            args, kwargs = source.call_args()
        elif mode is Call.NAMED_CURSOR:
            source = NamedSource(self.name, args, kwargs)
        retrier = owner._retrier
        start = retrier.clock()
        fn = self.fn
        fallback = owner._fallback if kind is OperationKind.READ else None
        if fallback is not None:
            fn = self.on(fallback)
        try:
            with pymongo.timeout(retrier.first_timeout):
                result = await fn(*args, **kwargs)
        except PyMongoError as error:
            result = await self._retry(start, error, kind, idempotent, fn, args, kwargs)
        else:
            if fallback is not None:
                self._report_fallback(start, kind)
        if source is not None:
            return self._cursor(result, source)
        return result

    async def _retry(
        self,
        start: float,
        error: PyMongoError,
        kind: OperationKind,
        idempotent: bool,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        owner = self.owner
        retrier = owner._retrier
        if self.in_transaction(args, kwargs):
            # A transaction's statements are retried as a whole by with_transaction().
            raise error
        state = retrier.start(
            self.operation,
            kind,
            idempotent or owner._idempotent,
            start,
            sends_several_commands(self.name, args, kwargs),
        )
        while True:
            delay = retrier.after_failure(state, error, owner._no_primary)
            if delay > 0:
                await retrier.policy.async_sleep(delay)
            remaining = retrier.remaining(state)
            if remaining <= 0:
                raise error
            try:
                with pymongo.timeout(retrier.attempt_timeout(remaining)):
                    return await fn(*args, **kwargs)
            except PyMongoError as exc:
                error = exc

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


class AsyncMongoProxy(ProxyBase, Generic[_T]):
    """:class:`MongoProxy` for pymongo's asyncio API (``AsyncMongoClient``, pymongo >= 4.9).

    The same navigation, policy and guarantees; proxied coroutine methods are awaited as
    usual, cursors are :class:`AsyncResumableCursor` (``async for``), sleeps use the
    policy's ``async_sleep``.

    Parameters
    ----------
    obj : AsyncMongoClient, AsyncDatabase or AsyncCollection
        What to wrap (a proxy is unwrapped first).
    policy : RetryPolicy, optional
        Deadline, backoff and what to retry; ``RetryPolicy()`` by default.
    logger : logging.Logger, optional
        Where each retry is logged at WARNING; ``mongo_autoreconnect.retry`` by default.
    on_retry : callable, optional
        Called with the :class:`RetryState` before every retry and read fallback.

    Raises
    ------
    TypeError
        ``obj`` is not an async pymongo client, database or collection, or ``policy`` is not
        a RetryPolicy.

    Examples
    --------
    >>> import pymongo
    >>> from mongo_autoreconnect import AsyncMongoProxy
    >>> client = AsyncMongoProxy(pymongo.AsyncMongoClient(connect=False))
    >>> client.blogs.posts.full_name
    'blogs.posts'
    """

    _client_kind = AsyncMongoClient
    _database_kind = AsyncDatabase
    _collection_kind = AsyncCollection
    _kinds = (AsyncMongoClient, AsyncDatabase, AsyncCollection)
    _method_class = _AsyncMethod

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
    from pymongo.read_preferences import _ServerMode
    from pymongo.write_concern import WriteConcern

    _D2 = TypeVar("_D2", bound=Mapping[str, Any])

    # What type checkers see: pymongo's async classes with navigation returning proxies.
    # At run time these names are AsyncMongoProxy; they exist only to be annotated with.

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
            read_preference: _ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> AsyncProxiedDatabase[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: CodecOptions[_D2],
            read_preference: _ServerMode | None = None,
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
            read_preference: _ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> AsyncProxiedCollection[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: CodecOptions[_D2],
            read_preference: _ServerMode | None = None,
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
