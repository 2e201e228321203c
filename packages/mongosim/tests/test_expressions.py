"""Aggregation expressions through pymongo: variables, missing fields, let, new operators.

Each expected value is MongoDB's documented result; tests taking ``db`` also run against a
real server when ``MONGODB_URI`` is set.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import pytest
from pymongo.errors import OperationFailure

if TYPE_CHECKING:
    from conftest import Client, Db

    from mongosim import ReplicaSet


def test_now_is_a_variable_only_where_an_expression_is_expected(db: Db) -> None:
    db.c.insert_one({"_id": 1, "s": "$$NOW"})

    db.c.update_one({"_id": 1}, [{"$set": {"at": "$$NOW", "literal": {"$literal": "$$NOW"}}}])

    document = db.c.find_one({"_id": 1})
    assert document is not None
    assert isinstance(document["at"], datetime.datetime)
    assert document["literal"] == "$$NOW"
    assert db.c.count_documents({"s": "$$NOW"}) == 1  # a plain filter string is a string
    assert db.c.count_documents({"$expr": {"$lte": ["$at", "$$NOW"]}}) == 1


def test_missing_fields_in_a_pipeline_set(db: Db) -> None:
    db.c.insert_one({"_id": 1})

    db.c.update_one(
        {"_id": 1},
        [
            {
                "$set": {
                    "gt": {"$gt": ["$absent", 1]},
                    "eq": {"$eq": ["$absent", None]},
                    "lt": {"$lt": ["$absent", None]},
                    "not": {"$not": ["$absent"]},
                    "copy": "$absent",
                }
            }
        ],
    )

    assert db.c.find_one({"_id": 1}) == {
        "_id": 1,
        "gt": False,
        "eq": False,
        "lt": True,
        "not": True,
    }


def test_eq_and_ne_on_a_missing_field_inside_expr(db: Db) -> None:
    db.c.insert_many([{"_id": 1}, {"_id": 2, "owner": "me"}])

    equal = db.c.find({"$expr": {"$eq": ["$owner", "me"]}})
    different = db.c.find({"$expr": {"$ne": ["$owner", "me"]}})

    assert [d["_id"] for d in equal] == [2]
    assert [d["_id"] for d in different] == [1]


def test_let_variables_in_find_aggregate_update_delete_and_find_and_modify(db: Db) -> None:
    db.c.insert_many([{"_id": i, "n": i} for i in range(1, 5)])
    let = {"limit": 2}

    found = db.c.find({"$expr": {"$lte": ["$n", "$$limit"]}}, let=let)
    aggregated = db.c.aggregate(
        [{"$match": {"$expr": {"$gt": ["$n", "$$limit"]}}}, {"$project": {"x": "$$tag"}}],
        let={"limit": 3, "tag": {"$concat": ["a", "b"]}},
    )
    updated = db.c.update_many(
        {"$expr": {"$eq": ["$n", "$$limit"]}}, [{"$set": {"hit": "$$limit"}}], let=let
    )
    taken = db.c.find_one_and_update(
        {"$expr": {"$eq": ["$n", "$$which"]}}, {"$set": {"taken": True}}, let={"which": 1}
    )
    deleted = db.c.delete_many({"$expr": {"$gt": ["$n", "$$limit"]}}, let=let)

    assert [d["_id"] for d in found] == [1, 2]
    assert list(aggregated) == [{"_id": 4, "x": "ab"}]
    assert updated.modified_count == 1
    assert taken is not None
    assert taken["_id"] == 1
    assert deleted.deleted_count == 2
    assert list(db.c.find({}, sort=[("_id", 1)])) == [
        {"_id": 1, "n": 1, "taken": True},
        {"_id": 2, "n": 2, "hit": 2},
    ]


def test_an_undefined_variable_is_an_error(db: Db) -> None:
    db.c.insert_one({"_id": 1})

    with pytest.raises(OperationFailure) as raised:
        db.c.find_one({"$expr": {"$eq": ["$_id", "$$nothing"]}})

    assert raised.value.code == 17276


def test_set_field_get_field_and_replace_with(db: Db) -> None:
    db.c.insert_one({"_id": 1, "foo": {}})

    db.c.update_one(
        {"_id": 1},
        [
            {
                "$replaceWith": {
                    "$setField": {"field": {"$literal": "$a"}, "value": 1, "input": "$$ROOT"}
                }
            }
        ],
    )
    (row,) = db.c.aggregate(
        [{"$project": {"_id": 0, "a": {"$getField": {"$literal": "$a"}}, "t": {"$type": "$a"}}}]
    )

    assert db.c.find_one({"_id": 1}) == {"_id": 1, "foo": {}, "$a": 1}
    assert row == {"a": 1, "t": "missing"}


def test_type_null_in_a_query(db: Db) -> None:
    db.c.insert_many([{"_id": 1, "a": None}, {"_id": 2}, {"_id": 3, "a": 0}])

    assert [d["_id"] for d in db.c.find({"a": {"$type": "null"}})] == [1]
    assert [d["_id"] for d in db.c.find({"a": None})] == [1, 2]


def test_database_level_aggregate_with_documents_and_merge(db: Db) -> None:
    db.target.insert_one({"_id": 1, "x": 1, "keep": True})

    list(
        db.aggregate(
            [
                {"$documents": [{"_id": 1, "x": 10}, {"_id": 2, "x": 20}]},
                {"$merge": {"into": "target"}},
            ]
        )
    )

    assert list(db.target.find({}, sort=[("_id", 1)])) == [
        {"_id": 1, "x": 10, "keep": True},
        {"_id": 2, "x": 20},
    ]


def test_a_database_level_aggregate_needs_a_database_stage(db: Db) -> None:
    with pytest.raises(OperationFailure) as raised:
        list(db.aggregate([{"$match": {}}]))

    assert raised.value.code == 73


def test_collation_strength_two_ignores_case(db: Db) -> None:
    db.c.insert_many([{"_id": 1, "x": "ping"}, {"_id": 2, "x": "PING"}, {"_id": 3, "x": "pong"}])
    collation = {"locale": "en_US", "strength": 2}

    found = db.c.find({"x": "Ping"}, collation=collation)
    deleted = db.c.delete_many({"x": "PONG"}, collation=collation)

    assert sorted(d["_id"] for d in found) == [1, 2]
    assert deleted.deleted_count == 1
    assert db.c.count_documents({"x": "ping"}) == 1  # without a collation: binary


def test_distinct_values_are_sorted(db: Db) -> None:
    db.c.insert_many([{"x": 33}, {"x": 11}, {"x": [22, 11]}, {"y": 1}])

    assert db.c.distinct("x") == [11, 22, 33]


def test_a_view_runs_its_pipeline(db: Db) -> None:
    db.c.insert_many([{"_id": i, "n": i} for i in range(5)])
    db.create_collection("big", viewOn="c", pipeline=[{"$match": {"n": {"$gte": 3}}}])

    assert [d["_id"] for d in db.big.find({}, sort=[("_id", 1)])] == [3, 4]
    assert db.big.count_documents({}) == 2
    with pytest.raises(OperationFailure) as raised:
        db.big.insert_one({"_id": 9})
    assert raised.value.code == 166


def test_rename_collection(client: Client) -> None:
    client.db.a.insert_one({"_id": 1})

    client.db.a.rename("b")

    assert client.db.list_collection_names() == ["b"]
    assert client.db.b.find_one() == {"_id": 1}
    with pytest.raises(OperationFailure) as raised:
        client.db.missing.rename("c")
    assert raised.value.code == 26


def test_operation_time_and_cluster_time_on_every_reply(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": 1})

    read = client.db.command("find", "c")
    written = client.db.command("insert", "c", documents=[{"_id": 2}])
    failed = client.db.command("insert", "c", documents=[{"_id": 2}])  # a write error
    with pytest.raises(OperationFailure) as raised:
        client.db.command("noSuchCommand")
    hello = client.admin.command("hello")

    assert written["operationTime"] > read["operationTime"]
    assert failed["operationTime"] >= written["operationTime"]
    for reply in (read, written, failed, raised.value.details, hello):
        assert reply is not None
        assert reply["$clusterTime"]["clusterTime"] >= reply.get(
            "operationTime", reply["$clusterTime"]["clusterTime"]
        )


def test_causal_consistency_sends_and_accepts_after_cluster_time(
    rs: ReplicaSet, connect: object
) -> None:
    from pymongo import monitoring

    sent: list[dict[str, object]] = []

    class Commands(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            if event.command_name == "find":
                sent.append(dict(event.command))

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

        def failed(self, event: monitoring.CommandFailedEvent) -> None: ...

    client = connect(rs.uri, event_listeners=[Commands()])  # type: ignore[operator]
    with client.start_session(causal_consistency=True) as session:
        client.db.c.insert_one({"_id": 1}, session=session)
        operation_time = session.operation_time
        document = client.db.c.find_one({"_id": 1}, session=session)

    assert document == {"_id": 1}
    assert sent[-1]["readConcern"] == {"afterClusterTime": operation_time}


def test_a_bad_read_concern_is_refused(client: Client) -> None:
    with pytest.raises(OperationFailure) as raised:
        client.db.command("find", "c", readConcern={"level": "strongest"})

    assert raised.value.code == 9


def test_group_and_count_over_nothing_give_nothing(db: Db) -> None:
    db.c.insert_one({"_id": 1, "a": 1})

    grouped = list(
        db.c.aggregate([{"$match": {"a": 2}}, {"$group": {"_id": None, "n": {"$sum": 1}}}])
    )
    counted = list(db.c.aggregate([{"$match": {"a": 2}}, {"$count": "n"}]))

    assert grouped == []
    assert counted == []
    assert db.c.count_documents({"a": 2}) == 0
