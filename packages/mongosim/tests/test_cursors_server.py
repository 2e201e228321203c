"""Server-side cursor behaviour through pymongo: tailable cursors, hints, min/max, explain."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from pymongo import DESCENDING, CursorType
from pymongo.errors import OperationFailure

if TYPE_CHECKING:
    from conftest import Client, Db

    from mongosim import ReplicaSet


def test_a_tailable_cursor_returns_later_inserts_until_the_collection_rolls_over(
    db: Db,
) -> None:
    db.create_collection("capped", capped=True, size=100_000, max=3)
    db.capped.insert_one({"x": 1})
    cursor = db.capped.find(cursor_type=CursorType.TAILABLE)

    first = [d["x"] for d in cursor]
    db.capped.insert_one({"x": 2})
    second = [d["x"] for d in cursor]
    alive = cursor.alive
    db.capped.insert_many([{"x": i} for i in range(3, 7)])  # pushes the cursor's place out
    after_rollover = cursor.to_list()

    assert (first, second, alive) == ([1], [2], True)
    assert after_rollover == []
    assert not cursor.alive
    assert [d["x"] for d in db.capped.find()] == [4, 5, 6]


def test_a_tailable_cursor_needs_a_capped_collection(db: Db) -> None:
    db.plain.insert_one({})

    with pytest.raises(OperationFailure) as raised:
        db.plain.find(cursor_type=CursorType.TAILABLE).to_list()

    assert raised.value.code == 2


def test_an_await_data_get_more_wakes_when_a_document_is_inserted(
    rs: ReplicaSet, client: Client
) -> None:
    db = client.db
    db.create_collection("capped", capped=True, size=100_000)
    db.capped.insert_one({"x": 0})
    cursor = db.capped.find(cursor_type=CursorType.TAILABLE_AWAIT).max_await_time_ms(30_000)
    assert next(cursor)["x"] == 0
    received: list[dict[str, Any]] = []
    before = rs.commands()["getMore"]
    reader = threading.Thread(target=lambda: received.append(next(cursor)))
    reader.start()
    for _ in range(500):  # until the getMore is waiting on the server
        if rs.commands()["getMore"] > before:
            break
        threading.Event().wait(0.01)

    db.capped.insert_one({"x": 1})
    reader.join(timeout=10)  # a timer-driven getMore would answer after 30 s
    cursor.close()

    assert not reader.is_alive()
    assert received[0]["x"] == 1


def test_a_hint_orders_by_the_index_and_must_exist(db: Db) -> None:
    db.c.insert_many([{"num": i} for i in range(5)])
    db.c.create_index([("num", DESCENDING)], name="desc")

    hinted = [d["num"] for d in db.c.find().hint("desc")]
    with pytest.raises(OperationFailure) as raised:
        db.c.find().hint("missing").to_list()

    assert hinted == [4, 3, 2, 1, 0]
    assert raised.value.code == 2


def test_min_and_max_bound_the_hinted_index(db: Db) -> None:
    db.c.insert_many([{"k": i} for i in range(10)])
    db.c.create_index("k")

    bounded = db.c.find().hint("k_1").min([("k", 3)]).max([("k", 6)])
    with pytest.raises(OperationFailure) as raised:
        db.command("find", "c", min={"k": 3})  # min needs a hint
    assert raised.value.code == 51173

    assert [d["k"] for d in bounded] == [3, 4, 5]


def test_explain_reports_the_plan_and_counts(db: Db) -> None:
    db.c.insert_many([{"_id": i, "a": i % 2} for i in range(6)])

    by_id = db.c.find({"_id": 1}).explain()
    scan = db.c.find({"a": 1}).sort("a", 1).explain()

    assert by_id["queryPlanner"]["winningPlan"]["stage"] == "IDHACK"
    assert scan["queryPlanner"]["winningPlan"]["stage"] == "SORT"
    assert scan["queryPlanner"]["winningPlan"]["inputStage"]["stage"] == "COLLSCAN"
    assert scan["executionStats"]["nReturned"] == 3
    assert scan["executionStats"]["totalDocsExamined"] == 6


def test_snapshot_reads_report_their_cluster_time(client: Client) -> None:
    written = client.db.command("insert", "c", documents=[{"_id": i} for i in range(3)])

    found = client.db.command("find", "c", readConcern={"level": "snapshot"})
    distinct = client.db.command("distinct", "c", key="_id", readConcern={"level": "snapshot"})
    with client.start_session(snapshot=True) as session:
        in_session = client.db.c.find({}, session=session).to_list()

    assert found["cursor"]["atClusterTime"] >= written["operationTime"]
    assert distinct["atClusterTime"] >= written["operationTime"]
    assert len(in_session) == 3


def test_a_snapshot_session_keeps_reading_its_snapshot(client: Client) -> None:
    c = client.db.c
    c.insert_many([{"_id": 1, "x": 11}, {"_id": 2, "x": 22}])

    with client.start_session(snapshot=True) as session:
        first = c.find_one({"_id": 1}, session=session)
        c.update_one({"_id": 1}, {"$inc": {"x": 1}})
        c.delete_one({"_id": 2})
        c.insert_one({"_id": 3})
        later = list(c.find({}, session=session).sort("_id", 1))
        distinct = c.distinct("x", session=session)

    assert first == {"_id": 1, "x": 11}
    assert later == [{"_id": 1, "x": 11}, {"_id": 2, "x": 22}]
    assert distinct == [11, 22]
    assert list(c.find({}).sort("_id", 1)) == [{"_id": 1, "x": 12}, {"_id": 3}]


def test_writes_refuse_a_snapshot_read_concern(client: Client) -> None:
    with pytest.raises(OperationFailure) as raised:
        client.db.command("insert", "c", documents=[{"_id": 1}], readConcern={"level": "snapshot"})

    assert raised.value.code == 72


def test_validate_counts_documents_the_validator_refuses(client: Client) -> None:
    db = client.db
    db.c.insert_many([{"_id": 1, "a": 1}, {"_id": 2}])
    db.command("collMod", "c", validator={"a": {"$exists": True}})

    report = db.validate_collection("c")

    assert report["valid"] is True
    assert report["nrecords"] == 2
    assert report["nInvalidDocuments"] == 1
