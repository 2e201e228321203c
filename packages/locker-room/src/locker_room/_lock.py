"""Lock: one named lock with the interface of ``threading.Lock``, across processes."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING

from pymongo.errors import PyMongoError

from locker_room import _protocol
from locker_room._errors import LockError, LockTimeout, NotLockOwner
from locker_room._fork import reset_in_child
from locker_room._protocol import DEFAULT_TTL

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from locker_room._errors import LockLost
    from locker_room._lease import Lease
    from locker_room._room import LockerRoom

__all__ = ["Lock"]

_log_release = logging.getLogger("locker_room.release")


class Lock:
    """A named lock of a `LockerRoom` used like ``threading.Lock``.

    ``acquire(blocking=True, timeout=-1)`` returns True or False, ``release()`` and
    ``locked()`` behave as in the standard library, and the lock works in ``with``. It
    excludes threads of this process as ``threading.Lock`` does (whichever thread
    acquired it may release it) and other processes through the lease in MongoDB. In a
    child made by ``os.fork()`` it starts unacquired: the child is another owner, and
    ``release()`` there refuses the parent's hold (`NotLockOwner`).

    Parameters
    ----------
    room : LockerRoom
        Where the lock lives.
    name : str
        The lock.
    ttl : float, default=60
        Lease length of each hold, renewed every ``ttl / 3``.
    fair : bool, default=False
        Queue behind earlier fair waiters (see `LockerRoom.lock`).
    on_lost : callable, optional
        Called with the `LockLost` error if a hold's renewal fails.

    Examples
    --------
    >>> import os
    >>> from locker_room import LockerRoom
    >>> locker = LockerRoom(os.environ["MONGODB_URI"], db="doc")
    >>> nightly = Lock(locker, "nightly-report", ttl=30)
    >>> if nightly.acquire(timeout=5):
    ...     try:
    ...         print("token", nightly.token > 0)
    ...     finally:
    ...         nightly.release()
    token True
    >>> locker.close()
    """

    def __init__(
        self,
        room: LockerRoom,
        name: str,
        *,
        ttl: float = DEFAULT_TTL,
        fair: bool = False,
        on_lost: Callable[[LockLost], object] | None = None,
    ) -> None:
        _protocol.check_lock_args(name, None, None, ttl)
        self.room = room
        self.name = name
        self.ttl = ttl
        self.fair = fair
        self._on_lost = on_lost
        self._here = threading.Lock()
        self._lease: Lease | None = None
        self._owner: tuple[int, str] | None = None
        # In a forked child: the parent's hold at fork, which release() refuses to release.
        self._parents: Lease | None = None
        reset_in_child(self)

    def _reset_after_fork(self) -> None:
        # The child is another owner: it starts unlocked here (a thread of the parent may
        # have held ``_here``, and would never release it in the child), and the parent's
        # hold is kept aside only to refuse releasing it.
        self._here = threading.Lock()
        if self._lease is not None:
            self._parents = self._lease
        self._lease = None

    @property
    def lease(self) -> Lease | None:
        """The current hold, None while not acquired through this object."""
        return self._lease

    @property
    def token(self) -> int:
        """Fencing token of the current hold.

        Raises
        ------
        NotLockOwner
            The lock is not acquired through this object.
        """
        lease = self._lease
        if lease is None:
            raise NotLockOwner(self.name, self._owner_id(), None, detail=" (not acquired)")
        return lease.token

    def _owner_id(self) -> str:
        # One owner per Lock object and process: a forked child is another owner.
        if self._owner is None or self._owner[0] != os.getpid():
            self._owner = (os.getpid(), _protocol.default_owner(f"lock-{id(self):x}"))
        return self._owner[1]

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Acquire, waiting as ``threading.Lock.acquire`` does; True if acquired.

        Raises
        ------
        ValueError
            ``timeout`` given with ``blocking=False``, or negative other than -1.
        """
        if not blocking and timeout != -1:
            raise ValueError("can't specify a timeout for a non-blocking call")
        if timeout < 0 and timeout != -1:
            raise ValueError(f"`timeout` must be -1 or a number of seconds >= 0, got {timeout!r}")
        started = time.monotonic()
        if not self._here.acquire(blocking, timeout):
            return False
        wait = None if blocking and timeout == -1 else 0.0 if not blocking else timeout
        if wait is not None:
            wait = max(0.0, wait - (time.monotonic() - started))
        try:
            self._lease = self.room.lock(
                self.name,
                owner=self._owner_id(),
                timeout=wait,
                ttl=self.ttl,
                fair=self.fair,
                on_lost=self._on_lost,
            )
        except LockTimeout:
            self._here.release()
            return False
        except BaseException:
            self._here.release()
            raise
        self._parents = None
        return True

    def release(self) -> None:
        """Release the hold (from any thread, as ``threading.Lock`` allows).

        Raises
        ------
        NotLockOwner
            Not acquired (``threading.Lock`` raises RuntimeError too); in a child made by
            ``os.fork()``, the parent's hold, which the child may not release.
        LockLost
            The lease ended before this release.
        """
        lease = self._lease
        if lease is None:
            if self._parents is not None:
                self._parents.refuse_if_inherited("release")
            raise NotLockOwner(self.name, self._owner_id(), None, detail=" (not acquired)")
        self._lease = None
        try:
            lease.release()
        finally:
            self._here.release()

    def locked(self) -> bool:
        """True if anyone holds the lock now, by the server's clock."""
        return bool(self.room.status(self.name)["locked"])

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.release()
            return
        try:
            self.release()
        except (LockError, PyMongoError):
            _log_release.warning(
                "release of %r after the body raised failed", self.name, exc_info=True
            )

    def __repr__(self) -> str:
        state = "unlocked" if self._lease is None else f"locked token={self._lease.token}"
        return f"<Lock {self.name!r} {state}>"
