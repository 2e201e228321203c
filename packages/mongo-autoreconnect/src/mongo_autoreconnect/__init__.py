"""A transparent pymongo proxy that rides out replica-set failover safely.

The asyncio half (`AsyncMongoProxy`, `AsyncResumableCursor` and the ``AsyncProxied*``
names) is imported on first use, so ``import mongo_autoreconnect`` loads only the
synchronous proxy.

Examples
--------
>>> import pymongo
>>> from mongo_autoreconnect import MongoProxy, RetryPolicy
>>> client = MongoProxy(pymongo.MongoClient(connect=False), policy=RetryPolicy(deadline=60.0))
>>> client.close()
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._cursor import ResumableCursor
from ._errors import AmbiguousWriteError, CursorResumeError, MongoAutoreconnectError
from ._policy import RetryPolicy, StopStrategy, WaitStrategy
from ._proxy import MongoProxy, ProxiedClient, ProxiedCollection, ProxiedDatabase
from ._retry import (
    RetryCondition,
    retry_base,
    retry_if_idempotent,
    retry_if_not_applied,
    retry_if_read,
    retry_if_safe,
)
from ._state import OperationKind, RetryState
from ._strategies import (
    stop_after_attempt,
    stop_after_delay,
    stop_all,
    stop_any,
    stop_base,
    stop_never,
    wait_base,
    wait_chain,
    wait_combine,
    wait_exponential,
    wait_fixed,
    wait_incrementing,
    wait_none,
    wait_random,
    wait_random_exponential,
)
from ._version import __version__

if TYPE_CHECKING:
    from ._async_cursor import AsyncResumableCursor
    from ._async_proxy import (
        AsyncMongoProxy,
        AsyncProxiedClient,
        AsyncProxiedCollection,
        AsyncProxiedDatabase,
    )

__all__ = [
    "AmbiguousWriteError",
    "AsyncMongoProxy",
    "AsyncProxiedClient",
    "AsyncProxiedCollection",
    "AsyncProxiedDatabase",
    "AsyncResumableCursor",
    "CursorResumeError",
    "MongoAutoreconnectError",
    "MongoProxy",
    "OperationKind",
    "ProxiedClient",
    "ProxiedCollection",
    "ProxiedDatabase",
    "ResumableCursor",
    "RetryCondition",
    "RetryPolicy",
    "RetryState",
    "StopStrategy",
    "WaitStrategy",
    "__version__",
    "retry_base",
    "retry_if_idempotent",
    "retry_if_not_applied",
    "retry_if_read",
    "retry_if_safe",
    "stop_after_attempt",
    "stop_after_delay",
    "stop_all",
    "stop_any",
    "stop_base",
    "stop_never",
    "wait_base",
    "wait_chain",
    "wait_combine",
    "wait_exponential",
    "wait_fixed",
    "wait_incrementing",
    "wait_none",
    "wait_random",
    "wait_random_exponential",
]

# The asyncio half, imported on first use: name -> module.
_LAZY = {
    "AsyncMongoProxy": "._async_proxy",
    "AsyncProxiedClient": "._async_proxy",
    "AsyncProxiedCollection": "._async_proxy",
    "AsyncProxiedDatabase": "._async_proxy",
    "AsyncResumableCursor": "._async_cursor",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


logging.getLogger(__name__).addHandler(logging.NullHandler())
