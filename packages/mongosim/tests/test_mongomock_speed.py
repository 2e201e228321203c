"""The O(1) cursor step and ``_id`` lookup return what mongomock's own scans return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mongomock
import pytest
from bson import Int64, ObjectId
from mongomock.filtering import filter_applies

from mongosim._mongomock_speed import speed_up_mongomock

if TYPE_CHECKING:
    Collection = mongomock.Collection[dict[str, Any]]

speed_up_mongomock()


def _scan(collection: Collection, query: dict[str, Any]) -> list[Any]:
    """mongomock's own answer: every stored document the filter applies to."""
    store: Any = collection._store
    return [d["_id"] for d in store.documents if filter_applies(query, d)]  # type: ignore[no-untyped-call]


@pytest.fixture
def collection() -> Collection:
    collection: Collection = mongomock.MongoClient().db.c
    collection.insert_many([{"_id": i, "n": i % 3} for i in range(20)])
    return collection


@pytest.mark.parametrize(("skip", "limit"), [(0, 0), (3, 0), (0, 5), (4, 7), (18, 5), (25, 0)])
def test_a_cursor_yields_the_slice_a_naive_loop_gives(
    collection: Collection, skip: int, limit: int
) -> None:
    everything = list(collection.find({"n": 1})._compute_results())  # type: ignore[attr-defined]
    expected = everything[skip:][: limit or None]

    assert list(collection.find({"n": 1}, skip=skip, limit=limit)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"_id": 4}, [4]),
        ({"_id": 4.0}, [4]),
        ({"_id": {"$eq": 5}}, [5]),
        ({"_id": 5, "n": 0}, []),  # found by _id, refused by the rest of the filter
        ({"_id": 99}, []),
        ({"_id": True}, [1]),  # left to mongomock's scan, which equates True and 1
    ],
)
def test_an_id_lookup_matches_like_a_scan(
    collection: Collection, query: dict[str, Any], expected: list[int]
) -> None:
    assert [d["_id"] for d in collection.find(query)] == expected == _scan(collection, query)


@pytest.mark.parametrize("query", [{"_id": 7}, {"_id": 7.0}, {"_id": Int64(7)}, {"_id": "7"}])
def test_numbers_of_every_type_find_each_other(query: dict[str, Any]) -> None:
    collection: Collection = mongomock.MongoClient().db.d
    collection.insert_many([{"_id": 7.0}, {"_id": "8"}])

    assert [d["_id"] for d in collection.find(query)] == _scan(collection, query)


def test_object_ids_are_looked_up() -> None:
    collection: Collection = mongomock.MongoClient().db.e
    oid = collection.insert_one({}).inserted_id

    assert collection.find_one({"_id": oid}) == {"_id": oid}
    assert collection.find_one({"_id": ObjectId()}) is None
