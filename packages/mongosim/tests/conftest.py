"""Shared fixtures.

mongosim's own tests always run against the simulator (``rs``), even when ``MONGODB_URI``
names a real server: the simulator is what they test. The ``db`` fixture also runs the
portable command tests against that real server, to check the simulator against MongoDB.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

import pymongo
import pymongo.database
import pytest

from mongosim import ReplicaSet

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pymongo.change_stream import ChangeStream

pytest_plugins = ["pytester"]

Client = pymongo.MongoClient[dict[str, Any]]
Db = pymongo.database.Database[dict[str, Any]]

MONITORING = frozenset({"hello", "isMaster"})


def operations(counts: Counter[str]) -> Counter[str]:
    """Command counts without the drivers' background monitoring (hello / isMaster)."""
    return Counter({name: n for name, n in counts.items() if name not in MONITORING})


def next_event(stream: ChangeStream[Any], attempts: int = 20) -> dict[str, Any]:
    """The next change event; each attempt is one getMore (at most maxAwaitTimeMS long)."""
    for _ in range(attempts):
        event = stream.try_next()
        if event is not None:
            return event
    raise AssertionError(f"no event after {attempts} getMores")


@pytest.fixture
def rs() -> Iterator[ReplicaSet]:
    """A fresh three-member simulated replica set."""
    with ReplicaSet(members=3) as replica_set:
        yield replica_set


@pytest.fixture
def connect() -> Iterator[Callable[..., Client]]:
    """Build clients that notice failovers quickly; all are closed after the test."""
    clients: list[Client] = []

    def make(uri: str, **options: Any) -> Client:
        options.setdefault("serverSelectionTimeoutMS", 5000)
        options.setdefault("heartbeatFrequencyMS", 500)
        client: Client = pymongo.MongoClient(uri, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(rs: ReplicaSet, connect: Callable[..., Client]) -> Client:
    """A client of the test's replica set (retryable writes on, pymongo's default)."""
    return connect(rs.uri)


@pytest.fixture(params=["mongosim", "real-mongodb"])
def db(request: pytest.FixtureRequest, connect: Callable[..., Client]) -> Iterator[Db]:
    """A fresh database on the simulator, and on the real server when ``MONGODB_URI`` is set."""
    if request.param == "mongosim":
        replica_set: ReplicaSet = request.getfixturevalue("rs")
        uri = replica_set.uri
    else:
        uri = os.environ.get("MONGODB_URI", "")
        if not uri:
            pytest.skip("MONGODB_URI is not set: no real server to compare the simulator with")
    client = connect(uri)
    database = client[f"mongosim_{uuid.uuid4().hex[:12]}"]
    yield database
    client.drop_database(database.name)
    client.close()  # before the replica set stops: a client outliving it waits to end sessions
