"""AsyncLockerRoom: the LockerRoom protocol over ``pymongo.AsyncMongoClient``."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import weakref
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from locker_room import _protocol
from locker_room._backoff import backoff
from locker_room._errors import LockTimeout
from locker_room._lease import AsyncLease
from locker_room._room import DEFAULT_TTL
from locker_room._round_trip import ambiguous, within

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import TracebackType

    from pymongo.asynchronous.collection import AsyncCollection

    from locker_room._errors import LockLost
    from locker_room._protocol import Document

__all__ = ["AsyncLockAndRelease", "AsyncLockerRoom"]

P = ParamSpec("P")
R = TypeVar("R")

_log_acquire = logging.getLogger("locker_room.acquire")
_log_release = logging.getLogger("locker_room.release")


class AsyncLockerRoom:
    """:class:`LockerRoom` for asyncio, over ``pymongo.AsyncMongoClient``.

    Same parameters and semantics; the methods are coroutines, leases renew in a task,
    and the default owner is unique per asyncio task instead of per thread.

    Examples
    --------
    >>> locker = AsyncLockerRoom(host="mongodb://db1,db2,db3/?replicaSet=rs0")  # doctest: +SKIP
    >>> async with locker.lock_and_release("my_lock", timeout=2) as lease:  # doctest: +SKIP
    ...     await write_resource(fencing_token=lease.token)
    """

    def __init__(
        self,
        host: str | None = None,
        *,
        client: AsyncMongoClient[Document] | None = None,
        db: str = "locks",
        collection: str = "locks",
        clock: Callable[[], float] = time.monotonic,
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
        self._collection: AsyncCollection[Document] = self._client[db].get_collection(
            collection,
            write_concern=WriteConcern("majority"),
            read_concern=ReadConcern("majority"),
        )
        self._clock = clock
        self._owners: weakref.WeakKeyDictionary[asyncio.Task[Any], str] = (
            weakref.WeakKeyDictionary()
        )
        self._leases: dict[tuple[str, str], list[AsyncLease]] = {}

    async def lock(
        self,
        name: str,
        owner: str | None = None,
        timeout: float | None = None,
        ttl: float = DEFAULT_TTL,
        *,
        reentrant: bool = False,
        on_lost: Callable[[LockLost], object] | None = None,
    ) -> AsyncLease:
        """Acquire ``name`` (see :meth:`LockerRoom.lock`); return the renewed AsyncLease.

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
                    doc: Document | None = await self._collection.find_one_and_update(
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
                        doc = await self._settle_acquire(name, owner, attempt)
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
                lease = AsyncLease(self, doc, ttl=ttl, sent_at=started, on_lost=on_lost)
                self._leases.setdefault((name, owner), []).append(lease)
                _log_acquire.debug("%r acquired %r with token %d", owner, name, lease.token)
                return lease
            now = self._clock()
            if deadline is not None and now >= deadline:
                raise await self._timeout_error(name, timeout or 0.0) from last_error
            delay = next(delays)
            await asyncio.sleep(delay if deadline is None else min(delay, deadline - now))

    def _default_owner(self) -> str:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("AsyncLockerRoom must be used from within an asyncio task")
        owner = self._owners.get(task)
        if owner is None:
            owner = self._owners[task] = _protocol.default_owner(f"task-{id(task):x}")
        return owner

    async def _settle_acquire(self, name: str, owner: str, attempt: str) -> Document | None:
        try:
            doc = await self._collection.find_one({"_id": name})
        except PyMongoError as error:
            if not ambiguous(error):
                raise
            return None  # still unknown: the next try repeats the same attempt, harmlessly
        if doc and doc.get("attempt") == attempt and doc.get("owner") == owner and doc["locked"]:
            return doc
        return None

    async def _timeout_error(self, name: str, timeout: float) -> LockTimeout:
        try:
            status = await self.status(name)
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
    ) -> AsyncLockAndRelease:
        """Hold ``name`` around an ``async with`` block or every call of a coroutine function.

        Examples
        --------
        >>> @locker.lock_and_release("my_lock", owner="gustav", timeout=2)  # doctest: +SKIP
        ... async def important_function(): ...
        """
        _protocol.check_lock_args(name, owner, timeout, ttl)
        return AsyncLockAndRelease(
            self, name, owner, timeout, ttl, reentrant=reentrant, on_lost=on_lost
        )

    async def release(self, name: str, owner: str | None = None) -> None:
        """Release a hold of ``owner`` (default: this task's owner); see LockerRoom.release."""
        owner = owner or self._default_owner()
        held = self._leases.get((name, owner))
        if held:
            await held[-1].release()
        else:
            await self._release(name, owner, None)

    async def status(self, name: str) -> Document:
        """``{'_id', 'locked', 'owner', 'timestamp', 'expires_at', 'token'}`` of ``name``."""
        cursor = await self._collection.aggregate(_protocol.status_pipeline(name))
        docs = await cursor.to_list()
        return docs[0] if docs else _protocol.status_of_missing(name)

    async def locks(self) -> list[Document]:
        """Status of every lock in the collection, sorted by name."""
        cursor = await self._collection.aggregate(_protocol.status_pipeline(None))
        return await cursor.to_list()

    async def force_release(self, name: str) -> None:
        """Break ``name`` whoever holds it (admin); bumps the token so the holder sees LockLost."""
        await self._collection.update_one({"_id": name}, _protocol.force_release_update())

    async def close(self) -> None:
        """Close the client if this room created it."""
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

    async def _release(self, name: str, owner: str, token: int | None) -> None:
        attempt = _protocol.new_attempt()
        query, update = _protocol.release_command(name, owner, token, attempt)
        for last_try in (False, True):
            try:
                if (await self._collection.update_one(query, update)).matched_count:
                    _log_release.debug("%r released %r", owner, name)
                    return
                doc = await self._collection.find_one({"_id": name})
            except PyMongoError as error:
                if last_try or not ambiguous(error):
                    raise
                _log_release.info("release of %r unsettled (%s); repeating it", name, error)
                continue
            failure = _protocol.release_failure(doc, name, owner, token, attempt)
            if failure is None:
                return
            raise failure

    async def _renew(self, lease: AsyncLease) -> Document | None:
        query, update = _protocol.renew_command(lease.name, lease.owner, lease.token, lease.ttl)
        with within(lease._deadline, self._clock):
            return await self._collection.find_one_and_update(
                query, update, projection={"expires_at": 1}, return_document=ReturnDocument.AFTER
            )

    def _forget(self, lease: AsyncLease) -> None:
        held = self._leases.get((lease.name, lease.owner), [])
        if lease in held:
            held.remove(lease)
        if not held:
            self._leases.pop((lease.name, lease.owner), None)


class AsyncLockAndRelease:
    """What :meth:`AsyncLockerRoom.lock_and_release` returns: ``async with`` and a decorator."""

    def __init__(
        self,
        room: AsyncLockerRoom,
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
        self._held: dict[asyncio.Task[Any] | None, list[AsyncLease]] = {}

    async def __aenter__(self) -> AsyncLease:
        lease = await self._room.lock(**self._args)
        self._held.setdefault(asyncio.current_task(), []).append(lease)
        return lease

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task = asyncio.current_task()
        stack = self._held[task]
        lease = stack.pop()
        if not stack:
            del self._held[task]
        await lease.__aexit__(exc_type, exc, tb)

    def __call__(self, func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(func)
        async def locked(*args: P.args, **kwargs: P.kwargs) -> R:
            async with await self._room.lock(**self._args):
                return await func(*args, **kwargs)

        return locked
