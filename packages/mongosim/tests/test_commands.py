"""CRUD and admin commands through the real pymongo driver, executed by mongomock.

Tests taking ``db`` also run against a real server when ``MONGODB_URI`` is set, so the
simulator's answers are checked against MongoDB's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

if TYPE_CHECKING:
    from conftest import Client, Db

    from mongosim import ReplicaSet


def test_insert_find_update_delete_round_trip(db: Db) -> None:
    c = db.c
    c.insert_one({"_id": 1, "name": "a", "n": 1})
    c.insert_many([{"_id": 2, "name": "b", "n": 2}, {"_id": 3, "name": "c", "n": 3}])

    assert c.find_one({"_id": 2}) == {"_id": 2, "name": "b", "n": 2}
    assert [d["_id"] for d in c.find({"n": {"$gte": 2}}).sort("n", DESCENDING)] == [3, 2]
    assert list(c.find({}, {"name": 1, "_id": 0}).sort("_id", 1).skip(1).limit(1)) == [
        {"name": "b"}
    ]

    assert c.update_one({"_id": 1}, {"$inc": {"n": 10}}).modified_count == 1
    assert c.update_many({"n": {"$lt": 5}}, {"$set": {"small": True}}).modified_count == 2
    assert c.replace_one({"_id": 3}, {"name": "z"}).modified_count == 1
    upsert = c.update_one({"_id": 4}, {"$set": {"n": 4}}, upsert=True)
    assert upsert.upserted_id == 4
    assert c.find_one({"_id": 3}) == {"_id": 3, "name": "z"}
    assert c.find_one({"_id": 1}) == {"_id": 1, "name": "a", "n": 11}

    assert c.delete_one({"_id": 4}).deleted_count == 1
    assert c.delete_many({"small": True}).deleted_count == 1
    assert sorted(d["_id"] for d in c.find()) == [1, 3]


def test_find_and_modify_options(db: Db) -> None:
    c = db.c
    c.insert_many([{"_id": i, "rank": i, "tag": "x"} for i in range(3)])

    before = c.find_one_and_update(
        {"tag": "x"}, {"$set": {"taken": True}}, sort=[("rank", DESCENDING)]
    )
    after = c.find_one_and_update(
        {"tag": "x", "taken": {"$exists": False}},
        {"$set": {"taken": True}},
        sort=[("rank", ASCENDING)],
        projection={"taken": 1, "_id": 0},
        return_document=ReturnDocument.AFTER,
    )
    created = c.find_one_and_update(
        {"_id": "new"}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    not_created = c.find_one_and_update({"_id": "nope"}, {"$inc": {"n": 1}})
    replaced = c.find_one_and_replace({"_id": 1}, {"rank": 100}, return_document=True)
    removed = c.find_one_and_delete({"tag": "x"}, sort=[("rank", DESCENDING)])

    assert before == {"_id": 2, "rank": 2, "tag": "x"}
    assert after == {"taken": True}
    assert created == {"_id": "new", "n": 1}
    assert not_created is None
    assert replaced == {"_id": 1, "rank": 100}
    assert removed == {"_id": 2, "rank": 2, "tag": "x", "taken": True}
    assert c.count_documents({}) == 3


def test_find_and_modify_upsert_that_returns_the_old_document(db: Db) -> None:
    value = db.c.find_one_and_update({"_id": "k"}, {"$set": {"a": 1}}, upsert=True)

    assert value is None
    assert db.c.find_one({"_id": "k"}) == {"_id": "k", "a": 1}


def test_unique_index_violation_is_duplicate_key_error(db: Db) -> None:
    c = db.c
    c.create_index("email", unique=True)
    c.insert_one({"_id": 1, "email": "a@x"})

    with pytest.raises(DuplicateKeyError, match="E11000"):
        c.insert_one({"_id": 2, "email": "a@x"})
    with pytest.raises(DuplicateKeyError):
        c.insert_one({"_id": 1, "email": "b@x"})
    with pytest.raises(DuplicateKeyError):
        c.find_one_and_update({"_id": 3, "email": "a@x"}, {"$set": {"n": 1}}, upsert=True)
    assert c.count_documents({}) == 1


def test_unique_index_on_duplicated_data_is_refused(db: Db) -> None:
    db.c.insert_many([{"k": 1}, {"k": 1}])

    with pytest.raises(DuplicateKeyError):
        db.c.create_index("k", unique=True)


def test_sparse_unique_index_ignores_documents_without_the_field(db: Db) -> None:
    db.c.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3, "tag": "x"}])

    db.c.create_index("tag", unique=True, sparse=True)
    db.c.insert_one({"_id": 4})

    with pytest.raises(DuplicateKeyError):
        db.c.insert_one({"_id": 5, "tag": "x"})


def test_unordered_insert_reports_each_duplicate(db: Db) -> None:
    from pymongo.errors import BulkWriteError

    with pytest.raises(BulkWriteError) as raised:
        db.c.insert_many([{"_id": 1}, {"_id": 1}, {"_id": 2}], ordered=False)

    assert raised.value.details["nInserted"] == 2
    assert [e["code"] for e in raised.value.details["writeErrors"]] == [11000]


def test_count_distinct_and_aggregate(db: Db) -> None:
    c = db.c
    c.insert_many([{"g": g, "v": v} for g, v in [("a", 1), ("a", 2), ("b", 5)]])

    assert c.count_documents({"g": "a"}) == 2
    assert c.estimated_document_count() == 3
    assert sorted(c.distinct("g")) == ["a", "b"]
    totals = c.aggregate(
        [{"$group": {"_id": "$g", "total": {"$sum": "$v"}}}, {"$sort": {"_id": 1}}]
    )
    assert list(totals) == [{"_id": "a", "total": 3}, {"_id": "b", "total": 5}]


def test_index_and_collection_admin(db: Db) -> None:
    db.c.create_index([("a", ASCENDING), ("b", DESCENDING)], name="ab")
    db.c.create_index("t", expireAfterSeconds=60)
    db.create_collection("other")

    assert sorted(db.list_collection_names()) == ["c", "other"]
    assert db.list_collection_names(filter={"name": "other"}) == ["other"]
    info = db.c.index_information()
    assert info["ab"]["key"] == [("a", 1), ("b", -1)]
    assert info["t_1"]["expireAfterSeconds"] == 60

    db.c.drop_index("ab")
    db.c.drop_index([("t", ASCENDING)])
    assert list(db.c.index_information()) == ["_id_"]
    with pytest.raises(OperationFailure, match="index not found"):
        db.c.drop_index("ab")

    db.drop_collection("other")
    assert db.list_collection_names() == ["c"]
    assert db.name in db.client.list_database_names()
    db.client.drop_database(db.name)
    assert db.name not in db.client.list_database_names()


def test_creating_an_existing_collection_is_refused(client: Client) -> None:
    client.db.command("create", "c")

    with pytest.raises(OperationFailure, match=r"Collection db\.c already exists") as raised:
        client.db.command("create", "c")

    assert raised.value.code == 48


def test_list_indexes_of_a_missing_collection(db: Db) -> None:
    assert list(db.missing.list_indexes()) == []  # pymongo hides NamespaceNotFound
    missing = rf"ns does not exist: {db.name}\.missing"
    with pytest.raises(OperationFailure, match=missing) as raised:
        db.command("listIndexes", "missing")

    assert raised.value.code == 26


def test_ping_build_info_and_sessions(client: Client) -> None:
    assert client.admin.command("ping")["ok"] == 1.0
    assert client.server_info()["version"].startswith("6.")
    with client.start_session() as session:
        client.db.c.insert_one({"_id": 1}, session=session)


def test_unknown_command_is_command_not_found(db: Db) -> None:
    with pytest.raises(OperationFailure, match="no such command: 'frobnicate'") as raised:
        db.client.admin.command("frobnicate")

    assert raised.value.code == 59


def test_transactions_are_refused_clearly(client: Client) -> None:
    client.db.c.insert_one({"_id": 1})

    with (
        client.start_session() as session,
        pytest.raises(OperationFailure, match="does not support transactions"),
        session.start_transaction(),
    ):
        client.db.c.insert_one({"_id": 2}, session=session)


def test_data_is_shared_by_every_member(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": 1})

    rs.elect(2)

    assert client.db.c.find_one({"_id": 1}) == {"_id": 1}


def test_unset_pipeline_stage_removes_fields(db: Db) -> None:
    db.c.insert_one({"_id": 1, "owner": "a", "expires_at": 5, "keep": True})

    db.c.update_one({"_id": 1}, [{"$unset": ["owner", "expires_at"]}])
    projected = list(db.c.aggregate([{"$unset": "keep"}]))

    assert db.c.find_one({"_id": 1}) == {"_id": 1, "keep": True}
    assert projected == [{"_id": 1}]


def test_expr_ordering_on_a_missing_field_treats_it_as_lowest(db: Db) -> None:
    db.c.insert_many([{"_id": "no expiry"}, {"_id": "later", "expires_at": 10}])

    below = db.c.find({"$expr": {"$lt": ["$expires_at", 5]}})
    above = db.c.aggregate([{"$match": {"$expr": {"$gte": ["$expires_at", 5]}}}])

    assert [d["_id"] for d in below] == ["no expiry"]
    assert [d["_id"] for d in above] == ["later"]


def test_a_missing_required_field_is_named(db: Db) -> None:
    with pytest.raises(OperationFailure, match=r"BSON field 'distinct\.key' is missing"):
        db.command("distinct", "c")
