"""Change streams through pymongo's ``watch()``, as a replica set serves them.

Each expected event is what MongoDB 6.0 documents. Waits are bounded: a stream reads with
``try_next`` (one ``getMore``) or in a thread joined with a timeout.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from bson import Timestamp
from conftest import next_event
from pymongo.errors import OperationFailure

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import Client
    from pymongo.change_stream import ChangeStream

    from mongosim import ReplicaSet


def test_collection_stream_reports_each_document_event(client: Client) -> None:
    c = client.db.c
    c.insert_one({"_id": 0})
    with c.watch(max_await_time_ms=200) as stream:
        c.insert_one({"_id": 1, "a": 1, "l": [1, 2, 3]})
        c.update_one({"_id": 1}, {"$set": {"a": 2, "s.t": 1}, "$unset": {"l": ""}})
        c.replace_one({"_id": 1}, {"b": 1})
        c.delete_one({"_id": 1})
        events = [next_event(stream) for _ in range(4)]

    insert, update, replace, _delete = events
    assert [e["operationType"] for e in events] == ["insert", "update", "replace", "delete"]
    assert insert["fullDocument"] == {"_id": 1, "a": 1, "l": [1, 2, 3]}
    assert update["updateDescription"] == {
        "updatedFields": {"a": 2, "s": {"t": 1}},
        "removedFields": ["l"],
        "truncatedArrays": [],
    }
    assert "fullDocument" not in update
    assert replace["fullDocument"] == {"_id": 1, "b": 1}
    for event in events:
        assert event["ns"] == {"db": "db", "coll": "c"}
        assert event["documentKey"] == {"_id": 1}
        assert isinstance(event["clusterTime"], Timestamp)
        assert set(event["_id"]) == {"_data"}
    times = [e["clusterTime"] for e in events]
    assert times == sorted(times)
    assert len(set(times)) == 4


def test_update_description_of_a_pipeline_update_truncates_arrays(client: Client) -> None:
    c = client.db.c
    c.insert_one({"_id": 1, "array": ["foo", {"a": "bar"}, 1, 2, 3]})
    with c.watch(max_await_time_ms=200) as stream:
        c.update_one({"_id": 1}, [{"$set": {"array": ["foo", {"a": "bar"}]}}])
        c.update_one({"_id": 1}, {"$push": {"array": 4}})
        truncated, pushed = next_event(stream), next_event(stream)

    assert truncated["updateDescription"] == {
        "updatedFields": {},
        "removedFields": [],
        "truncatedArrays": [{"field": "array", "newSize": 2}],
    }
    assert pushed["updateDescription"]["updatedFields"] == {"array.2": 4}


def test_update_lookup_returns_the_current_document(client: Client) -> None:
    c = client.db.c
    c.insert_one({"_id": 1, "n": 0})
    with c.watch(full_document="updateLookup", max_await_time_ms=200) as stream:
        c.update_one({"_id": 1}, {"$inc": {"n": 1}})
        c.update_one({"_id": 1}, {"$inc": {"n": 1}})
        first, second = next_event(stream), next_event(stream)

    assert first["fullDocument"] == {"_id": 1, "n": 2}  # looked up when read, as on MongoDB
    assert second["fullDocument"] == {"_id": 1, "n": 2}


def test_pre_and_post_images_where_the_collection_records_them(client: Client) -> None:
    db = client.db
    db.create_collection("imaged", changeStreamPreAndPostImages={"enabled": True})
    db.plain.insert_one({"_id": 1, "x": 0})
    db.imaged.insert_one({"_id": 1, "x": 0})
    options = {"full_document": "whenAvailable", "full_document_before_change": "whenAvailable"}
    with (
        db.imaged.watch(max_await_time_ms=200, **options) as imaged,
        db.plain.watch(max_await_time_ms=200, **options) as plain,
    ):
        db.imaged.update_one({"_id": 1}, {"$set": {"x": 1}})
        db.plain.update_one({"_id": 1}, {"$set": {"x": 1}})
        with_images, without = next_event(imaged), next_event(plain)

    assert with_images["fullDocument"] == {"_id": 1, "x": 1}
    assert with_images["fullDocumentBeforeChange"] == {"_id": 1, "x": 0}
    assert without["fullDocument"] is None
    assert without["fullDocumentBeforeChange"] is None


def test_a_required_pre_image_that_is_not_recorded_is_an_error(client: Client) -> None:
    c = client.db.c
    c.insert_one({"_id": 1})
    with c.watch(full_document_before_change="required", max_await_time_ms=200) as stream:
        c.delete_one({"_id": 1})
        with pytest.raises(OperationFailure):
            next_event(stream)


def test_collMod_turns_images_on(client: Client) -> None:
    db = client.db
    db.c.insert_one({"_id": 1, "x": 0})
    db.command("collMod", "c", changeStreamPreAndPostImages={"enabled": True})
    with db.c.watch(full_document_before_change="required", max_await_time_ms=200) as stream:
        db.c.delete_one({"_id": 1})
        event = next_event(stream)

    assert event["fullDocumentBeforeChange"] == {"_id": 1, "x": 0}


def test_drop_then_invalidate_closes_a_collection_stream(client: Client) -> None:
    c = client.db.c
    c.insert_one({"_id": 1})
    with c.watch(max_await_time_ms=200) as stream:
        c.drop()
        drop, invalidate = next_event(stream), next_event(stream)
        assert not stream.alive

    assert drop["operationType"] == "drop"
    assert drop["ns"] == {"db": "db", "coll": "c"}
    assert invalidate["operationType"] == "invalidate"
    assert set(invalidate) == {"_id", "operationType", "clusterTime", "wallTime"}


def test_rename_then_invalidate(client: Client) -> None:
    c = client.db.c
    c.insert_one({"_id": 1})
    with c.watch(max_await_time_ms=200) as stream:
        c.rename("d")
        rename, invalidate = next_event(stream), next_event(stream)

    assert rename["operationType"] == "rename"
    assert rename["to"] == {"db": "db", "coll": "d"}
    assert invalidate["operationType"] == "invalidate"


def test_start_after_an_invalidate_continues_past_it(client: Client) -> None:
    c = client.db.c
    c.insert_one({"_id": 1})
    with c.watch(max_await_time_ms=200) as stream:
        c.drop()
        next_event(stream)
        token = next_event(stream)["_id"]
    c.insert_one({"_id": 2})

    with c.watch(start_after=token, max_await_time_ms=200) as resumed:
        event = next_event(resumed)
    with pytest.raises(OperationFailure) as raised:
        c.watch(resume_after=token)

    assert event["documentKey"] == {"_id": 2}
    assert raised.value.code == 260


def test_database_stream_sees_every_collection_and_drop_database(client: Client) -> None:
    db = client.db
    with db.watch(max_await_time_ms=200) as stream:
        db.a.insert_one({"_id": 1})
        db.b.insert_one({"_id": 2})
        client.other.c.insert_one({"_id": 3})  # another database: not seen
        client.drop_database("db")
        events = [next_event(stream) for _ in range(6)]

    assert [e["operationType"] for e in events] == [
        "insert",
        "insert",
        "drop",
        "drop",
        "dropDatabase",
        "invalidate",
    ]
    assert [e["ns"] for e in events[:5]] == [
        {"db": "db", "coll": "a"},
        {"db": "db", "coll": "b"},
        {"db": "db", "coll": "a"},
        {"db": "db", "coll": "b"},
        {"db": "db"},
    ]
    assert "ns" not in events[5]


def test_client_stream_sees_every_database(client: Client) -> None:
    with client.watch(max_await_time_ms=200) as stream:
        client.one.c.insert_one({"_id": 1})
        client.two.d.insert_one({"_id": 2})
        first, second = next_event(stream), next_event(stream)

    assert (first["ns"], second["ns"]) == ({"db": "one", "coll": "c"}, {"db": "two", "coll": "d"})


def test_match_and_project_stages_apply_to_events(client: Client) -> None:
    c = client.db.c
    pipeline = [
        {"$match": {"operationType": "insert", "fullDocument.keep": True}},
        {"$project": {"kind": "$operationType", "doc": "$fullDocument._id"}},
    ]
    with c.watch(pipeline, max_await_time_ms=200) as stream:
        c.insert_one({"_id": 1, "keep": False})
        c.insert_one({"_id": 2, "keep": True})
        c.delete_one({"_id": 2})
        event = next_event(stream)

    assert {k: v for k, v in event.items() if k != "_id"} == {"kind": "insert", "doc": 2}


def test_projecting_out_the_resume_token_is_fatal(client: Client) -> None:
    c = client.db.c
    with c.watch([{"$project": {"_id": 0}}], max_await_time_ms=200) as stream:
        c.insert_one({"_id": 1})
        with pytest.raises(OperationFailure) as raised:
            next_event(stream)

    assert raised.value.code == 280
    assert raised.value.has_error_label("NonResumableChangeStreamError")


def test_resume_after_and_start_at_operation_time(client: Client) -> None:
    c = client.db.c
    with c.watch(max_await_time_ms=200) as stream:
        c.insert_one({"_id": 1})
        first = next_event(stream)
    c.insert_one({"_id": 2})
    c.insert_one({"_id": 3})

    with c.watch(resume_after=first["_id"], max_await_time_ms=200) as resumed:
        after_token = [next_event(resumed)["documentKey"]["_id"] for _ in range(2)]
    with c.watch(start_at_operation_time=first["clusterTime"], max_await_time_ms=200) as s:
        from_time = [next_event(s)["documentKey"]["_id"] for _ in range(3)]

    assert after_token == [2, 3]
    assert from_time == [1, 2, 3]


def test_post_batch_resume_token_moves_without_events(client: Client) -> None:
    c = client.db.c
    with c.watch([{"$match": {"operationType": "delete"}}], max_await_time_ms=100) as stream:
        before = stream.resume_token
        c.insert_one({"_id": 1})  # filtered out, yet the stream's position moves past it
        assert stream.try_next() is None
        after = stream.resume_token

    assert before is not None
    assert after is not None
    assert after != before


def test_show_expanded_events(client: Client) -> None:
    db = client.db
    with db.watch(show_expanded_events=True, max_await_time_ms=200) as stream:
        db.create_collection("c")
        db.c.create_index("x", name="x_1")
        db.c.drop_index("x_1")
        db.command("collMod", "c", validator={"y": {"$exists": False}})
        db.c.insert_one({"_id": 1})
        events = [next_event(stream) for _ in range(5)]

    assert [e["operationType"] for e in events] == [
        "create",
        "createIndexes",
        "dropIndexes",
        "modify",
        "insert",
    ]
    assert events[1]["operationDescription"]["indexes"][0]["name"] == "x_1"
    assert len({e["collectionUUID"] for e in events}) == 1


def test_an_invalid_stage_fails_the_aggregate(client: Client) -> None:
    with pytest.raises(OperationFailure) as unknown:
        client.db.c.watch([{"$unsupported": "foo"}])
    with pytest.raises(OperationFailure) as not_allowed:
        client.db.c.watch([{"$group": {"_id": None}}])

    assert unknown.value.code == 40324
    assert not_allowed.value.code == 20


@pytest.fixture
def waiting_stream(client: Client) -> Iterator[tuple[Client, ChangeStream[Any]]]:
    """A stream whose getMore waits up to 30 s (far longer than any test waits)."""
    with client.db.c.watch(max_await_time_ms=30_000) as stream:
        yield client, stream


def _wait_for_get_more(rs: ReplicaSet, before: int) -> None:
    for _ in range(500):
        if rs.commands()["getMore"] > before:
            return
        threading.Event().wait(0.01)
    raise AssertionError("the stream never sent its getMore")


def test_a_waiting_get_more_wakes_as_soon_as_an_event_arrives(
    rs: ReplicaSet, waiting_stream: tuple[Client, ChangeStream[Any]]
) -> None:
    client, stream = waiting_stream
    received: list[dict[str, Any]] = []
    before = rs.commands()["getMore"]
    reader = threading.Thread(target=lambda: received.append(stream.next()))
    reader.start()
    _wait_for_get_more(rs, before)

    client.db.c.insert_one({"_id": 1})
    reader.join(timeout=10)  # a timer-driven getMore would only answer after 30 s

    assert not reader.is_alive()
    assert received[0]["documentKey"] == {"_id": 1}


def test_a_stream_resumes_on_the_new_primary_after_a_failover(
    rs: ReplicaSet, client: Client
) -> None:
    c = client.db.c
    with c.watch(max_await_time_ms=200) as stream:
        c.insert_one({"_id": 1})
        first = next_event(stream)
        rs.kill(0)
        rs.elect(1)
        c.insert_one({"_id": 2})
        second = next_event(stream, attempts=50)  # the getMore fails; pymongo resumes by token
        c.insert_one({"_id": 3})
        third = next_event(stream)

    assert [e["documentKey"]["_id"] for e in (first, second, third)] == [1, 2, 3]
    assert rs.commands(1)["aggregate"] >= 1  # the stream was reopened on member 1


def test_a_stream_keeps_reading_after_a_step_down(rs: ReplicaSet, client: Client) -> None:
    c = client.db.c
    with c.watch(max_await_time_ms=200) as stream:
        c.insert_one({"_id": 1})
        next_event(stream)
        rs.step_down()
        c.insert_one({"_id": 2})
        event = next_event(stream, attempts=50)

    assert event["documentKey"] == {"_id": 2}


def test_change_streams_need_majority_read_concern(client: Client) -> None:
    from pymongo.read_concern import ReadConcern

    local = client.db.get_collection("c", read_concern=ReadConcern("local"))

    with pytest.raises(OperationFailure):
        local.watch()


def test_an_async_client_watches_too(rs: ReplicaSet) -> None:
    import asyncio

    from pymongo import AsyncMongoClient

    async def watch() -> dict[str, Any] | None:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(rs.uri)
        try:
            async with await client.db.c.watch(max_await_time_ms=200) as stream:
                await client.db.c.insert_one({"_id": 1})
                for _ in range(20):
                    event = await stream.try_next()
                    if event is not None:
                        return event
                return None
        finally:
            await client.close()

    event = asyncio.run(watch())

    assert event is not None
    assert event["documentKey"] == {"_id": 1}


def test_update_lookup_judges_ttl_expiry_by_the_simulated_clock(
    rs: ReplicaSet, client: Client
) -> None:
    c = client.db.c
    c.create_index("seen", expireAfterSeconds=60)
    c.insert_one({"_id": 1, "seen": rs.clock.now()})
    with c.watch(full_document="updateLookup", max_await_time_ms=200) as stream:
        c.update_one({"_id": 1}, {"$set": {"n": 1}})
        # The TTL monitor's 120 s pass deletes it (expired on the server's clock, not the
        # host's) before the stream's next getMore looks the document up.
        rs.clock.advance(130)
        event = next_event(stream)

    assert event["operationType"] == "update"
    assert event["fullDocument"] is None
