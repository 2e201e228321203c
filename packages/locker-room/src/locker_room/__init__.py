"""Distributed locks on MongoDB: server-clock leases, automatic renewal, fencing tokens.

>>> from locker_room import LockerRoom
>>> locker = LockerRoom(host="mongodb://db1,db2,db3/?replicaSet=rs0")  # doctest: +SKIP
>>> with locker.lock_and_release("my_lock", owner="gustav", timeout=2) as lease:  # doctest: +SKIP
...     write_resource(fencing_token=lease.token)

The protocol
------------
Each lock is one document ``{_id: name, locked, owner, holds, token, timestamp,
expires_at, attempt}``. Every state change is one conditional write decided by the
server; nothing is read and then written from Python, and no client clock decides expiry.

Acquire
    One ``find_one_and_update(upsert=True)``. Its filter matches the document when the lock
    is free, expired by the *server's* clock (``$expr: {$lte: ["$expires_at", "$$NOW"]}``)
    or already the caller's. Its pipeline update sets the owner and
    ``expires_at = $$NOW + ttl`` (never earlier than before for a hold that continues) and,
    unless the caller merely extends a hold it still has, adds one to ``token``. When the
    filter does not match, the upsert tries to insert a second document with the same
    ``_id`` and fails with DuplicateKeyError: someone else holds the lock. Waiters retry
    with capped exponential backoff and full jitter (first retry within 10 ms, at most 1 s
    apart) until ``timeout``.
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
``attempt`` id that makes repeating it harmless. A write whose reply was lost is retried
by pymongo with the same transaction number; if that fails too, the library reads the
document back and settles the outcome from the ``attempt`` it finds, never by assuming.
"""

from __future__ import annotations

import importlib.metadata
import logging

from locker_room._async_room import AsyncLockAndRelease, AsyncLockerRoom
from locker_room._errors import LockError, LockLost, LockTimeout, NotLockOwner
from locker_room._lease import AsyncLease, Lease
from locker_room._lock import Lock
from locker_room._room import DEFAULT_TTL, LockAndRelease, LockerRoom

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
    "__version__",
]

__version__ = importlib.metadata.version("locker-room")

logging.getLogger(__name__).addHandler(logging.NullHandler())
