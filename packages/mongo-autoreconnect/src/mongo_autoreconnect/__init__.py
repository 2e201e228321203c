"""A transparent pymongo proxy that rides out replica-set failover safely.

>>> import pymongo
>>> from mongo_autoreconnect import MongoProxy, RetryPolicy
>>> client = MongoProxy(pymongo.MongoClient(connect=False), policy=RetryPolicy(deadline=60.0))
"""

from __future__ import annotations

import importlib.metadata
import logging

from ._async_proxy import (
    AsyncMongoProxy,
    AsyncProxiedClient,
    AsyncProxiedCollection,
    AsyncProxiedDatabase,
)
from ._cursor import AsyncResumableCursor, ResumableCursor
from ._errors import AmbiguousWriteError, CursorResumeError, MongoAutoreconnectError
from ._policy import RetryPolicy
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
from ._stop import StopStrategy, stop_after_attempt, stop_after_delay, stop_base
from ._wait import WaitStrategy, wait_base, wait_exponential, wait_fixed, wait_full_jitter

__version__ = importlib.metadata.version("mongo-autoreconnect")

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
    "stop_base",
    "wait_base",
    "wait_exponential",
    "wait_fixed",
    "wait_full_jitter",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
