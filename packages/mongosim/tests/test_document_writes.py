"""The one place documents are written: each document is observed, with its images."""

from __future__ import annotations

from typing import Any

import mongomock

from mongosim._document_writes import (
    DocumentChange,
    DocumentWrites,
    delete_documents,
    update_documents,
)


def _collection() -> mongomock.Collection[dict[str, Any]]:
    collection: mongomock.Collection[dict[str, Any]] = mongomock.MongoClient().db.c
    collection.insert_many([{"_id": i, "tags": [{"v": 1}, {"v": 2}], "n": 0} for i in range(3)])
    return collection


def test_each_updated_document_is_one_change_with_its_images() -> None:
    writes, seen = DocumentWrites(), list[DocumentChange]()
    writes.observe(seen.append)
    collection = _collection()

    outcome = update_documents(
        writes.begin("update"),
        collection,
        "db.c",
        {"tags": {"$elemMatch": {"v": 2}}},
        {"$set": {"tags.$.v": 20}},  # the positional $ still resolves against the filter
        replacement=False,
        multi=True,
        upsert=False,
        options={},
    )

    assert (outcome.matched, outcome.modified) == (3, 3)
    assert [change.operation for change in seen] == ["update"] * 3
    assert [change.before for change in seen] == [
        {"_id": i, "tags": [{"v": 1}, {"v": 2}], "n": 0} for i in range(3)
    ]
    assert [change.after for change in seen] == [
        {"_id": i, "tags": [{"v": 1}, {"v": 20}], "n": 0} for i in range(3)
    ]


def test_an_upsert_is_an_insert_and_a_delete_has_no_after_image() -> None:
    writes, seen = DocumentWrites(), list[DocumentChange]()
    writes.observe(seen.append)
    collection = _collection()

    update_documents(
        writes.begin("update"),
        collection,
        "db.c",
        {"_id": 9},
        {"$set": {"n": 1}},
        replacement=False,
        multi=False,
        upsert=True,
        options={},
    )
    deleted = delete_documents(writes.begin("delete"), collection, "db.c", {"n": 0}, multi=False)

    assert deleted == 1
    assert seen == [
        DocumentChange("insert", "db.c", None, {"_id": 9, "n": 1}),
        DocumentChange("delete", "db.c", {"_id": 0, "tags": [{"v": 1}, {"v": 2}], "n": 0}, None),
    ]


def test_an_unchanged_document_is_no_change() -> None:
    writes, seen = DocumentWrites(), list[DocumentChange]()
    writes.observe(seen.append)

    outcome = update_documents(
        writes.begin("update"),
        _collection(),
        "db.c",
        {},
        {"$set": {"n": 0}},
        replacement=False,
        multi=True,
        upsert=False,
        options={},
    )

    assert (outcome.matched, outcome.modified, seen) == (3, 0, [])
