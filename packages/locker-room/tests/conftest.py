"""Fixtures: LockerRooms on the mongosim replica set (or on $MONGODB_URI), one collection per test.

``mongo_uri`` and ``mongo_rs`` come from mongosim's pytest plugin. Tests that inject faults
or move the server clock ask for ``mongo_rs`` and are skipped against a real server.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
import uuid
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

import pymongo
import pytest
from lock_workers import is_join
from pymongo import monitoring

from locker_room import LockerRoom

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DB = "locker_room_tests"


@pytest.fixture(autouse=True)
def _collect_garbage_here():
    """Collect after each test, so that a socket it left unclosed fails that test.

    Without it, the ResourceWarning surfaces as PytestUnraisableExceptionWarning in
    whichever later test happens to trigger a collection.
    """
    yield
    gc.collect()


WORKERS = 8


@pytest.fixture(scope="session")
def workers() -> Iterator[tuple[ProcessPoolExecutor, Any]]:
    """``WORKERS`` spawned processes and a multiprocessing manager, shared by the tests that
    run locks in other processes (spawning and importing pymongo is most of their time)."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        yield pool, manager


@pytest.fixture
def collection_name() -> str:
    """A fresh collection per test, so a real server keeps no state between tests."""
    return f"locks_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def make_room(mongo_uri: str, collection_name: str) -> Iterator[Callable[..., LockerRoom]]:
    """Make rooms on the test's collection, each with its own client (``client_options``).

    Each room is closed (its waiters' change streams with it), then its client.
    """
    made: list[tuple[LockerRoom, pymongo.MongoClient[dict[str, Any]]]] = []

    def make(client_options: dict[str, Any] | None = None, **room_options: Any) -> LockerRoom:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            mongo_uri, **(client_options or {})
        )
        room = LockerRoom(client=client, db=DB, collection=collection_name, **room_options)
        made.append((room, client))
        return room

    yield make
    for room, client in made:
        room.close()
        client.close()


@pytest.fixture
def locker(make_room: Callable[..., LockerRoom]) -> LockerRoom:
    return make_room()


class SlowFirstReply(monitoring.CommandListener):
    """Moves a fake client clock past the ttl while the first acquire reply is on its way."""

    def __init__(self, ttl: float) -> None:
        self.now = 0.0
        self.ttl = ttl
        self.acquires = 0

    def clock(self) -> float:
        return self.now

    def started(self, event: Any) -> None:
        pass

    def succeeded(self, event: Any) -> None:
        if event.command_name == "findAndModify":
            self.acquires += 1
            if self.acquires == 1:
                self.now += self.ttl + 1

    def failed(self, event: Any) -> None:
        pass


class Seen(monitoring.CommandListener):
    """Lets a test wait (bounded) for a client to have done something on the server.

    ``held`` is set once an acquire (findAndModify) failed with DuplicateKeyError, i.e. the
    client found the lock held and started waiting; ``queued`` once a fair waiter's
    join of the queue succeeded. ``joins`` counts the joins sent (first and renewals).
    """

    def __init__(self) -> None:
        self.held = threading.Event()
        self.queued = threading.Event()
        self.counts: dict[str, int] = {}
        self.joins = 0
        self._join_ids: set[int] = set()
        self._lock = threading.Condition()

    def started(self, event: Any) -> None:
        with self._lock:
            self.counts[event.command_name] = self.counts.get(event.command_name, 0) + 1
            if is_join(event):
                self.joins += 1
                self._join_ids.add(event.request_id)
            self._lock.notify_all()

    def wait_for(self, command: str, *, more_than: int, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until more than ``more_than`` ``command``s were sent."""
        with self._lock:
            return self._lock.wait_for(
                lambda: self.counts.get(command, 0) > more_than, timeout=timeout
            )

    def succeeded(self, event: Any) -> None:
        if event.request_id in self._join_ids:
            self.queued.set()

    def failed(self, event: Any) -> None:
        if (
            event.command_name == "findAndModify"
            and getattr(event, "failure", {}).get("code") == 11000
        ):
            self.held.set()
