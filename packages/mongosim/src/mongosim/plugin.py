"""pytest fixtures: ``mongo_rs`` (a fresh simulated replica set) and ``mongo_uri``.

Registered through the ``pytest11`` entry point, so installing mongosim is enough::

    def test_roundtrip(mongo_uri):
        client = pymongo.MongoClient(mongo_uri)
        ...

    def test_failover(mongo_rs):          # skipped when MONGODB_URI names a real server
        mongo_rs.step_down()

When the environment variable ``MONGODB_URI`` is set, ``mongo_uri`` yields it (a real
server) and every test that asks for ``mongo_rs`` is skipped: faults cannot be injected
into a real server.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mongosim.replica_set import ReplicaSet

__all__ = ["MONGODB_URI", "mongo_rs", "mongo_uri"]

MONGODB_URI = "MONGODB_URI"
"""The environment variable naming a real server to test against instead."""


@pytest.fixture
def mongo_rs() -> Iterator[ReplicaSet]:
    """A started three-member [`ReplicaSet`][mongosim.ReplicaSet], closed after the test."""
    if os.environ.get(MONGODB_URI):
        pytest.skip(
            f"{MONGODB_URI} is set: this test injects faults, which only the mongosim"
            " simulator can do, not a real server"
        )
    from mongosim.replica_set import ReplicaSet  # heavy: only for tests that use the fixture

    with ReplicaSet(members=3) as replica_set:
        yield replica_set


@pytest.fixture
def mongo_uri(request: pytest.FixtureRequest) -> str:
    """``$MONGODB_URI`` when set (a real server), else the URI of a fresh simulated set."""
    uri = os.environ.get(MONGODB_URI)
    if uri:
        return uri
    replica_set: ReplicaSet = request.getfixturevalue("mongo_rs")
    return replica_set.uri
