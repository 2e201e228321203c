"""AsyncLockerRoom: named locks in one MongoDB collection, one document per lock (asyncio).

The synchronous `LockerRoom` (``_room.py``) is generated from this file by
``tests/synchro.py``: edit this one.
"""

from __future__ import annotations

import functools
import logging
import os
import time
import weakref
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from pymongo import AsyncMongoClient
from pymongo.errors import ConnectionFailure, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from locker_room import _protocol
from locker_room._async_keeper import AsyncKeeper
from locker_room._async_lease import AsyncLease
from locker_room._errors import LockError, LockTimeout, ServerUnavailable
from locker_room._protocol import DEFAULT_TTL
from locker_room._round_trip import ambiguous, no_change_streams, no_server
from locker_room._tasks import Background, Renewals, caller, default_sleep
from locker_room._wait import Turn, Wait

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import TracebackType

    from bson import Timestamp

    from locker_room._async_keeper import AsyncChangeWatch
    from locker_room._errors import LockLost
    from locker_room._protocol import Document

__all__ = ["AsyncLockAndRelease", "AsyncLockerRoom"]

P = ParamSpec("P")
R = TypeVar("R")

_log_acquire = logging.getLogger("locker_room.acquire")

# Reading who holds the lock after the deadline, to name the holder in LockTimeout, may take
# this much longer at most.
_GRACE = 1.0


