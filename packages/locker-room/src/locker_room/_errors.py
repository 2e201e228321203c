"""Exceptions raised by locker-room.

::

    LockError (RuntimeError)
    ├── LockTimeout (also TimeoutError)  the lock stayed held until the deadline
    ├── NotLockOwner                     release by someone who does not hold the lock
    └── LockLost                         the lease ended (expired and taken, or renewal failed)

Bad arguments raise ``ValueError`` or ``TypeError`` before any server round trip. Errors of
the driver (``pymongo.errors.PyMongoError``) pass through unchanged where the library cannot
settle them itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["LockError", "LockLost", "LockTimeout", "NotLockOwner"]


class LockError(RuntimeError):
    """Root of every locker-room exception."""


class LockTimeout(LockError, TimeoutError):
    """The lock was still held by someone else when the wait deadline passed.

    Safe to retry: nothing was written for the caller, or (after a lost reply) a hold that
    the same owner's retry takes over with the same token.

    Attributes
    ----------
    name : str
        The lock.
    holder : str or None
        Owner holding the lock when the caller gave up; None if unknown.
    expires_at : datetime or None
        End of the holder's lease by the server's clock (naive UTC, as pymongo returns it).
    """

    def __init__(
        self, name: str, holder: str | None, expires_at: datetime | None, timeout: float
    ) -> None:
        self.name = name
        self.holder = holder
        self.expires_at = expires_at
        if holder is None:
            who = "by an unknown owner (unreadable, or it was freed as the wait ended)"
        else:
            who = f"by {holder!r} until {expires_at:%Y-%m-%d %H:%M:%S.%f} UTC (server clock)"
        super().__init__(f"lock {name!r} still held after waiting {timeout:g} s: held {who}")


class NotLockOwner(LockError):
    """Release by an owner that does not hold the lock (or a lease released twice).

    Not safe to retry: the caller does not hold the lock, nothing was changed.

    Attributes
    ----------
    name : str
        The lock.
    owner : str
        Who tried to release it.
    holder : str or None
        Who holds it now, None when nobody does.
    """

    def __init__(self, name: str, owner: str, holder: str | None, detail: str = "") -> None:
        self.name = name
        self.owner = owner
        self.holder = holder
        held = f"held by {holder!r}" if holder is not None else "not held"
        super().__init__(f"{owner!r} cannot release lock {name!r}: it is {held}{detail}")


class LockLost(LockError):
    """The lease ended before its holder released it.

    Either it expired by the server's clock and another owner took the lock (the token moved
    on), or renewal failed, or an administrator broke it with ``force_release``. Work done
    under the lease may have overlapped with the next holder's: fence writes with
    ``lease.token``.

    Attributes
    ----------
    name : str
        The lock.
    token : int
        Fencing token of the lost lease.
    """

    def __init__(self, name: str, token: int, reason: str) -> None:
        self.name = name
        self.token = token
        super().__init__(f"lease on lock {name!r} with token {token} was lost: {reason}")
