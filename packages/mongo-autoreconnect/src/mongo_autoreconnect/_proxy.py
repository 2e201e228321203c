"""``MongoProxy``: a pymongo client, database or collection that rides out failover."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import pymongo
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import PyMongoError
from pymongo.mongo_client import MongoClient

from ._cursor import ResumableCursor
from ._deadline import enter, leave
from ._operations import Call, sends_several_commands
from ._policy import RetryPolicy
from ._proxy_base import MethodBase, ProxyBase
from ._runner import OnRetry
from ._sources import CursorSource, FindSource, NamedSource, PipelineSource
from ._state import OperationKind

__all__ = ["MongoProxy", "ProxiedClient", "ProxiedCollection", "ProxiedDatabase"]

_T = TypeVar("_T")
_D = TypeVar("_D", bound=Mapping[str, Any])


class _Method(MethodBase):
    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fn = self.fast_fn
        if fn is not None and "session" not in kwargs:
            retrier = self.retrier
            start = retrier.clock()
            # Even the first attempt runs under pymongo's deadline: without it pymongo stops
            # after one retry, and a "not primary" answer to that retry after a lost reply
            # would look like "not applied" (retried with a new txnNumber: applied twice).
            try:
                tokens = enter(retrier.first_timeout)
                try:
                    result = fn(*args, **kwargs)
                finally:
                    leave(tokens)
            except PyMongoError as error:
                assert self.fixed is not None
                _, kind, idempotent = self.fixed
                return self._retry(start, error, kind, idempotent, fn, args, kwargs)
            if self.reports:
                self._report_fallback(start, OperationKind.READ)
            return result
        return self._call(args, kwargs)

    def _call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Every call the fast path does not take: sessions, cursors, passthrough."""
        owner = self.owner
        session = kwargs.get("session")
        if session is not None and session.in_transaction:
            # A transaction's statements are retried as a whole by with_transaction().
            return self.fn(*args, **kwargs)
        mode, kind, idempotent = self.classify(args, kwargs)
        if mode is Call.PASSTHROUGH:
            return owner._wrap(self.fn(*args, **kwargs))
        source: CursorSource | None = None
        if mode is Call.FIND:
            source = FindSource(args, kwargs)
            return self._cursor(source.open(None, 0, self._read_target()), source)
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
                result = fn(*args, **kwargs)
        except PyMongoError as error:
            result = self._retry(start, error, kind, idempotent, fn, args, kwargs)
        else:
            if fallback is not None:
                self._report_fallback(start, kind)
        if source is not None:
            return self._cursor(result, source)
        return result

    def _retry(
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
                retrier.policy.sleep(delay)
            remaining = retrier.remaining(state)
            if remaining <= 0:
                raise error
            try:
                with pymongo.timeout(retrier.attempt_timeout(remaining)):
                    return fn(*args, **kwargs)
            except PyMongoError as exc:
                error = exc

    def _cursor(self, live: Any, source: CursorSource) -> ResumableCursor[Any]:
        owner = self.owner
        return ResumableCursor(
            live,
            source,
            operation=self.operation,
            retrier=owner._retrier,
            target=self._read_target(),
            no_primary=owner._no_primary,
        )


class MongoProxy(ProxyBase, Generic[_T]):
    """A pymongo ``MongoClient``, ``Database`` or ``Collection`` that rides out failover.

    Attribute and item access return proxies of the same kind (client → database →
    collection, and ``get_database`` / ``get_collection`` / ``with_options``); methods are
    wrapped so that an election costs a wait instead of an exception; plain attributes pass
    through. Single-statement writes and reads run inside ``pymongo.timeout(remaining)`` so
    pymongo retries them with the same transaction number until the deadline; writes pymongo
    cannot retry raise :class:`AmbiguousWriteError` instead of being applied twice; cursors
    resume after the last document they yielded.

    Parameters
    ----------
    obj : MongoClient, Database or Collection
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
        ``obj`` is not a pymongo client, database or collection (an async one belongs in
        :class:`AsyncMongoProxy`), or ``policy`` is not a RetryPolicy.

    Examples
    --------
    >>> import pymongo
    >>> from mongo_autoreconnect import MongoProxy, RetryPolicy
    >>> client = MongoProxy(pymongo.MongoClient(connect=False), RetryPolicy(deadline=30))
    >>> client.blogs.posts
    MongoProxy(Collection(Database(MongoClient(...), 'blogs'), 'posts'))
    >>> client.unwrap()
    MongoClient(...)
    >>> client.close()
    """

    _client_kind = MongoClient
    _database_kind = Database
    _collection_kind = Collection
    _kinds = (MongoClient, Database, Collection)
    _method_class = _Method

    @overload
    def __new__(
        cls,
        obj: MongoClient[_D],
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> ProxiedClient[_D]: ...
    @overload
    def __new__(
        cls,
        obj: Database[_D],
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> ProxiedDatabase[_D]: ...
    @overload
    def __new__(
        cls,
        obj: Collection[_D],
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> ProxiedCollection[_D]: ...
    @overload
    def __new__(
        cls,
        obj: MongoProxy[_T],
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> MongoProxy[_T]: ...
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

    def __enter__(self) -> MongoProxy[_T]:
        self._target.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._target.__exit__(*exc_info)


if TYPE_CHECKING:
    from bson.codec_options import CodecOptions
    from pymongo.read_concern import ReadConcern
    from pymongo.read_preferences import _ServerMode
    from pymongo.write_concern import WriteConcern

    _D2 = TypeVar("_D2", bound=Mapping[str, Any])

    # What type checkers see: pymongo's own classes (every method signature, generics
    # included) with navigation returning proxies. At run time these names are
    # MongoProxy; they exist only to be annotated with.

    class ProxiedClient(MongoClient[_D], MongoProxy[MongoClient[_D]]):  # type: ignore[misc]
        def __getattr__(self, name: str) -> ProxiedDatabase[_D]: ...
        def __getitem__(self, name: str) -> ProxiedDatabase[_D]: ...
        def get_database(self, *args: Any, **kwargs: Any) -> ProxiedDatabase[_D]: ...
        def get_default_database(self, *args: Any, **kwargs: Any) -> ProxiedDatabase[_D]: ...
        @property
        def idempotent(self) -> ProxiedClient[_D]: ...
        def unwrap(self) -> MongoClient[_D]: ...
        def __enter__(self) -> ProxiedClient[_D]: ...

    class ProxiedDatabase(Database[_D], MongoProxy[Database[_D]]):
        def __getattr__(self, name: str) -> ProxiedCollection[_D]: ...
        def __getitem__(self, name: str) -> ProxiedCollection[_D]: ...
        def get_collection(self, *args: Any, **kwargs: Any) -> ProxiedCollection[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: None = None,
            read_preference: _ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> ProxiedDatabase[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: CodecOptions[_D2],
            read_preference: _ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> ProxiedDatabase[_D2]: ...
        def with_options(self, *args: Any, **kwargs: Any) -> Any: ...
        @property
        def client(self) -> ProxiedClient[_D]: ...
        @property
        def idempotent(self) -> ProxiedDatabase[_D]: ...
        def unwrap(self) -> Database[_D]: ...
        def __bool__(self) -> bool: ...  # type: ignore[override]

    class ProxiedCollection(Collection[_D], MongoProxy[Collection[_D]]):
        def __getattr__(self, name: str) -> ProxiedCollection[_D]: ...
        def __getitem__(self, name: str) -> ProxiedCollection[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: None = None,
            read_preference: _ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> ProxiedCollection[_D]: ...
        @overload
        def with_options(
            self,
            codec_options: CodecOptions[_D2],
            read_preference: _ServerMode | None = None,
            write_concern: WriteConcern | None = None,
            read_concern: ReadConcern | None = None,
        ) -> ProxiedCollection[_D2]: ...
        def with_options(self, *args: Any, **kwargs: Any) -> Any: ...
        @property
        def database(self) -> ProxiedDatabase[_D]: ...
        @property
        def idempotent(self) -> ProxiedCollection[_D]: ...
        def unwrap(self) -> Collection[_D]: ...
        def __bool__(self) -> bool: ...  # type: ignore[override]

else:
    ProxiedClient = ProxiedDatabase = ProxiedCollection = MongoProxy