class AsyncLockerRoom:
    """Named, leased, fenced locks in a MongoDB collection, for asyncio.

    Parameters
    ----------
    host : str, optional
        Host name or ``mongodb://`` URI of the server or replica set, default ``"localhost"``.
        The room then owns its client and ``close()`` closes it.
    client : pymongo.AsyncMongoClient, optional
        Use this client instead of ``host`` (not both).
    db, collection : str, default="locks"
        Where the lock documents live.
    watch : bool, default=True
        Wake blocked acquires through a change stream on the lock document when the server
        offers change streams (a replica set); otherwise, or with False, they poll.
    clock : callable, default=time.monotonic
        Seconds, used only for waiting deadlines and the local bound on a lease; expiry is
        always decided by the server's clock.
    sleep : callable, default=asyncio.sleep
        How the room sleeps between polls.

    Examples
    --------
    >>> import asyncio, os
    >>> async def main():
    ...     async with AsyncLockerRoom(os.environ["MONGODB_URI"], db="doc") as locker:
    ...         async with locker.lock_and_release("nightly-report", timeout=2) as lease:
    ...             return lease.token > 0
    >>> asyncio.run(main())
    True
    """

    def __init__(
        self,
        host: str | None = None,
        *,
        client: AsyncMongoClient[Document] | None = None,
        db: str = "locks",
        collection: str = "locks",
        watch: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = default_sleep,
    ) -> None:
        if client is not None and host is not None:
            raise ValueError("pass either `host` or `client` to AsyncLockerRoom, not both")
        for key, value in (("db", db), ("collection", collection)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"`{key}` must be a non-empty string, got {value!r}")
        self._owns_client = client is None
        self._client: AsyncMongoClient[Document] = (
            AsyncMongoClient(host or "localhost") if client is None else client
        )
        lock_documents = self._client[db].get_collection(
            collection,
            write_concern=WriteConcern("majority"),
            read_concern=ReadConcern("majority"),
        )
        self._clock = clock
        self._sleep = sleep
        self._watch = watch
        self._keeper = AsyncKeeper(
            lock_documents, clock=clock, renewals=Renewals(clock), background=Background()
        )
        self._owners: weakref.WeakKeyDictionary[object, tuple[int, str]] = (
            weakref.WeakKeyDictionary()
        )

    async def lock(
        self,
        name: str,
        owner: str | None = None,
        timeout: float | None = None,
        ttl: float = DEFAULT_TTL,
        *,
        reentrant: bool = False,
        fair: bool = False,
        on_lost: Callable[[LockLost], object] | None = None,
    ) -> AsyncLease:
        """Acquire ``name``, waiting up to ``timeout`` seconds; return the renewed lease.

        Parameters
        ----------
        name : str
            The lock.
        owner : str, optional
            Who holds it; default ``hostname:pid:thread:nonce`` (unique per thread, or
            task, and room). Locking again as the same owner while held extends the
            lease and keeps its token.
        timeout : float or None, default=None
            Seconds to wait; 0 tries once, None waits as long as the lock is held.
        ttl : float, default=60
            Lease length; renewed every ``ttl / 3``.
        reentrant : bool, default=False
            Count holds: the lock is free after as many releases as locks by this owner.
        fair : bool, default=False
            Queue behind earlier fair waiters: a release hands the lock to the first of them.
        on_lost : callable, optional
            Called with the `LockLost` error if renewal fails (from the renewal thread, or
            task).

        Raises
        ------
        LockTimeout
            Seen held by another owner, and still held at the deadline; names the holder.
        ServerUnavailable
            MongoDB could not be reached (for ``serverSelectionTimeoutMS``, or until the
            deadline) and the lock was not seen held.
        ValueError, TypeError
            A bad argument, before any round trip.
        """
        _protocol.check_lock_args(name, owner, timeout, ttl)
        if not isinstance(fair, bool):
            raise TypeError(f"`fair` must be a bool, got {type(fair).__name__}")
        owner = owner or self._default_owner()
        acquire = _AsyncAcquire(self, self._keeper, name, owner, timeout, ttl, fair=fair)
        return await acquire.run(reentrant=reentrant, on_lost=on_lost)

    def _default_owner(self) -> str:
        key, label = caller()
        cached = self._owners.get(key)
        if cached is None or cached[0] != os.getpid():  # a forked child is another owner
            cached = self._owners[key] = (os.getpid(), _protocol.default_owner(label))
        return cached[1]

    def lock_and_release(
        self,
        name: str,
        owner: str | None = None,
        timeout: float | None = None,
        ttl: float = DEFAULT_TTL,
        *,
        reentrant: bool = False,
        fair: bool = False,
        on_lost: Callable[[LockLost], object] | None = None,
    ) -> AsyncLockAndRelease:
        """Hold ``name`` around a ``with`` block, or around every call of a function.

        Arguments as for `lock`. The lock is released when the body raises, and the
        body's exception propagates; a lease lost while the body ran raises `LockLost` at exit.

        Examples
        --------
        >>> import asyncio, os
        >>> async def main():
        ...     async with AsyncLockerRoom(os.environ["MONGODB_URI"], db="doc") as locker:
        ...         @locker.lock_and_release("my_lock", owner="gustav", timeout=2)
        ...         async def important_function():
        ...             return (await locker.status("my_lock"))["owner"]
        ...         return await important_function()
        >>> asyncio.run(main())
        'gustav'
        """
        _protocol.check_lock_args(name, owner, timeout, ttl)
        return AsyncLockAndRelease(
            self, name, owner, timeout, ttl, reentrant=reentrant, fair=fair, on_lost=on_lost
        )

    async def release(self, name: str, owner: str | None = None) -> None:
        """Release a hold of ``owner`` (default: the caller's owner) on ``name``.

        Releases the latest lease this room granted to that owner, or, when the lock was
        taken through another room or process, the owner's hold whatever its token.

        Raises
        ------
        NotLockOwner
            ``owner`` does not hold the lock.
        LockLost
            The lease expired and another owner took the lock.
        ServerUnavailable
            MongoDB could not be reached.
        """
        owner = owner or self._default_owner()
        lease = self._keeper.latest(name, owner)
        if lease is not None:
            await lease.release()
        else:
            await self._keeper.release(name, owner, None)

    async def status(self, name: str) -> Document:
        """``{'_id', 'locked', 'owner', 'timestamp', 'expires_at', 'token'}`` of ``name``.

        ``locked`` is false once released or expired by the server's clock; ``owner``,
        ``timestamp`` and ``token`` then still describe the last hold. Times are naive UTC
        from the server's clock; a lock never taken reports token 0.
        """
        return await self._keeper.status(name)

    async def locks(self) -> list[Document]:
        """Status of every lock in the collection, sorted by name."""
        return await self._keeper.locks()

    async def force_release(self, name: str) -> None:
        """Break ``name`` whoever holds it (admin); bumps the token so the holder sees LockLost."""
        await self._keeper.force_release(name)

    async def close(self) -> None:
        """Close the client if this room created it (after its waiters' change streams)."""
        await self._keeper.close()
        if self._owns_client:
            await self._client.close()

    async def __aenter__(self) -> AsyncLockerRoom:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class _AsyncAcquire:
    """One call of `AsyncLockerRoom.lock`: the attempts, and the waiting between them."""

    def __init__(
        self,
        room: AsyncLockerRoom,
        keeper: AsyncKeeper,
        name: str,
        owner: str,
        timeout: float | None,
        ttl: float,
        *,
        fair: bool,
    ) -> None:
        self._room = room
        self._keeper = keeper
        self._clock = room._clock
        self._sleep = room._sleep
        self.name = name
        self.owner = owner
        self.ttl = ttl
        self.fair = fair
        self.attempt = _protocol.new_attempt()
        self.wait = Wait(timeout, self._clock)
        self._queued = False
        # True from the first join of the fair queue until the waiter is known to have left it.
        self._joined = False
        # When the entry was last sent and found in the queue (a release handed the lock to
        # this wait later than that, so the lease handed over runs at least ttl from then).
        self._queued_since: float | None = None
        self._watch: AsyncChangeWatch | None = None
        # Operation time of the last refusal: the change stream starts there.
        self._refused_at: Timestamp | None = None
        # False for the attempt after an event showing the document exists: refused, it then
        # costs the server no failed insert.
        self._upsert = True

    async def run(
        self, *, reentrant: bool, on_lost: Callable[[LockLost], object] | None
    ) -> AsyncLease:
        query, update = _protocol.acquire_command(
            self.name,
            self.owner,
            self.ttl,
            reentrant=reentrant,
            attempt=self.attempt,
            fair=self.fair,
        )
        try:
            while True:
                sent = self._clock()
                doc = await self._attempt(query, update, sent)
                if doc is not None:
                    if self._clock() < self.wait.sent_at(sent) + self.ttl:
                        return self._grant(doc, self.wait.sent_at(sent) + self.ttl, on_lost)
                    # The reply came too late to be sure the lease still stands (a slow
                    # server, a failover retried by pymongo): send the same attempt again.
                    _log_acquire.info("acquire of %r answered after its ttl; again", self.name)
                    continue
                if self.wait.timed_out():
                    return await self._time_out(on_lost)
                handed = await self._wait_for_turn()
                if handed is not None:
                    return self._grant(*handed, on_lost)
        except BaseException:
            # An error, a cancellation, an interrupt: an entry left in the queue would get the
            # lock handed to a waiter that is gone, and everyone would wait out its ttl.
            if self._joined:
                await self._abandon()
            raise
        finally:
            if self._watch is not None:
                # In the background: the caller has its answer and need not wait for it.
                self._keeper.close_soon(self._watch)
                self._watch = None

    def _grant(
        self, doc: Document, bound: float, on_lost: Callable[[LockLost], object] | None
    ) -> AsyncLease:
        lease = AsyncLease(self._keeper, doc, ttl=self.ttl, bound=bound, on_lost=on_lost)
        self._keeper.keep(lease)
        _log_acquire.debug("%r acquired %r with token %d", self.owner, self.name, lease.token)
        return lease

    async def _attempt(
        self, query: Document, update: list[Document], sent: float
    ) -> Document | None:
        """Send the acquire once; the document if ours, None if held or unsettled."""
        wait = self.wait
        upsert, self._upsert = self._upsert, True
        try:
            doc, refused_at = await self._keeper.try_acquire(
                query, update, upsert=upsert, until=wait.deadline
            )
        except PyMongoError as error:
            if not ambiguous(error):
                raise
            _log_acquire.info("acquire of %r unsettled (%s); reading it back", self.name, error)
            wait.unsettled(error, sent)
            if no_server(error) and not wait.timed_out():
                raise ServerUnavailable(self.name, error, "lock") from error
            if wait.timed_out():  # no time left to read it back: a write that landed expires
                return None
            try:
                doc = await self._keeper.read(self.name, until=wait.deadline)
            except PyMongoError as read_error:
                self._setback(read_error)
                return None
            if doc is None:
                return None
            mine = doc.get("attempt") == self.attempt and doc.get("owner") == self.owner
            if mine and doc.get("locked"):
                return doc
            if doc.get("locked") and doc.get("owner") != self.owner:
                wait.held()
            return None
        if doc is None:
            wait.held()
            if refused_at is not None:
                self._refused_at = refused_at
        return doc

    def _setback(self, error: PyMongoError) -> None:
        """A round trip of the wait failed: raise what waiting cannot fix, else note it.

        A lost reply, a timeout or a ``writeConcernError`` (on joining the fair queue: applied,
        not confirmed) is retried; the waiter's next read shows where it stands.
        """
        if not ambiguous(error):
            raise error
        self.wait.failed(error)
        if no_server(error) and not self.wait.timed_out():
            raise ServerUnavailable(self.name, error, "lock") from error

    async def _wait_for_turn(self) -> tuple[Document, float] | None:
        """Wait until the acquire is worth sending again (None), or a release handed it over.

        Returns the lock document and the lease's local bound when it was handed over.
        """
        wait, keeper = self.wait, self._keeper
        if not wait.seen_held:  # unanswered, not held: try again after a short backoff
            await self._sleep(wait.poll_delay())
            return None
        while not wait.timed_out():
            try:
                if self.fair and (not self._queued or wait.refresh_due()):
                    await self._join()
                if self._watch is None:
                    start, self._refused_at = self._refused_at, None
                    if await self._open_watch(start) and start is None and not self.fair:
                        return None  # opened later than the refusal: it may be free by now
                if self._watch is None and not self.fair and wait.knows_when():
                    await self._sleep(wait.poll_delay())  # polling: no need to read again
                    return None
                sent = self._clock()
                info = await keeper.wait_info(self.name, until=wait.deadline)
            except PyMongoError as error:
                self._setback(error)
                await self._sleep(wait.poll_delay())
                return None
            turn = wait.read(
                info, sent=sent, owner=self.owner, attempt=self.attempt, fair=self.fair
            )
            if turn is Turn.MINE and info is not None:
                return info, sent + info["remaining_ms"] / 1000
            if turn is Turn.TRY:
                self._upsert = info is None
                return None
            if turn is Turn.JOIN:
                self._queued = False
                continue
            event = await self._wait_for_event()
            if not self.fair:  # an event or the time to look again: try at once
                exists = event is not None and event.get("operationType") in ("update", "replace")
                self._upsert = not exists
                return None
            handed = self._handed_by(event)
            if handed is not None:
                return handed
        return None

    async def _join(self) -> None:
        """Join the fair queue, or renew this waiter's entry in it."""
        self._joined = True
        sent = self._clock()
        doc = await self._keeper.enqueue(
            self.name, self.owner, self.ttl, self.attempt, until=self.wait.deadline
        )
        self._queued = True
        self.wait.queued(self.ttl)
        if _protocol.queued(doc, self.owner):
            self._queued_since = sent

    def _handed_by(self, event: Document | None) -> tuple[Document, float] | None:
        """The hold and its local bound if ``event`` is a release handing the lock to this wait.

        None to read the document instead: no such event, or not enough known to bound the
        lease. The release came after this waiter's entry was last seen in the queue, and
        gave it a lease of its ttl: the lease runs at least ttl from `_queued_since`.
        """
        if event is None or self._queued_since is None:
            return None
        fields = (event.get("updateDescription") or {}).get("updatedFields") or {}
        if fields.get("attempt") != self.attempt or fields.get("owner", self.owner) != self.owner:
            return None
        doc = {**fields, "_id": self.name, "owner": self.owner, "locked": True}
        if not all(key in doc for key in ("token", "timestamp", "expires_at")):
            return None
        bound = self._queued_since + self.ttl
        if bound - self._clock() <= self.ttl / 3:  # renewal would come too late: read it
            return None
        return doc, bound

    async def _wait_for_event(self) -> Document | None:
        """Sleep until an event on the lock (returned) or the next time to look (None)."""
        if self._watch is None:
            await self._sleep(self.wait.poll_delay())
            return None
        try:
            return await self._watch.wait(self.wait.until(), self.wait.hard_until())
        except PyMongoError as error:
            # pymongo already tried to resume the stream: poll until it is opened again.
            _log_acquire.info("change stream on %r failed (%s); polling", self.name, error)
            await self._close_watch()
            return None

    async def _open_watch(self, start: Timestamp | None) -> bool:
        """Open the change stream on the lock document if the room watches; True if opened.

        It starts at the operation time ``start`` of the refusal when known, so that no
        release after the refusal goes unseen; else from now.
        """
        if not self._room._watch:
            return False
        try:
            self._watch = await self._keeper.watch(
                self.name,
                self._sleep,
                attempt=self.attempt if self.fair else None,
                start=start,
                until=self.wait.deadline,
            )
        except PyMongoError as error:
            if no_change_streams(error):
                # A standalone server (or a simulator) without change streams: poll from now.
                _log_acquire.info("no change streams (%s): waiters poll", error)
                self._room._watch = False
            elif isinstance(error, ConnectionFailure) or error.timeout:
                self._setback(error)
            else:  # e.g. not authorized to watch: poll, and try again at the next wait
                _log_acquire.info("cannot watch %r (%s): polling", self.name, error)
            return False
        return True

    async def _close_watch(self) -> None:
        watch, self._watch = self._watch, None
        self._refused_at = None  # a stream opened again starts from the next refusal
        if watch is not None:
            await watch.close()

    def _handed_over(self, doc: Document | None) -> bool:
        """True if ``doc`` shows the lock held for this very call (a release handed it over)."""
        return bool(
            doc
            and doc.get("locked")
            and doc.get("owner") == self.owner
            and doc.get("attempt") == self.attempt
        )

    async def _leave_queue(self, until: float) -> Document | None:
        """Leave the fair queue; the lock document after leaving it."""
        doc = await self._keeper.dequeue(self.name, self.owner, until=until)
        self._joined = False
        return doc

    async def _abandon(self) -> None:
        """Leave the fair queue on the way out of an error; pass on a lock handed over meanwhile.

        Best effort within `_GRACE`: an entry that cannot be removed expires after the ttl.
        """
        grace = self._clock() + _GRACE
        try:
            doc = await self._leave_queue(grace)
            kept = self._keeper.latest(self.name, self.owner)
            continued = kept is not None and doc is not None and kept.token == doc["token"]
            if doc is not None and self._handed_over(doc) and not continued:
                await self._keeper.release(self.name, self.owner, doc["token"], until=grace)
        except (PyMongoError, LockError) as error:
            _log_acquire.info("could not leave the queue of %r (%s)", self.name, error)

    async def _time_out(self, on_lost: Callable[[LockLost], object] | None) -> AsyncLease:
        """The deadline passed: leave the fair queue, then raise why the wait failed."""
        wait = self.wait
        grace = self._clock() + _GRACE
        if self._joined:
            try:
                doc = await self._leave_queue(grace)
                if self._handed_over(doc):
                    # Handed over just as the wait ended: read how long the lease has left.
                    sent = self._clock()
                    info = await self._keeper.wait_info(self.name, until=grace)
                    turn = wait.read(
                        info, sent=sent, owner=self.owner, attempt=self.attempt, fair=True
                    )
                    if turn is Turn.MINE and info is not None:
                        return self._grant(info, sent + info["remaining_ms"] / 1000, on_lost)
            except PyMongoError as dequeue_error:
                wait.failed(dequeue_error)
                self._joined = False  # tried: an entry left behind expires after the ttl
        failure = wait.give_up(self.name)
        if isinstance(failure, LockTimeout) and failure.holder is None:
            try:
                status = await self._keeper.status(self.name, until=grace)
            except (PyMongoError, ServerUnavailable):
                pass
            else:
                if status["locked"]:
                    failure = LockTimeout(
                        self.name, status["owner"], status["expires_at"], wait.timeout or 0.0
                    )
        raise failure from wait.last_error


