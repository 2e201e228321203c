"""A held lock: fencing token, server-clock expiry, renewal in the background, release."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import threading
import weakref
from typing import TYPE_CHECKING

from pymongo.errors import PyMongoError

from locker_room._errors import LockError, LockLost, NotLockOwner

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from types import TracebackType

    from locker_room._async_room import AsyncLockerRoom
    from locker_room._protocol import Document
    from locker_room._room import LockerRoom

__all__ = ["AsyncLease", "Lease", "Renewer"]

_log_renew = logging.getLogger("locker_room.renew")
_log_release = logging.getLogger("locker_room.release")


class _LeaseState:
    """What sync and async leases share: identity, expiry, the lost/released state."""

    def __init__(
        self,
        doc: Document,
        *,
        ttl: float,
        sent_at: float,
        clock: Callable[[], float],
        on_lost: Callable[[LockLost], object] | None,
    ) -> None:
        self.name: str = doc["_id"]
        self.owner: str = doc["owner"]
        self.token: int = doc["token"]
        self.acquired_at: datetime = doc["timestamp"]
        self.expires_at: datetime = doc["expires_at"]
        self.ttl = ttl
        self._clock = clock
        # The server set expires_at >= its now + ttl after this request left: a bound that
        # never outlives the server's lease, whatever the two clocks read.
        self._deadline = sent_at + ttl
        self._on_lost = on_lost
        self._lost: LockLost | None = None
        self._released = False
        self._state = threading.Lock()

    @property
    def valid(self) -> bool:
        """True while held: not released, renewal never failed, not past its ttl unrenewed."""
        return not self._released and self._lost is None and self._clock() < self._deadline

    @property
    def lost(self) -> LockLost | None:
        """Why the lease was lost (the LockLost that release will raise), or None."""
        return self._lost

    def _renewed(self, doc: Document, sent_at: float) -> None:
        self.expires_at = doc["expires_at"]
        self._deadline = sent_at + self.ttl

    def _mark_lost(self, reason: str) -> None:
        with self._state:
            if self._lost is not None or self._released:
                return
            self._lost = LockLost(self.name, self.token, reason)
        _log_renew.warning("%s", self._lost)
        if self._on_lost is not None:
            try:
                self._on_lost(self._lost)
            except Exception:
                _log_renew.exception("on_lost callback for lock %r raised", self.name)

    def _start_release(self) -> None:
        with self._state:
            if self._released:
                raise NotLockOwner(self.name, self.owner, None, detail=" (lease already released)")
            self._released = True

    def __repr__(self) -> str:
        state = "valid" if self.valid else "released" if self._released else "lost"
        return (
            f"<{type(self).__name__} {self.name!r} owner={self.owner!r} token={self.token}"
            f" expires_at={self.expires_at:%Y-%m-%dT%H:%M:%S.%f}Z {state}>"
        )


class Lease(_LeaseState):
    """A lock held through :class:`LockerRoom`, renewed every ``ttl / 3`` until released.

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
    >>> with locker.lock("reports", ttl=30) as lease:  # doctest: +SKIP
    ...     storage.write(report, fencing_token=lease.token)
    """

    def __init__(
        self,
        room: LockerRoom,
        doc: Document,
        *,
        ttl: float,
        sent_at: float,
        on_lost: Callable[[LockLost], object] | None,
    ) -> None:
        super().__init__(doc, ttl=ttl, sent_at=sent_at, clock=room._clock, on_lost=on_lost)
        self._room = room
        room._renewer.add(self)

    def release(self) -> None:
        """Release this hold; raises LockLost if the lease ended first.

        Raises
        ------
        LockLost
            The lease expired and someone else took the lock, was broken by
            ``force_release``, or renewal failed while held (released anyway if still ours).
        NotLockOwner
            The lease was already released.
        """
        self._start_release()
        self._room._forget(self)
        self._room._release(self.name, self.owner, self.token)
        if self._lost is not None:
            raise self._lost

    def _renew(self) -> bool:
        if self._released:
            return False
        sent = self._clock()
        if sent >= self._deadline:
            self._mark_lost("it expired before it could be renewed")
            return False
        try:
            doc = self._room._renew(self)
        except PyMongoError as error:
            self._mark_lost(f"renewal failed: {error}")
            return False
        if doc is None:
            self._mark_lost("it expired or was taken over before renewal")
            return False
        self._renewed(doc, sent)
        return True

    def __enter__(self) -> Lease:
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
                "releasing %r after the body raised failed", self.name, exc_info=True
            )


class Renewer:
    """One daemon thread per room that renews each of its leases every ``ttl / 3``.

    It holds only weak references: a lease nobody references any more stops being
    renewed and expires. (The room itself keeps every lease of ``lock()`` until it is
    released, so that ``locker.release(name)`` finds it: dropping one does not end it.)
    The thread ends when no lease is left and starts again with the next one. Renewals
    run one after another; each may take until its lease's local bound.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._due: list[tuple[float, int, weakref.ref[Lease]]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, lease: Lease) -> None:
        """Renew ``lease`` a third of its ttl from now (and then again, while it lasts)."""
        entry = (self._clock() + lease.ttl / 3, next(self._order), weakref.ref(lease))
        with self._wake:
            heapq.heappush(self._due, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="locker-room-renewer", daemon=True
                )
                self._thread.start()
            elif self._due[0] is entry:  # due before what the thread sleeps for
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._due:
                    self._thread = None
                    return
                due, _, ref = self._due[0]
                delay = due - self._clock()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._due)
            lease = ref()
            if lease is not None and self._renew(lease):
                self.add(lease)
            del lease

    @staticmethod
    def _renew(lease: Lease) -> bool:
        try:
            return lease._renew()
        except Exception as error:  # a bug in one renewal must not stop the others
            _log_renew.exception("renewal of %r raised", lease.name)
            lease._mark_lost(f"renewal raised {error!r}")
            return False


