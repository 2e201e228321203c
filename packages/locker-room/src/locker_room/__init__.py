"""Distributed locks on MongoDB: server-clock leases, automatic renewal, fencing tokens.

>>> import os
>>> from locker_room import LockerRoom
>>> with LockerRoom(os.environ["MONGODB_URI"], db="doc") as locker:
...     with locker.lock_and_release("my_lock", owner="gustav", timeout=2) as lease:
...         print(lease.owner, lease.valid)
gustav True

The protocol
------------
Each lock is one document ``{_id: name, locked, owner, holds, token, timestamp, expires_at,
attempt, release, renewal, queue}``. Every state change is one conditional write decided by
the server; nothing is read and then written from Python, and no client clock decides expiry.

Acquire
    One ``find_one_and_update(upsert=True)``. Its filter matches the document when the lock
    is free, expired by the *server's* clock (``$expr: {$lte: ["$expires_at", "$$NOW"]}``)
    or already the caller's. Its pipeline update sets the owner and
    ``expires_at = $$NOW + ttl`` (never earlier than before for a hold that continues) and,
    unless the caller merely extends a hold it still has, adds one to ``token``. When the
    filter does not match, the upsert tries to insert a second document with the same
    ``_id`` and fails with DuplicateKeyError: someone else holds the lock.
Wait
    A blocked acquire opens a change stream on its lock document and tries again when an
    event may have freed it, or when the lease it read ends by the server's clock (an
    expiry produces no event). Where change streams are unavailable, or while the stream
    is re-established, it polls with capped exponential backoff and full jitter (first
    retry within 10 ms, at most 1 s apart), never sleeping past the lease's end.
Fair queue
    ``lock(..., fair=True)`` appends the waiter to ``queue`` in the document, as an entry
    with a lease of its own that the waiter renews, so a crashed waiter drops out when its
    entry expires. The release that frees the lock hands it, in the same write, to the
    first live entry: new token, its ttl.
Renew
    A thread (a task in the async API) extends the lease to at least ``$$NOW + ttl`` every
    ``ttl / 3``, only while owner and token still match and the lease has not expired.
    A renewal that cannot be done before the lease's local bound marks it lost.
Release
    One ``update_one`` guarded by owner and token that clears ``locked``. The document
    stays, so the token never goes backwards. A release that matched nothing is judged
    from the document: another owner means NotLockOwner, a newer token means LockLost.

Fencing tokens
--------------
A lease can end while its holder still works (a GC pause, a network partition longer than
the ttl): the lock then passes on and two processes believe they hold it. Leases alone
cannot prevent that. The token can: pass ``lease.token`` along with every write to the
protected resource, and have the resource refuse a token lower than the highest it has
seen. For a MongoDB resource, put ``{"fence": {"$not": {"$gt": token}}}`` in the update's
filter (it matches a document never fenced, or fenced by this or an older hold; ``$lt``
would refuse the holder's own second write) and ``{"$set": {"fence": token}}`` in the update.

Failures
--------
Lock writes use majority write concern and status reads majority read concern: a lock
written with ``w: 1`` can vanish in a rollback after a failover. Each write carries an
attempt id (``attempt``, ``release``, ``renewal``) that makes repeating it harmless. A
write whose reply was lost is retried by pymongo with the same transaction number; if that
fails too, or the reply carries a ``writeConcernError``, the library reads the document
back and settles the outcome from the attempt id it finds, never by assuming. A server that
cannot be reached raises `ServerUnavailable`, never `LockTimeout`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from locker_room._errors import LockError, LockLost, LockTimeout, NotLockOwner, ServerUnavailable
from locker_room._protocol import DEFAULT_TTL
from locker_room._version import __version__

if TYPE_CHECKING:
    from locker_room._async_lease import AsyncLease
    from locker_room._async_room import AsyncLockAndRelease, AsyncLockerRoom
    from locker_room._lease import Lease
    from locker_room._lock import Lock
    from locker_room._room import LockAndRelease, LockerRoom

__all__ = [
    "DEFAULT_TTL",
    "AsyncLease",
    "AsyncLockAndRelease",
    "AsyncLockerRoom",
    "Lease",
    "Lock",
    "LockAndRelease",
    "LockError",
    "LockLost",
    "LockTimeout",
    "LockerRoom",
    "NotLockOwner",
    "ServerUnavailable",
    "__version__",
]

# Imported on first use: `import locker_room` loads neither pymongo (whose own import loads
# asyncio and its async client) nor the asyncio half.
_LAZY = {
    "AsyncLease": "locker_room._async_lease",
    "AsyncLockAndRelease": "locker_room._async_room",
    "AsyncLockerRoom": "locker_room._async_room",
    "Lease": "locker_room._lease",
    "Lock": "locker_room._lock",
    "LockAndRelease": "locker_room._room",
    "LockerRoom": "locker_room._room",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'locker_room' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


logging.getLogger(__name__).addHandler(logging.NullHandler())
