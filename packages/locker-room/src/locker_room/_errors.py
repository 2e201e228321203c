"""Exceptions raised by locker-room.

::

    LockError (RuntimeError)
    ├── LockTimeout (also TimeoutError)  the lock stayed held until the deadline
    ├── NotLockOwner                     release by someone who does not hold the lock
    ├── LockLost                         the lease ended (expired and taken, or renewal failed)
    └── ServerUnavailable (also ConnectionError)  MongoDB could not be reached

Bad arguments raise `ValueError` or `TypeError` before any server round trip. A server that
cannot be reached raises `ServerUnavailable`, with the driver's error as its `cause`; other
errors of the driver (`pymongo.errors.PyMongoError`, e.g. an authorization failure) pass
through unchanged.
"""

from __future__ import annotations

from datetime import datetime

__all__ = ["LockError", "LockLost", "LockTimeout", "NotLockOwner", "ServerUnavailable"]


class LockError(RuntimeError):
    """Root of every locker-room exception.

    Examples
    --------
    >>> from locker_room import LockError, LockTimeout
    >>> issubclass(LockTimeout, LockError)
    True
    """


class LockTimeout(LockError, TimeoutError):
    """The lock was seen held by someone else, and still was when the wait deadline passed.

    Raised only when the lock was seen held; a server that could not be reached raises
    `ServerUnavailable` instead. Safe to retry: nothing was written for the caller, or (after
    a lost reply) a hold that the same owner's retry takes over with the same token.

    Attributes
    ----------
    name : str
        The lock.
    holder : str or None
        Owner holding the lock when the caller gave up; None if unknown.
    expires_at : datetime or None
        End of the holder's lease by the server's clock (naive UTC, as pymongo returns it).

    Examples
    --------
    >>> error = LockTimeout("x", "gustav", datetime(2026, 1, 2, 3, 4, 5), 2.0)
    >>> error.holder, str(error).endswith("until 2026-01-02 03:04:05.000000 UTC (server clock)")
    ('gustav', True)
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

    Also raised when a process made by ``os.fork()`` releases or renews a lease its
    parent took: a forked child is another owner (the message names the fork).

    Not safe to retry: the caller does not hold the lock, nothing was changed.

    Attributes
    ----------
    name : str
        The lock.
    owner : str
        Who tried to release it.
    holder : str or None
        Who holds it now, None when nobody does (or when not read: a lease used after fork).

    Examples
    --------
    >>> print(NotLockOwner("x", "bob", "gustav"))
    'bob' cannot release lock 'x': it is held by 'gustav'
    """

    def __init__(
        self,
        name: str,
        owner: str,
        holder: str | None,
        detail: str = "",
        *,
        action: str = "release",
    ) -> None:
        self.name = name
        self.owner = owner
        self.holder = holder
        held = f"held by {holder!r}" if holder is not None else "not held"
        super().__init__(f"{owner!r} cannot {action} lock {name!r}: it is {held}{detail}")


class LockLost(LockError):
    """The lease ended before its holder released it.

    Either it expired by the server's clock and another owner took the lock (the token moved
    on), or renewal failed, or an administrator broke it with `force_release`. Work done
    under the lease may have overlapped with the next holder's: fence writes with
    `lease.token`.

    Attributes
    ----------
    name : str
        The lock.
    token : int
        Fencing token of the lost lease.

    Examples
    --------
    >>> print(LockLost("x", 4, "renewal failed"))
    lease on lock 'x' with token 4 was lost: renewal failed
    """

    def __init__(self, name: str, token: int, reason: str) -> None:
        self.name = name
        self.token = token
        super().__init__(f"lease on lock {name!r} with token {token} was lost: {reason}")


class ServerUnavailable(LockError, ConnectionError):
    """MongoDB could not be reached (no server selectable, or the connection failed).

    Raised instead of `LockTimeout` when the server, not the lock, kept the caller waiting:
    by `lock` when the lock was never seen held, by `release`, `status`, `locks` and
    `force_release`. Safe to retry once the server is back. An acquire whose write may have
    reached the server before the connection failed is not renewed and frees itself after
    its ttl; a release that could not be settled leaves the lock to expire likewise.

    Attributes
    ----------
    name : str or None
        The lock, None for a call about every lock (`locks`).
    cause : BaseException
        The driver's error, e.g. `pymongo.errors.ServerSelectionTimeoutError`.

    Examples
    --------
    >>> error = ServerUnavailable("x", OSError("connection refused"), "lock")
    >>> print(error)
    cannot reach MongoDB to lock 'x': connection refused
    >>> isinstance(error, ConnectionError)
    True
    """

    def __init__(self, name: str | None, cause: BaseException, action: str) -> None:
        self.name = name
        self.cause = cause
        what = action if name is None else f"{action} {name!r}"
        super().__init__(f"cannot reach MongoDB to {what}: {cause}")