class AsyncLease(_LeaseState):
    """A lock held through :class:`AsyncLockerRoom`; renewed by an asyncio task.

    Same attributes as :class:`Lease`; ``release`` is a coroutine and the lease is an
    asynchronous context manager.

    Examples
    --------
    >>> async with await locker.lock("reports", ttl=30) as lease:  # doctest: +SKIP
    ...     await storage.write(report, fencing_token=lease.token)
    """

    def __init__(
        self,
        room: AsyncLockerRoom,
        doc: Document,
        *,
        ttl: float,
        sent_at: float,
        on_lost: Callable[[LockLost], object] | None,
    ) -> None:
        super().__init__(doc, ttl=ttl, sent_at=sent_at, clock=room._clock, on_lost=on_lost)
        self._room = room
        self._stop = asyncio.Event()
        self._renewer = asyncio.get_running_loop().create_task(
            _renew_forever_async(weakref.ref(self), self._stop, ttl / 3),
            name=f"locker-room-renew:{self.name}",
        )

    async def release(self) -> None:
        """Release this hold; raises LockLost if the lease ended first (see Lease.release)."""
        self._start_release()
        self._stop.set()
        self._room._forget(self)
        await self._room._release(self.name, self.owner, self.token)
        if self._lost is not None:
            raise self._lost

    async def _renew(self) -> bool:
        sent = self._clock()
        if sent >= self._deadline:
            self._mark_lost("it expired before it could be renewed")
            return False
        try:
            doc = await self._room._renew(self)
        except PyMongoError as error:
            self._mark_lost(f"renewal failed: {error}")
            return False
        if doc is None:
            self._mark_lost("it expired or was taken over before renewal")
            return False
        self._renewed(doc, sent)
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


async def _renew_forever_async(
    ref: weakref.ref[AsyncLease], stop: asyncio.Event, interval: float
) -> None:
    while True:
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except asyncio.TimeoutError:
            pass
        else:
            return
        lease = ref()
        if lease is None:
            return
        try:
            renewed = await lease._renew()
        except Exception as error:  # as in Renewer: a bug must not leave the lease "valid"
            _log_renew.exception("renewal of %r raised", lease.name)
            lease._mark_lost(f"renewal raised {error!r}")
            return
        if not renewed:
            return
        del lease
