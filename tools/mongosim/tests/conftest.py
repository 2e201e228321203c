"""Shared fixtures: a pymongo client factory for the simulated replica set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pymongo
import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mongosim import ReplicaSet

pytest_plugins = ["pytester"]

Client = pymongo.MongoClient[dict[str, Any]]


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
def client(mongo_rs: ReplicaSet, connect: Callable[..., Client]) -> Client:
    """A client of the test's replica set (retryable writes on, pymongo's default)."""
    return connect(mongo_rs.uri)