class AsyncLockAndRelease:
    """What `AsyncLockerRoom.lock_and_release` returns: a context manager and a decorator."""

    def __init__(
        self,
        room: AsyncLockerRoom,
        name: str,
        owner: str | None,
        timeout: float | None,
        ttl: float,
        *,
        reentrant: bool,
        fair: bool,
        on_lost: Callable[[LockLost], object] | None,
    ) -> None:
        self._room = room
        self._args: dict[str, Any] = {
            "name": name,
            "owner": owner,
            "timeout": timeout,
            "ttl": ttl,
            "reentrant": reentrant,
            "fair": fair,
            "on_lost": on_lost,
        }
        # The leases entered and not yet exited, per thread (or task).
        self._held: dict[object, list[AsyncLease]] = {}

    async def __aenter__(self) -> AsyncLease:
        lease = await self._room.lock(**self._args)
        self._held.setdefault(caller()[0], []).append(lease)
        return lease

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        key = caller()[0]
        stack = self._held[key]
        lease = stack.pop()
        if not stack:
            del self._held[key]
        await lease.__aexit__(exc_type, exc, tb)

    def __call__(self, func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(func)
        async def locked(*args: P.args, **kwargs: P.kwargs) -> R:
            async with await self._room.lock(**self._args):
                return await func(*args, **kwargs)

        return locked
