"""What the sync and async proxies share: attribute access, caching, repr, equality."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from pymongo.server_selectors import writable_server_selector

from ._compat import NO_PRIMARY, NO_SERVER, topology_of, topology_type
from ._operations import Call, classify
from ._policy import RetryPolicy
from ._redact import client_secrets
from ._runner import OnRetry, Retrier
from ._state import OperationKind

__all__ = ["MethodBase", "ProxyBase"]


class MethodBase:
    """A proxied pymongo method: knows its name, its operation label and how to run."""

    __slots__ = (
        "fast_fn",
        "fixed",
        "fn",
        "name",
        "operation",
        "owner",
        "reports",
        "retrier",
        "topology",
        "waits",
    )

    def __init__(self, owner: ProxyBase, name: str, fn: Callable[..., Any]) -> None:
        self.owner = owner
        self.name = name
        self.fn = fn
        self.operation = owner._label(name)
        self.retrier = owner._retrier
        # Most methods are classified by name alone; aggregate and command look at the args.
        self.fixed = None if name in ("aggregate", "command") else classify(name, (), {})
        # The fast path (a plain retried call classified by name) is decided here, once:
        # which bound method to call, and whether a success must be checked for fallback.
        self.fast_fn: Callable[..., Any] | None = None
        self.reports = False
        self.topology = owner._topology
        self.waits = NO_PRIMARY
        # insert_many may be given a one-shot iterator: _call reads it first, for retries.
        if self.fixed is not None and self.fixed[0] is Call.RETRIED and name != "insert_many":
            fallback = owner._fallback if self.fixed[1] is OperationKind.READ else None
            self.fast_fn = fn if fallback is None else self.on(fallback)
            self.reports = fallback is not None
            self.waits = self.waits_in(self.fixed[1])

    def waits_in(self, kind: OperationKind) -> frozenset[int]:
        """The topology types in which a call of this kind would wait for a server."""
        if kind is OperationKind.READ and self.owner._fallback is not None:
            return NO_SERVER
        return NO_PRIMARY

    def ready(self, kind: OperationKind) -> bool:
        """Whether pymongo knows a server for a call of this kind (else it would wait)."""
        return topology_type(self.topology) not in self.waits_in(kind)

    def selector(self, kind: OperationKind) -> Any:
        """What server a call of this kind needs: the primary, or its read preference."""
        if kind is OperationKind.WRITE:
            return writable_server_selector
        return self._read_target().read_preference

    def classify(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Call, OperationKind, bool]:
        """(call mode, kind, idempotent) of this call."""
        if self.fixed is not None:
            return self.fixed
        return classify(self.name, args, kwargs)

    def on(self, target: Any) -> Callable[..., Any]:
        """The same method on another target (the read fallback's collection)."""
        fn: Callable[..., Any] = getattr(target, self.name)
        return fn

    def _report_fallback(self, start: float, kind: OperationKind) -> None:
        """Report a read that succeeded while no primary was known (so a secondary served it)."""
        owner = self.owner
        if owner._no_primary is not None and owner._no_primary():
            retrier = owner._retrier
            state = retrier.start(self.operation, kind, False, start)
            state.now = retrier.clock()
            state.read_preference = retrier.policy.read_fallback
            retrier.report(state)

    @staticmethod
    def in_transaction(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        """Whether any argument is a session in a transaction (a session may be positional)."""
        return any(
            getattr(value, "in_transaction", False) is True for value in (*args, *kwargs.values())
        )

    def _read_target(self) -> Any:
        """Where reads and cursors run: the read-fallback twin if the policy has one."""
        owner = self.owner
        return owner._fallback if owner._fallback is not None else owner._target

    def __repr__(self) -> str:
        return f"<proxied method {self.operation}>"


class ProxyBase:
    """Attribute/item access returning proxies of the same kind, wrapped methods, dunders."""

    # No __slots__: resolved attributes are stored in the instance __dict__, so the next
    # lookup is an ordinary attribute hit and never reaches __getattr__ again.

    # pymongo's Client/Database answer any attribute name with a Database/Collection, so
    # the kind of a target is told by isinstance, never by hasattr.
    _client_kind: ClassVar[type[Any]]
    _database_kind: ClassVar[type[Any]]
    _collection_kind: ClassVar[type[Any]]
    _kinds: ClassVar[tuple[type[Any], ...]]

    def __init__(
        self,
        obj: Any,
        policy: RetryPolicy | None = None,
        *,
        logger: logging.Logger | None = None,
        on_retry: OnRetry | None = None,
    ) -> None:
        # Everything happens in the subclasses' __new__, whose overloads give type checkers
        # the proxied types; this signature is what documentation tools read.
        pass

    def _setup(
        self,
        obj: Any,
        policy: RetryPolicy | None,
        logger: logging.Logger | None,
        on_retry: OnRetry | None,
    ) -> None:
        if isinstance(obj, ProxyBase):
            obj = obj._target
        if not isinstance(obj, self._kinds):
            names = ", ".join(kind.__name__ for kind in self._kinds)
            raise TypeError(
                f"{type(self).__name__} wraps one of {names}; got {type(obj).__name__}"
            )
        if policy is not None and not isinstance(policy, RetryPolicy):
            raise TypeError(f"`policy` must be a RetryPolicy, got {type(policy).__name__}")
        policy = policy if policy is not None else RetryPolicy()
        client = self._client_of(obj)
        # timeoutMS=0 means no client timeout (pymongo reports 0.0): no cap, not a zero one.
        cap = getattr(getattr(client, "options", None), "timeout", None) or None
        retrier = Retrier(policy, logger, on_retry, client_secrets(client), cap)
        self._init(obj, retrier, idempotent=False)

    def _init(self, obj: Any, retrier: Retrier, idempotent: bool) -> None:
        self._target = obj
        self._retrier = retrier
        self._idempotent = idempotent
        client = self._client_of(obj)
        self._topology = topology_of(client)
        # Whether pymongo retries retryable writes itself (it then hides earlier attempts).
        self._retry_writes = bool(client.options.retry_writes)
        self._items: dict[str, Any] = {}
        self._no_primary: Callable[[], bool] | None = None
        # Reads go through this twin of the target, with the policy's read_fallback.
        self._fallback: Any = None
        fallback = retrier.policy.read_fallback
        if fallback is not None and not isinstance(obj, self._client_kind):
            # Non-blocking for sync and async clients alike (AsyncMongoClient.primary awaits).
            self._no_primary = lambda: not client.topology_description.has_writable_server()
            self._fallback = obj.with_options(read_preference=fallback)

    def _method(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """The proxied method wrapping ``fn``."""
        raise NotImplementedError

    def _child(self, obj: Any, idempotent: bool | None = None) -> Any:
        child = object.__new__(type(self))
        child._init(obj, self._retrier, self._idempotent if idempotent is None else idempotent)
        return child

    def _client_of(self, obj: Any) -> Any:
        if isinstance(obj, self._collection_kind):
            return obj.database.client
        if isinstance(obj, self._database_kind):
            return obj.client
        return obj

    def _label(self, name: str) -> str:
        target = self._target
        if isinstance(target, self._collection_kind):
            return f"{target.full_name}.{name}"
        if isinstance(target, self._database_kind):
            return f"{target.name}.{name}"
        return name

    def _wrap(self, value: Any) -> Any:
        """Proxy what pymongo returns when it is a client, database or collection."""
        if isinstance(value, self._kinds):
            return self._child(value)
        return value

    @property
    def idempotent(self) -> Any:
        """This proxy with every write marked idempotent: retried even when ambiguous.

        Use it only for writes that are harmless to apply twice (``$set`` to fixed values,
        deletes by ``_id``): ``proxy.db.c.idempotent.update_many(f, {"$set": {"x": 1}})``.
        A collection literally named ``idempotent`` is still reachable as
        ``db["idempotent"]``.
        """
        twin = self.__dict__.get("_idempotent_twin")
        if twin is None:
            twin = self.__dict__["_idempotent_twin"] = self._child(self._target, idempotent=True)
        return twin

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._target, name)
        if isinstance(value, self._kinds):
            wrapped = self.__dict__[name] = self._child(value)
            return wrapped
        if callable(value) and not isinstance(value, type):
            method = self.__dict__[name] = self._method(name, value)
            return method
        return value

    def __getitem__(self, key: str) -> Any:
        try:
            return self._items[key]
        except KeyError:
            wrapped = self._items[key] = self._wrap(self._target[key])
            return wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # pymongo's Collection.__call__ explains the mistyped method name; keep its message.
        return self._target(*args, **kwargs)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._target)) | {"idempotent", "unwrap"})

    def __repr__(self) -> str:
        flag = ", idempotent" if self._idempotent else ""
        return f"{type(self).__name__}({self._retrier.redact(repr(self._target))}{flag})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProxyBase):
            other = other.__dict__["_target"]
        return bool(self._target == other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._target)

    def __bool__(self) -> bool:
        # pymongo's Database and Collection raise here; a proxy is always an object.
        return True
