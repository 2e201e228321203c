"""A MongoDB replica-set simulator on loopback, for testing code that uses pymongo.

>>> import mongosim, pymongo
>>> with mongosim.ReplicaSet(members=3) as rs:
...     client = pymongo.MongoClient(rs.uri)
...     client.db.c.insert_one({"_id": 1}).inserted_id
...     client.close()
1
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mongosim._version import __version__
from mongosim.clock import Clock
from mongosim.errors import (
    FaultKindError,
    MemberIndexError,
    MongosimError,
    NoPrimaryError,
    NotRunningError,
)
from mongosim.faults import FAULT_KINDS

if TYPE_CHECKING:
    from mongosim.replica_set import MAX_WIRE_VERSION, ReplicaSet

__all__ = [
    "FAULT_KINDS",
    "MAX_WIRE_VERSION",
    "Clock",
    "FaultKindError",
    "MemberIndexError",
    "MongosimError",
    "NoPrimaryError",
    "NotRunningError",
    "ReplicaSet",
    "__version__",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())

# The simulator itself (mongomock, pymongo, asyncio through pymongo) is imported on first
# use: `import mongosim`, and the pytest plugin every pytest run loads, stay light.
_LAZY = {"ReplicaSet", "MAX_WIRE_VERSION"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from mongosim import replica_set

        return getattr(replica_set, name)
    raise AttributeError(f"module 'mongosim' has no attribute {name!r}")
