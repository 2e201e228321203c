"""LockerRoom: named locks stored in one MongoDB collection, one document per lock."""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from pymongo import MongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from locker_room import _protocol
from locker_room._backoff import backoff
from locker_room._errors import LockTimeout
from locker_room._lease import Lease, Renewer
from locker_room._round_trip import ambiguous, within

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from pymongo.collection import Collection

    from locker_room._errors import LockLost
    from locker_room._protocol import Document

__all__ = ["DEFAULT_TTL", "LockAndRelease", "LockerRoom"]

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_TTL = 60.0

_log_acquire = logging.getLogger("locker_room.acquire")
_log_release = logging.getLogger("locker_room.release")


class LockerRoom:
    """Named, leased, fenced locks in a MongoDB collection.

    Parameters
    ----------
    host : str, optional
        Host name or ``mongodb://`` URI of the server or replica set, default ``"localhost"``.
        The room then owns its client and ``close()`` closes it.
    client : pymongo.MongoClient, optional
        Use this client instead of ``host`` (not both).
    db, collection : str, default="locks"
        Where the lock documents live.
    clock : callable, default=time.monotonic
        Seconds, used only for waiting deadlines and the local bound on a lease; expiry is
        always decided by the server's clock.

    Examples
    --------
    >>> locker = LockerRoom(host="mongodb://db1,db2,db3/?replicaSet=rs0")  # doctest: +SKIP
    >>> with locker.lock_and_release("nightly-report", timeout=2) as lease:  # doctest: +SKIP
    ...     publish(report, fencing_token=lease.token)
    """

    def __init__(
        self,
        host: str | None = None,
        *,
        client: MongoClient[Document] | None = None,
        db: str = "locks",
        collection: str = "locks",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if client is not None and host is not None:
            raise ValueError("pass either `host` or `client` to LockerRoom, not both")
        for key, value in (("db", db), ("collection", collection)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"`{key}` must be a non-empty string, got {value!r}")
        self._owns_client = client is None
        self._client: MongoClient[Document] = (
            MongoClient(host or "localhost") if client is None else client
        )
        self._collection: Collection[Document] = self._client[db].get_collection(
            collection,
            write_concern=WriteConcern("majority"),
            read_concern=ReadConcern("majority"),
        )
        self._clock = clock
        self._owner = threading.local()
        self._leases: dict[tuple[str, str], list[Lease]] = {}
        self._leases_lock = threading.Lock()
        self._renewer = Renewer(clock)

    def lock(
        self,
        name: str,
        owner: str | None = None,
        timeout: float | None = None,
        ttl: float = DEFAULT_TTL,
        *,
        reentrant: bool = False,
        on_lost: Callable[[LockLost], object] | None = None,
    ) -> Lease:
        """Acquire ``name``, waiting up to ``timeout`` seconds; return the renewed Lease.

        Parameters
        ----------
        name : str
            The lock.
        owner : str, optional
            Who holds it; default ``hostname:pid:thread:nonce`` (unique per thread and room).
            Locking again as the same owner while held extends the lease and keeps its token.
        timeout : float or None, default=None
            Seconds to wait; 0 tries once, None waits forever.
        ttl : float, default=60
            Lease length; renewed every ``ttl / 3`` while held.
        reentrant : bool, default=False
            Count holds: the lock is free after as many releases as locks by this owner.
        on_lost : callable, optional
            Called with the LockLost error if renewal fails (from the renewal thread).

        Raises
        ------
        LockTimeout
            Still held by another owner at the deadline; names the holder and expiry.
        ValueError, TypeError
            A bad argument, before any round trip.
        """
        _protocol.check_lock_args(name, owner, timeout, ttl)
        owner = owner or self._default_owner()
        attempt = _protocol.new_attempt()
        query, update = _protocol.acquire_command(
            name, owner, ttl, reentrant=reentrant, attempt=attempt
        )
        deadline = None if timeout is None else self._clock() + timeout
        delays = backoff()
        unsettled_since: float | None = None
        last_error: PyMongoError | None = None
        while True:
            sent = started = self._clock()
            try:
                with within(deadline, self._clock):
                    doc: Document | None = self._collection.find_one_and_update(
                        query, update, upsert=True, return_document=ReturnDocument.AFTER
                    )
            except DuplicateKeyError:
                doc = None
            except PyMongoError as error:
                if not ambiguous(error):
                    raise
                _log_acquire.info("acquire of %r unsettled (%s); reading it back", name, error)
                last_error = error
                unsettled_since = sent if unsettled_since is None else unsettled_since
                started = unsettled_since  # the write read back may be the earliest one
                doc = None
                if deadline is None or self._clock() < deadline:
                    with within(deadline, self._clock):
                        doc = self._settle_acquire(name, owner, attempt)
                if doc is None and deadline is not None and self._clock() >= deadline:
                    # Unsettled with no time left: even reading who holds the lock could wait
                    # for a primary far past the deadline. A write that landed frees itself
                    # after ttl.
                    raise LockTimeout(name, None, None, timeout or 0.0) from error
            if doc is not None and self._clock() >= started + ttl:
                # The reply came too late to be sure the lease still stands (a slow server, a
                # failover retried by pymongo): send the same attempt again for a fresh one.
                _log_acquire.info("acquire of %r answered after its ttl; repeating it", name)
                doc = None
            if doc is not None:
                lease = Lease(self, doc, ttl=ttl, sent_at=started, on_lost=on_lost)
                with self._leases_lock:
                    self._leases.setdefault((name, owner), []).append(lease)
                _log_acquire.debug("%r acquired %r with token %d", owner, name, lease.token)
                return lease
            now = self._clock()
            if deadline is not None and now >= deadline:
                raise self._timeout_error(name, timeout or 0.0) from last_error
            delay = next(delays)
            time.sleep(delay if deadline is None else min(delay, deadline - now))

    def _settle_acquire(self, name: str, owner: str, attempt: str) -> Document | None:
        try:
            doc = self._collection.find_one({"_id": name})
        except PyMongoError as error:
            if not ambiguous(error):
                raise
            return None  # still unknown: the next try repeats the same attempt, harmlessly
        if doc and doc.get("attempt") == attempt and doc.get("owner") == owner and doc["locked"]:
            return doc
        return None

    def _default_owner(self) -> str:
        cached: tuple[int, str] | None = getattr(self._owner, "cached", None)
        if cached is None or cached[0] != os.getpid():  # a forked child is another owner
            cached = self._owner.cached = (
                os.getpid(),
                _protocol.default_owner(str(threading.get_ident())),
            )
        return cached[1]

    def _timeout_error(self, name: str, timeout: float) -> LockTimeout:
        try:
            status = self.status(name)
        except PyMongoError:
            return LockTimeout(name, None, None, timeout)
        if not status["locked"]:  # freed just as the wait ended
            return LockTimeout(name, None, None, timeout)
        return LockTimeout(name, status["owner"], status["expires_at"], timeout)

    def lock_and_release(
        self,
        name: str,
        owner: str | None = None,
        timeout: float | None = None,
        ttl: float = DEFAULT_TTL,
        *,
        reentrant: bool = False,
        on_lost: Callable[[LockLost], object] | None = None,
    ) -> LockAndRelease:
        """Hold ``name`` around a block (``with``) or every call of a function (decorator).

        Arguments as for :meth:`lock`. The lock is released when the body raises, and the
        body's exception propagates; a lease lost while the body ran raises LockLost at exit.

        Examples
        --------
        >>> @locker.lock_and_release("my_lock", owner="gustav", timeout=2)  # doctest: +SKIP
        ... def important_function(): ...
        """
        _protocol.check_lock_args(name, owner, timeout, ttl)
        return LockAndRelease(
            self, name, owner, timeout, ttl, reentrant=reentrant, on_lost=on_lost
        )

    def release(self, name: str, owner: str | None = None) -> None:
        """Release a hold of ``owner`` (default: this thread's owner) on ``name``.

        Releases the latest lease this room granted to that owner, or, when the lock was
        taken through another room or process, the owner's hold whatever its token.

        Raises
        ------
        NotLockOwner
            ``owner`` does not hold the lock.
        LockLost
            The lease expired and another owner took the lock.
        """
        owner = owner or self._default_owner()
        with self._leases_lock:
            held = self._leases.get((name, owner))
            lease = held[-1] if held else None
        if lease is not None:
            lease.release()
        else:
            self._release(name, owner, None)

    def status(self, name: str) -> Document:
        """``{'_id', 'locked', 'owner', 'timestamp', 'expires_at', 'token'}`` of ``name``.

        ``locked`` is false once released or expired by the server's clock; ``owner``,
        ``timestamp`` and ``token`` then still describe the last hold. Times are naive UTC
        from the server's clock; a lock never taken reports token 0.
        """
        docs = list(self._collection.aggregate(_protocol.status_pipeline(name)))
        return docs[0] if docs else _protocol.status_of_missing(name)

    def locks(self) -> list[Document]:
        """Status of every lock in the collection, sorted by name."""
        return list(self._collection.aggregate(_protocol.status_pipeline(None)))

    def force_release(self, name: str) -> None:
        """Break ``name`` whoever holds it (admin); bumps the token so the holder sees LockLost."""
        self._collection.update_one({"_id": name}, _protocol.force_release_update())

    def close(self) -> None:
        """Close the client if this room created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> LockerRoom:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _release(self, name: str, owner: str, token: int | None) -> None:
        attempt = _protocol.new_attempt()
        query, update = _protocol.release_command(name, owner, token, attempt)
        for last_try in (False, True):
            try:
                if self._collection.update_one(query, update).matched_count:
                    _log_release.debug("%r released %r", owner, name)
                    return
                failure = _protocol.release_failure(
                    self._collection.find_one({"_id": name}), name, owner, token, attempt
                )
            except PyMongoError as error:
                if last_try or not ambiguous(error):
                    raise
                _log_release.info("release of %r unsettled (%s); repeating it", name, error)
                continue
            if failure is None:
                return
            raise failure

    def _renew(self, lease: Lease) -> Document | None:
        query, update = _protocol.renew_command(lease.name, lease.owner, lease.token, lease.ttl)
        with within(lease._deadline, self._clock):
            return self._collection.find_one_and_update(
                query, update, projection={"expires_at": 1}, return_document=ReturnDocument.AFTER
            )

    def _forget(self, lease: Lease) -> None:
        with self._leases_lock:
            held = self._leases.get((lease.name, lease.owner), [])
            if lease in held:
                held.remove(lease)
            if not held:
                self._leases.pop((lease.name, lease.owner), None)


class LockAndRelease:
    """What :meth:`LockerRoom.lock_and_release` returns: a context manager and a decorator."""

    def __init__(
        self,
        room: LockerRoom,
        name: str,
        owner: str | None,
        timeout: float | None,
        ttl: float,
        *,
        reentrant: bool,
        on_lost: Callable[[LockLost], object] | None,
    ) -> None:
        self._room = room
        self._args: dict[str, Any] = {
            "name": name,
            "owner": owner,
            "timeout": timeout,
            "ttl": ttl,
            "reentrant": reentrant,
            "on_lost": on_lost,
        }
        self._held = threading.local()

    def _stack(self) -> list[Lease]:
        stack: list[Lease] | None = getattr(self._held, "stack", None)
        if stack is None:
            stack = self._held.stack = []
        return stack

    def __enter__(self) -> Lease:
        lease = self._room.lock(**self._args)
        self._stack().append(lease)
        return lease

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack().pop().__exit__(exc_type, exc, tb)

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def locked(*args: P.args, **kwargs: P.kwargs) -> R:
            with self._room.lock(**self._args):
                return func(*args, **kwargs)

        return locked
