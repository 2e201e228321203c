"""The failover matrix again, through AsyncMongoProxy and pymongo's AsyncMongoClient."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pymongo
import pytest
from conftest import CLIENT_OPTIONS, FAST, CommandCounter, async_wait_until
from pymongo import ReadPreference
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    PyMongoError,
    ServerSelectionTimeoutError,
    WriteConcernError,
)

from mongo_autoreconnect import (
    AmbiguousWriteError,
    AsyncMongoProxy,
    AsyncResumableCursor,
    CursorResumeError,
    RetryPolicy,
    _runner,
)

Scenario = Callable[[Any], Awaitable[None]]


@pytest.fixture
def run_with_collection(mongo_uri, db_name):
    """Run ``scenario(collection_proxy)`` on a fresh async client; clean up after."""

    def run(scenario: Scenario, policy: RetryPolicy = FAST, events=None, **options: Any) -> None:
        async def main() -> None:
            client = pymongo.AsyncMongoClient(mongo_uri, **{**CLIENT_OPTIONS, **options})
            try:
                await client.admin.command("ping")
                on_retry = events.append if events is not None else None
                proxy = AsyncMongoProxy(client, policy, on_retry=on_retry)
                await scenario(proxy[db_name]["c"])
            finally:
                with contextlib.suppress(PyMongoError):  # only a simulated outage raises
                    await client.drop_database(db_name)
                await client.close()

        asyncio.run(main())

    return run


def test_step_down_with_no_primary_for_1_5_s_surfaces_no_error(mongo_rs, run_with_collection):
    async def scenario(c):
        for i in range(200):
            if i == 20:
                mongo_rs.step_down(no_primary_for=1.5)
            await c.insert_one({"_id": i, "n": 0})
            assert await c.find_one({"_id": i}) == {"_id": i, "n": 0}
            await c.update_one({"_id": i}, {"$inc": {"n": 1}})
            assert await c.count_documents({"_id": {"$lte": i}}) == i + 1
        assert await c.count_documents({"n": 1}) == 200
        assert mongo_rs.primary not in (None, 0)

    run_with_collection(scenario)


@pytest.mark.parametrize("command", ["insert", "update"])
def test_a_lost_write_reply_is_applied_exactly_once(mongo_rs, run_with_collection, command):
    async def scenario(c):
        await c.insert_one({"_id": "counter", "n": 0})
        mongo_rs.fail_next(command, "apply_then_hangup")
        if command == "insert":
            await c.insert_one({"_id": "new"})
            assert await c.count_documents({}) == 2
        else:
            await c.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
            assert (await c.find_one({"_id": "counter"}))["n"] == 1

    run_with_collection(scenario)


def test_a_lost_reply_then_a_not_primary_reply_is_still_applied_exactly_once(
    mongo_rs, run_with_collection
):
    async def scenario(c):
        await c.insert_one({"_id": "counter", "n": 0})
        mongo_rs.fail_next("update", "apply_then_hangup")
        mongo_rs.fail_next("update", "not_primary")
        await c.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
        assert (await c.find_one({"_id": "counter"}))["n"] == 1

    run_with_collection(scenario)


def test_a_lost_reply_then_an_unlabelled_refusal_is_ambiguous_not_re_run(
    mongo_rs, run_with_collection
):
    async def scenario(c):
        await c.insert_one({"_id": "counter", "n": 0})
        mongo_rs.fail_next("update", "apply_then_hangup")
        mongo_rs.fail_next("update", "not_primary_unlabelled")
        with pytest.raises(AmbiguousWriteError) as caught:
            await c.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
        assert caught.value.original.details["code"] == 10107
        assert (await c.find_one({"_id": "counter"}))["n"] == 1

    run_with_collection(scenario)


def test_get_more_hangup_resumes_without_duplicates_or_gaps(mongo_rs, run_with_collection):
    async def scenario(c):
        await c.insert_many([{"_id": i} for i in range(10)])
        cursor = c.find({}).sort("_id").batch_size(2)
        assert isinstance(cursor, AsyncResumableCursor)
        seen = [(await cursor.next())["_id"], (await cursor.next())["_id"]]
        mongo_rs.fail_next("getMore", "hangup")
        seen += [doc["_id"] async for doc in cursor]
        assert seen == list(range(10))

    run_with_collection(scenario)


def test_aggregate_ending_in_sort_resumes(mongo_rs, run_with_collection):
    async def scenario(c):
        await c.insert_many([{"_id": i} for i in range(10)])
        mongo_rs.fail_next("getMore", "hangup")
        cursor = await c.aggregate([{"$sort": {"_id": 1}}], batchSize=3)
        assert [d["_id"] for d in await cursor.to_list()] == list(range(10))

    run_with_collection(scenario)


def test_a_sort_over_mixed_types_resumes_into_every_later_type(mongo_rs, run_with_collection):
    docs = [{"_id": 1, "k": 1}, {"_id": 2}, {"_id": 3, "k": "a"}, {"_id": 4, "k": True}]
    docs += [{"_id": 5, "k": None}, {"_id": 6, "k": 2}, {"_id": 7, "k": "b"}]

    async def scenario(c):
        await c.insert_many(docs)
        for direction in (1, -1):
            expected = [d.get("k") async for d in c.unwrap().find(sort=[("k", direction)])]
            for batch_size in (2, 4):
                mongo_rs.fail_next("getMore", "hangup")
                cursor = c.find(sort=[("k", direction)], batch_size=batch_size)
                got = await cursor.to_list()
                assert [d.get("k") for d in got] == expected
                assert sorted(d["_id"] for d in got) == list(range(1, 8))

    run_with_collection(scenario)


def test_a_cursor_without_its_resume_key_raises(mongo_rs, run_with_collection):
    async def scenario(c):
        await c.insert_many([{"_id": i, "v": i} for i in range(6)])
        cursor = c.find({}, {"_id": 0}, batch_size=2)
        await cursor.next()
        await cursor.next()
        mongo_rs.fail_next("getMore", "hangup")
        with pytest.raises(CursorResumeError, match="'_id' is missing"):
            await cursor.to_list()

    run_with_collection(scenario)


def test_update_many_with_a_lost_reply_raises_ambiguous_write_error(mongo_rs, run_with_collection):
    async def scenario(c):
        await c.insert_many([{"_id": i, "n": 0} for i in range(5)])
        mongo_rs.fail_next("update", "apply_then_hangup")
        with pytest.raises(AmbiguousWriteError):
            await c.update_many({}, {"$inc": {"n": 1}})
        assert [doc["n"] async for doc in c.find()] == [1] * 5

    run_with_collection(scenario)


def test_a_bulk_refused_after_its_first_command_was_applied_is_ambiguous(
    mongo_rs, run_with_collection
):
    async def scenario(c):
        await c.insert_one({"_id": "counter", "n": 0})
        mongo_rs.fail_next("insert", "not_primary")
        requests = [
            pymongo.UpdateOne({"_id": "counter"}, {"$inc": {"n": 1}}),
            pymongo.InsertOne({"_id": "x"}),
            pymongo.UpdateMany({}, {"$set": {"seen": True}}),
        ]
        with pytest.raises(AmbiguousWriteError):
            await c.bulk_write(requests)
        assert (await c.find_one({"_id": "counter"}))["n"] == 1

    run_with_collection(scenario)


def test_idempotent_update_many_is_retried(mongo_rs, run_with_collection):
    async def scenario(c):
        await c.insert_many([{"_id": i} for i in range(3)])
        mongo_rs.fail_next("update", "apply_then_hangup")
        await c.idempotent.update_many({}, {"$set": {"done": True}})
        assert await c.count_documents({"done": True}) == 3

    run_with_collection(scenario)


def test_an_update_many_interrupted_after_k_of_n_documents_is_never_re_run(
    mongo_rs, run_with_collection
):
    async def scenario(c):
        await c.insert_many([{"_id": i, "n": 0} for i in range(5)])
        before = mongo_rs.commands()["update"]
        mongo_rs.step_down(during="update", after_documents=2)
        with pytest.raises(AmbiguousWriteError) as caught:
            await c.update_many({}, {"$inc": {"n": 1}})
        assert caught.value.original.details["code"] == 11602
        assert mongo_rs.commands()["update"] - before == 1
        assert await c.count_documents({"n": 1}) == 2
        assert await c.count_documents({"n": 0}) == 3

    run_with_collection(scenario)


def test_a_refusal_is_retried_and_a_write_concern_error_is_ambiguous(
    fail_point, run_with_collection
):
    async def scenario(c):
        await c.insert_many([{"_id": i, "n": 0} for i in range(3)])
        fail_point({"times": 1}, failCommands=["update"], errorCode=10107, errorLabels=[])
        assert (await c.update_many({}, {"$inc": {"n": 1}})).modified_count == 3
        fail_point(
            {"times": 1},
            failCommands=["insert"],
            writeConcernError={"code": 64, "errmsg": "waiting for replication timed out"},
        )
        with pytest.raises(AmbiguousWriteError) as caught:
            await c.insert_many([{"_id": 10}, {"_id": 11}])
        assert isinstance(caught.value.original, BulkWriteError)
        assert await c.count_documents({"n": 1}) == 3
        assert await c.count_documents({"_id": {"$gte": 10}}) == 2

    run_with_collection(scenario)


def test_a_write_concern_error_with_a_refusal_code_is_ambiguous_not_retried(
    fail_point, run_with_collection
):
    counter = CommandCounter()

    async def scenario(c):
        await c.insert_many([{"_id": i, "n": 0} for i in range(3)])
        fail_point(
            {"times": 1},
            failCommands=["update"],
            errorLabels=[],
            writeConcernError={"code": 10107, "errmsg": "not primary while waiting"},
        )
        with pytest.raises(AmbiguousWriteError) as caught:
            await c.update_many({}, {"$inc": {"n": 1}})
        assert isinstance(caught.value.original, WriteConcernError)
        assert counter.counts["update"] == 1
        assert await c.count_documents({"n": 1}) == 3

    run_with_collection(scenario, FAST, event_listeners=[counter])


def test_no_primary_past_the_deadline_raises_pymongos_own_error(mongo_rs, run_with_collection):
    policy = RetryPolicy(deadline=1.5, initial=0.05, maximum=0.3)
    events: list[Any] = []

    async def scenario(c):
        await c.insert_one({"_id": 0})
        mongo_rs.step_down(no_primary_for=60)
        client = c.unwrap().database.client
        await async_wait_until(lambda: not client.topology_description.has_writable_server())
        started = time.monotonic()
        with pytest.raises(AutoReconnect) as caught:
            await c.insert_one({"_id": 1})
        assert time.monotonic() - started >= policy.deadline * 0.9
        assert type(caught.value) is ServerSelectionTimeoutError

    run_with_collection(scenario, policy, events)
    assert all(e.elapsed + e.delay <= policy.deadline for e in events)


def test_waiting_for_a_primary_is_heard(mongo_rs, run_with_collection, monkeypatch, caplog):
    # The proxy waits for a server in logged slices (0.5 s here instead of 5 s).
    monkeypatch.setattr(_runner, "WARNING_INTERVAL", 0.5)

    async def scenario(c):
        await c.insert_one({"_id": 0})
        mongo_rs.step_down(no_primary_for=60)
        client = c.unwrap().database.client
        await async_wait_until(lambda: not client.topology_description.has_writable_server())
        with (
            caplog.at_level(logging.WARNING, logger="mongo_autoreconnect"),
            pytest.raises(ServerSelectionTimeoutError),
        ):
            await c.find_one({"_id": 0})

    run_with_collection(scenario, RetryPolicy(deadline=1.2))
    first = caplog.records[0].getMessage()
    assert first.startswith("mar_")
    assert ".c.find_one failed (ServerSelectionTimeoutError" in first
    assert "retrying until its 1.2s deadline" in first


def test_a_write_pymongo_retried_until_the_deadline_is_ambiguous(fail_point, run_with_collection):
    async def scenario(c):
        await c.insert_one({"_id": 0})
        # Refused until the deadline however fast pymongo retries (see the sync twin).
        fail_point(
            "alwaysOn",
            failCommands=["insert"],
            errorCode=10107,
            errorLabels=["RetryableWriteError"],
        )
        with pytest.raises(AmbiguousWriteError) as caught:
            await c.insert_one({"_id": 1})
        assert isinstance(
            caught.value.original, (NotPrimaryError, NetworkTimeout, ExecutionTimeout)
        )
        assert await c.count_documents({}) == 1

    run_with_collection(scenario, RetryPolicy(deadline=1.0))


def test_duplicate_key_error_is_raised_at_once(run_with_collection):
    counter = CommandCounter()
    events: list[Any] = []

    async def scenario(c):
        await c.insert_one({"_id": "x"})
        before = counter.counts["insert"]
        with pytest.raises(DuplicateKeyError):
            await c.insert_one({"_id": "x"})
        assert counter.counts["insert"] - before == 1

    run_with_collection(scenario, FAST, events, event_listeners=[counter])
    assert events == []


def test_reads_fall_back_to_a_secondary_while_there_is_no_primary(mongo_rs, run_with_collection):
    events: list[Any] = []
    policy = FAST.with_changes(read_fallback=ReadPreference.PRIMARY_PREFERRED)

    async def scenario(c):
        await c.insert_one({"_id": 1})
        mongo_rs.step_down(no_primary_for=30)
        client = c.database.client.unwrap()
        await async_wait_until(lambda: not client.topology_description.has_writable_server())
        assert await c.find_one({"_id": 1}) == {"_id": 1}

    run_with_collection(scenario, policy, events)
    assert events[-1].read_preference == ReadPreference.PRIMARY_PREFERRED


def test_navigation_and_context_manager(mongo_uri, db_name):
    async def main() -> None:
        async with AsyncMongoProxy(pymongo.AsyncMongoClient(mongo_uri)) as client:
            posts = client.get_database(db_name).get_collection("posts")
            assert isinstance(posts, AsyncMongoProxy)
            await posts.insert_one({"title": "x"})
            assert (await posts.find_one())["title"] == "x"
            assert bool(posts) is True
            assert "posts" in await client[db_name].list_collection_names()
            await client.drop_database(db_name)

    asyncio.run(main())


def test_a_closed_cursor_stops_like_pymongos_and_is_never_re_issued(run_with_collection):
    async def scenario(c):
        await c.insert_many([{"_id": i} for i in range(5)])
        raw = c.unwrap().find().sort("_id").batch_size(2)
        cursor = c.find().sort("_id").batch_size(2)
        assert (await anext(raw))["_id"] == (await anext(cursor))["_id"] == 0
        await raw.close()
        await cursor.close()
        rest = [doc["_id"] async for doc in cursor]
        assert 0 not in rest  # the query was not run again from the start
        assert rest == [doc["_id"] async for doc in raw]
        assert cursor.alive is False

    run_with_collection(scenario)


def test_a_shorter_enclosing_pymongo_timeout_still_bounds_a_hung_call(
    fail_point, run_with_collection
):
    # As the synchronous test: the proxy enters no deadline of its own inside the caller's
    # shorter one, and the caller's still ends a find the server holds for 5 s.
    async def scenario(c):
        await c.insert_one({"_id": 1})
        fail_point({"times": 1}, failCommands=["find"], blockConnection=True, blockTimeMS=5000)
        with pytest.raises(PyMongoError) as caught, pymongo.timeout(0.5):
            await c.find_one({"_id": 1})
        assert caught.value.timeout
        assert not isinstance(caught.value, AmbiguousWriteError)
        assert await c.find_one({"_id": 1}) == {"_id": 1}

    run_with_collection(scenario)
