"""Fixtures for tests through real pymongo over TCP.

``mongo_uri`` and ``mongo_rs`` come from the mongosim pytest plugin: the simulator by
default, a real server when ``MONGODB_URI`` is set (then ``mongo_rs`` tests skip: faults can
only be injected into the simulator).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pymongo
import pytest
from pymongo import monitoring
from pymongo.errors import OperationFailure, PyMongoError

from mongo_autoreconnect import RetryPolicy

# Short enough that the suite stays fast, long enough to ride out a 1.5 s election.
FAST = RetryPolicy(deadline=10.0, initial=0.05, maximum=0.5)
# pymongo waits this long for a primary per attempt: shorter than an election, so the
# proxy's own retry loop (not only pymongo's single retry) is exercised.
CLIENT_OPTIONS: dict[str, Any] = {"serverSelectionTimeoutMS": 500, "heartbeatFrequencyMS": 500}


class CommandCounter(monitoring.CommandListener):
    """Counts the commands a client sends, by name (works against any server)."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.counts[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


class CommandRecorder(monitoring.CommandListener):
    """The command documents a client sends, without what differs between two sessions."""

    # The session, cluster time and transaction number differ per operation; maxTimeMS is
    # what pymongo adds under a deadline (the proxy's, on every proxied call).
    VARYING = frozenset({"lsid", "$clusterTime", "txnNumber", "maxTimeMS"})

    def __init__(self) -> None:
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = {k: v for k, v in event.command.items() if k not in self.VARYING}
        if "getMore" in command:
            command["getMore"] = "<cursor id>"
        self.commands.append(command)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def wait_until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    """Poll ``condition`` until true (the client's monitor notices an election in ~0.5 s)."""
    give_up = time.monotonic() + limit
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"condition still false after {limit} s")
        time.sleep(0.05)


async def async_wait_until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    """``wait_until`` for asyncio clients, whose monitors run on the event loop."""
    give_up = time.monotonic() + limit
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"condition still false after {limit} s")
        await asyncio.sleep(0.05)


@pytest.fixture
def fail_point(make_client: Any) -> Iterator[Callable[..., None]]:
    """Configure the standard ``failCommand`` fail point (mongod's, and mongosim's).

    ``fail_point({"times": 1}, failCommands=["update"], errorCode=10107)``; turned off at
    the end. Skips on a real server that does not enable test commands.
    """
    admin = make_client().admin
    configured = False

    def configure(mode: Any, **data: Any) -> None:
        nonlocal configured
        command = {"configureFailPoint": "failCommand", "mode": mode, "data": data}
        try:
            admin.command(command)
        except OperationFailure as error:
            if error.code == 59:  # CommandNotFound
                pytest.skip("this server does not enable test commands (configureFailPoint)")
            raise
        configured = True

    yield configure
    if configured:
        admin.command({"configureFailPoint": "failCommand", "mode": "off"})


@pytest.fixture
def db_name() -> str:
    return f"mar_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def make_client(mongo_uri: str, db_name: str) -> Iterator[Any]:
    """Open pymongo clients on the test's server; drop the test database at the end."""
    clients: list[pymongo.MongoClient[Any]] = []

    def make(**options: Any) -> pymongo.MongoClient[Any]:
        client: pymongo.MongoClient[Any] = pymongo.MongoClient(
            mongo_uri, **{**CLIENT_OPTIONS, **options}
        )
        clients.append(client)
        return client

    yield make
    try:
        # Only a simulated outage makes this fail; the simulator's data dies with it.
        with contextlib.suppress(PyMongoError):
            if clients:
                clients[0].drop_database(db_name)
    finally:
        for client in clients:
            client.close()
