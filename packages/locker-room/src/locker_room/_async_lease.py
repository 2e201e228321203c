"""AsyncLease: a held lock, renewed in the background until released (asyncio).

The synchronous `Lease` (``_lease.py``) is generated from this file by
``tests/synchro.py``: edit this one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from pymongo.errors import PyMongoError

from locker_room._errors import LockError
from locker_room._lease_state import LeaseState

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from locker_room._errors import LockLost
    from locker_room._protocol import Document

__all__ = ["AsyncLease", "AsyncLeaseKeeper"]

_log_release = logging.getLogger("locker_room.release")


class AsyncLeaseKeeper(Protocol):
    """What a lease needs from the room that granted it: a clock and two round trips."""

    @property
    def clock(self) -> Callable[[], float]:
        """The room's local clock."""

    async def renew(
        self, name: str, owner: str, token: int, ttl: float, *, until: float
    ) -> Document | None:
        """Extend the hold to server now + ``ttl``; None when it is no longer the caller's."""

    async def release(self, name: str, owner: str, token: int | None) -> None:
        """Drop the hold; raises `LockLost` or `NotLockOwner` when it was not the caller's."""

    def forget(self, lease: AsyncLease) -> None:
        """Stop renewing ``lease`` and stop offering it to ``release(name)``."""


class AsyncLease(LeaseState):
    """A lock held through `AsyncLockerRoom`, renewed every ``ttl / 3`` until released.

    Attributes
    ----------
    name : str
        The lock.
    owner : str
        Who holds it.
    token : int
        Fencing token: strictly increasing per lock name with every new hold. Hand it to
        the resource you protect and have it reject tokens lower than the highest it saw.
    acquired_at, expires_at : datetime
        Start of the hold and end of the lease by the server's clock (naive UTC).
    ttl : float
        Lease length in seconds; each renewal extends the lease to at least server now + ttl.
    valid : bool
        True while held: not released, no failed renewal, not past its local bound.
    lost : LockLost or None
        Why the lease was lost (what release and the ``with`` exit will raise), or None.

    Examples
    --------
    >>> import asyncio, os
    >>> from locker_room import AsyncLockerRoom
    >>> async def main():
    ...     async with AsyncLockerRoom(os.environ["MONGODB_URI"], db="doc") as locker:
    ...         async with await locker.lock("reports", ttl=30) as lease:
    ...             return lease.valid
    >>> asyncio.run(main())
    True
    """

    def __init__(
        self,
        keeper: AsyncLeaseKeeper,
        doc: Document,
        *,
        ttl: float,
        bound: float,
        on_lost: Callable[[LockLost], object] | None,
    ) -> None:
        super().__init__(doc, ttl=ttl, bound=bound, clock=keeper.clock, on_lost=on_lost)
        self._keeper = keeper

    async def release(self) -> None:
        """Release this hold; raises `LockLost` if the lease ended first.

        Raises
        ------
        LockLost
            The lease expired and someone else took the lock, was broken by
            `force_release`, or renewal failed while held (released anyway if still ours).
        NotLockOwner
            The lease was already released, or this process was forked from the one it was
            granted to (nothing is sent: the parent's hold stands).
        ServerUnavailable
            MongoDB could not be reached to release it; the lease then ends at its expiry.
        """
        self.start_release()
        self._keeper.forget(self)
        await self._keeper.release(self.name, self.owner, self.token)
        if self._lost is not None:
            raise self._lost

    async def renew(self) -> bool:
        """Extend the lease to at least server now + ``ttl``; the background renewal calls this.

        Returns True if extended, False if the lease is released or lost (see ``lost``).

        Raises
        ------
        NotLockOwner
            This process was forked from the one the lease was granted to.
        """
        self.refuse_if_inherited("renew")
        if self._released or self._lost is not None:
            return False
        sent = self._clock()
        if sent >= self.bound:
            self.mark_lost("it expired before it could be renewed")
            return False
        try:
            doc = await self._keeper.renew(
                self.name, self.owner, self.token, self.ttl, until=self.bound
            )
        except (PyMongoError, LockError) as error:
            self.mark_lost(f"renewal failed: {error}")
            return False
        if doc is None:
            self.mark_lost("it expired or was taken over before renewal")
            return False
        self.renewed(doc, sent)
        return True

    async def __aenter__(self) -> AsyncLease:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.release()
            return
        try:
            await self.release()
        except (LockError, PyMongoError):
            _log_release.warning(
                "releasing %r after the body raised failed", self.name, exc_info=True
            )
