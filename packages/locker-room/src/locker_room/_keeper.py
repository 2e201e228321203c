# Generated from _async_keeper.py by tests/synchro.py: edit that file, not this one.
"""Keeper: the lock documents of one room, every round trip on them, the leases granted.

Generated from ``_async_keeper.py`` by ``tests/synchro.py``.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from pymongo import ReturnDocument
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from locker_room import _protocol
from locker_room._errors import ServerUnavailable
from locker_room._round_trip import ambiguous, no_server, within
from locker_room._wait import AWAIT

if TYPE_CHECKING:
    from collections.abc import Callable

    from pymongo.change_stream import ChangeStream
    from pymongo.collection import Collection

    from locker_room._lease import Lease
    from locker_room._protocol import Document
    from locker_room._threads import Renewals

__all__ = ["ChangeWatch", "Keeper"]

_log_release = logging.getLogger("locker_room.release")
_log_renew = logging.getLogger("locker_room.renew")


class Keeper:
    """The lock collection of one room: its round trips, and the leases it granted.

    Leases talk to the room only through this object (`renew`, `release`, `forget`,
    `clock`), which never reads a lease's private state.
    """

    def __init__(
        self,
        collection: Collection[Document],
        *,
        clock: Callable[[], float],
        renewals: Renewals,
    ) -> None:
        self._collection = collection
        self._clock = clock
        self._renewals = renewals
        self._leases: dict[tuple[str, str], list[Lease]] = {}
        self._leases_lock = threading.Lock()

    @property
    def clock(self) -> Callable[[], float]:
        """The room's local clock (deadlines and lease bounds)."""
        return self._clock

    # -- the leases granted ------------------------------------------------------------------

    def keep(self, lease: Lease) -> None:
        """Renew ``lease`` until released, and offer it to ``release(name, owner)``."""
        with self._leases_lock:
            self._leases.setdefault((lease.name, lease.owner), []).append(lease)
        self._renewals.add(lease)

    def forget(self, lease: Lease) -> None:
        """Stop renewing ``lease`` and stop offering it."""
        self._renewals.discard(lease)
        with self._leases_lock:
            held = self._leases.get((lease.name, lease.owner), [])
            if lease in held:
                held.remove(lease)
            if not held:
                self._leases.pop((lease.name, lease.owner), None)

    def latest(self, name: str, owner: str) -> Lease | None:
        """The last lease granted to ``owner`` on ``name`` and not released yet."""
        with self._leases_lock:
            held = self._leases.get((name, owner))
            return held[-1] if held else None

    # -- acquiring ---------------------------------------------------------------------------

    def try_acquire(
        self, query: Document, update: list[Document], *, until: float | None
    ) -> Document | None:
        """The acquire round trip: the lock document if taken, None if someone else holds it."""
        try:
            with within(until, self._clock):
                return self._collection.find_one_and_update(
                    query, update, upsert=True, return_document=ReturnDocument.AFTER
                )
        except DuplicateKeyError:
            return None

    def read(self, name: str, *, until: float | None) -> Document | None:
        """The lock document as it is, read back to settle an unanswered write."""
        with within(until, self._clock):
            return self._collection.find_one({"_id": name})

    def wait_info(self, name: str, *, until: float | None) -> Document | None:
        """What a waiter needs: the hold and the milliseconds left on it (server clock)."""
        with within(until, self._clock):
            cursor = self._collection.aggregate(_protocol.wait_pipeline(name))
            docs = cursor.to_list()
        return docs[0] if docs else None

    def enqueue(
        self, name: str, owner: str, ttl: float, attempt: str, *, until: float | None
    ) -> bool:
        """Join (or stay in) the fair queue of ``name``; False if the lock document is gone."""
        query, update = _protocol.enqueue_command(name, owner, ttl, attempt)
        with within(until, self._clock):
            return bool((self._collection.update_one(query, update)).matched_count)

    def dequeue(self, name: str, owner: str, *, until: float | None) -> Document | None:
        """Leave the fair queue of ``name``; the lock document after it."""
        query, update = _protocol.dequeue_command(name, owner)
        with within(until, self._clock):
            return self._collection.find_one_and_update(
                query, update, return_document=ReturnDocument.AFTER
            )

    def watch(
        self,
        name: str,
        sleep: Callable[[float], object],
        *,
        owner: str | None,
        until: float | None,
    ) -> ChangeWatch:
        """Open a change stream on the document of ``name`` (for a fair waiter: ``owner``)."""
        with within(until, self._clock):
            stream = self._collection.watch(
                [{"$match": {"documentKey._id": name}}], max_await_time_ms=round(AWAIT * 1000)
            )
        return ChangeWatch(stream, self._clock, sleep, owner)

    # -- what leases need --------------------------------------------------------------------

    def renew(
        self, name: str, owner: str, token: int, ttl: float, *, until: float
    ) -> Document | None:
        """Extend a hold to at least server now + ``ttl``; None once it is no longer ours.

        A renewal left unanswered (lost reply, ``writeConcernError``) is settled by reading
        the document back by the renewal's attempt id, then sent again if it was not applied.
        """
        attempt = _protocol.new_attempt()
        query, update = _protocol.renew_command(name, owner, token, ttl, attempt)
        for last_try in (False, True):
            try:
                with within(until, self._clock):
                    return self._collection.find_one_and_update(
                        query,
                        update,
                        projection={"expires_at": 1},
                        return_document=ReturnDocument.AFTER,
                    )
            except PyMongoError as error:
                if last_try or not ambiguous(error) or self._clock() >= until:
                    raise
                _log_renew.info("renewal of %r unsettled (%s); reading it back", name, error)
                doc = self.read(name, until=until)
            applied = _protocol.renewal_outcome(doc, owner, token, attempt)
            if applied is not None:
                return doc if applied else None
        raise AssertionError("unreachable")  # pragma: no cover

    def release(self, name: str, owner: str, token: int | None) -> None:
        """Drop one hold of ``owner`` on ``name`` (of lease ``token`` when known).

        A release left unanswered (lost reply, ``writeConcernError``) is settled by reading
        the document back by the release's attempt id, and sent again if it was not applied.

        Raises
        ------
        NotLockOwner, LockLost
            The hold was not ``owner``'s (any more).
        ServerUnavailable
            MongoDB could not be reached to release it or to tell whether it was released.
        """
        attempt = _protocol.new_attempt()
        query, update = _protocol.release_command(name, owner, token, attempt)
        for last_try in (False, True):
            try:
                if (self._collection.update_one(query, update)).matched_count:
                    _log_release.debug("%r released %r", owner, name)
                    return
            except PyMongoError as error:
                if not ambiguous(error):
                    raise
                if no_server(error):
                    raise ServerUnavailable(name, error, "release") from error
                _log_release.info("release of %r unsettled (%s); reading it back", name, error)
            try:
                doc = self.read(name, until=None)
            except ConnectionFailure as error:
                raise ServerUnavailable(name, error, "release") from error
            outcome = _protocol.release_outcome(doc, name, owner, token, attempt)
            if outcome is None:
                return
            if outcome is True and not last_try:
                continue
            if isinstance(outcome, bool):  # still ours after two unanswered tries: give up
                raise ServerUnavailable(
                    name, RuntimeError("the release was not applied twice"), "release"
                )
            raise outcome

    # -- admin and status --------------------------------------------------------------------

    def status(self, name: str, *, until: float | None = None) -> Document:
        """The status document of ``name`` (see `LockerRoom.status`)."""
        try:
            with within(until, self._clock):
                cursor = self._collection.aggregate(_protocol.status_pipeline(name))
                docs = cursor.to_list()
        except ConnectionFailure as error:
            raise ServerUnavailable(name, error, "read the status of") from error
        return docs[0] if docs else _protocol.status_of_missing(name)

    def locks(self) -> list[Document]:
        """The status documents of every lock, by name."""
        try:
            cursor = self._collection.aggregate(_protocol.status_pipeline(None))
            return cursor.to_list()
        except ConnectionFailure as error:
            raise ServerUnavailable(None, error, "list the locks") from error

    def force_release(self, name: str) -> None:
        """Break the hold on ``name`` whoever has it; the token moves on."""
        try:
            self._collection.update_one({"_id": name}, _protocol.force_release_update())
        except ConnectionFailure as error:
            raise ServerUnavailable(name, error, "force-release") from error


class ChangeWatch:
    """A change stream on one lock document: wait for an event that may have freed it."""

    def __init__(
        self,
        stream: ChangeStream[Document],
        clock: Callable[[], float],
        sleep: Callable[[float], object],
        owner: str | None,
    ) -> None:
        self._stream = stream
        self._owner = owner
        self._clock = clock
        self._sleep = sleep

    def wait(self, until: float) -> bool:
        """True at the first event that may have freed (or handed over) the lock; False once
        ``until`` passed.

        Each read of the stream blocks on the server for at most `AWAIT` seconds; the last
        stretch shorter than that is slept, so the wait never runs past ``until``.
        """
        while True:
            left = until - self._clock()
            if left <= 0:
                return False
            if left < AWAIT:
                self._sleep(left)
                return False
            with within(until, self._clock):  # a resume after a failover selects a server
                event = self._stream.try_next()
            if event is not None and _protocol.wakes_waiter(event, self._owner):
                return True

    def close(self) -> None:
        """Close the stream (its cursor on the server), waiting `LEAST` seconds at most.

        Killing the cursor needs the member that holds it, which may have gone away; the
        server drops an abandoned cursor by itself.
        """
        with within(self._clock(), self._clock):
            self._stream.close()
