"""The issue's failover matrix, through pymongo over TCP to mongosim (or MONGODB_URI).

Tests asking for ``mongo_rs`` inject faults and skip against a real server; the others run
against both.
"""

from __future__ import annotations

import datetime
import logging
import time

import pymongo
import pytest
from conftest import FAST, CommandCounter, CommandRecorder, wait_until
from pymongo import ReadPreference
from pymongo.change_stream import ChangeStream
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WriteConcernError,
)

from mongo_autoreconnect import (
    AmbiguousWriteError,
    CursorResumeError,
    MongoProxy,
    ResumableCursor,
    RetryPolicy,
    _runner,
)


@pytest.fixture
def events():
    return []


@pytest.fixture
def proxy(make_client, db_name, events):
    client = make_client()
    client.admin.command("ping")
    return MongoProxy(client, FAST, on_retry=events.append)


def collection(proxy, db_name, name="c"):
    return proxy[db_name][name]


def test_step_down_with_no_primary_for_1_5_s_surfaces_no_error(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    for i in range(200):
        if i == 20:
            mongo_rs.step_down(no_primary_for=1.5)
        c.insert_one({"_id": i, "n": 0})
        assert c.find_one({"_id": i}) == {"_id": i, "n": 0}
        c.update_one({"_id": i}, {"$inc": {"n": 1}})
        assert c.count_documents({"_id": {"$lte": i}}) == i + 1
    assert mongo_rs.primary not in (None, 0), "the election did not happen during the run"
    assert c.count_documents({}) == 200
    assert sorted(doc["_id"] for doc in c.find({"n": 1})) == list(range(200))


def test_without_the_proxy_the_same_election_surfaces_errors(mongo_rs, make_client, db_name):
    # Negative control: the scenario above is a real failure for plain pymongo.
    c = make_client()[db_name]["c"]
    c.insert_one({"_id": -1})
    mongo_rs.step_down(no_primary_for=1.5)
    errors = []
    for i in range(200):
        try:
            c.insert_one({"_id": i})
        except AutoReconnect as error:
            errors.append(error)
            break
    assert errors, "plain pymongo rode out the election: the scenario tests nothing"


@pytest.mark.parametrize("command", ["insert", "update"])
def test_a_lost_write_reply_is_applied_exactly_once(mongo_rs, proxy, db_name, command):
    c = collection(proxy, db_name)
    c.insert_one({"_id": "counter", "n": 0})
    mongo_rs.fail_next(command, "apply_then_hangup")
    if command == "insert":
        c.insert_one({"_id": "new", "n": 0})
    else:
        c.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
    assert c.count_documents({}) == (2 if command == "insert" else 1)
    assert c.find_one({"_id": "counter"})["n"] == (0 if command == "insert" else 1)


def test_a_lost_reply_then_a_not_primary_reply_is_still_applied_exactly_once(
    mongo_rs, proxy, db_name
):
    # Why even the first attempt runs inside pymongo.timeout(): without it pymongo stops
    # after one retry and raises the NotPrimaryError, which alone looks "not applied", and a
    # new attempt (new txnNumber) would apply the $inc a second time.
    c = collection(proxy, db_name)
    c.insert_one({"_id": "counter", "n": 0})
    mongo_rs.fail_next("update", "apply_then_hangup")
    mongo_rs.fail_next("update", "not_primary")
    c.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
    assert c.find_one({"_id": "counter"})["n"] == 1


def test_a_lost_reply_then_an_unlabelled_refusal_is_ambiguous_not_re_run(
    mongo_rs, make_client, db_name
):
    # pymongo retried the update_one itself (same txnNumber) after the lost reply and
    # raises only its last error: a refusal of that retry without the RetryableWriteError
    # label says nothing of the first attempt, which was applied.
    counter = CommandCounter()
    c = MongoProxy(make_client(event_listeners=[counter]), FAST)[db_name]["c"]
    c.insert_one({"_id": "counter", "n": 0})
    mongo_rs.fail_next("update", "apply_then_hangup")
    mongo_rs.fail_next("update", "not_primary_unlabelled")
    with pytest.raises(AmbiguousWriteError) as caught:
        c.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
    assert caught.value.original.details["code"] == 10107
    assert "pymongo retries it itself" in str(caught.value)
    assert counter.counts["update"] == 2  # the first attempt and pymongo's retry
    assert c.find_one({"_id": "counter"})["n"] == 1


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("update_one", ({"_id": "counter"}, {"$inc": {"n": 1}})),
        ("bulk_write", ([pymongo.UpdateOne({"_id": "counter"}, {"$inc": {"n": 1}})],)),
    ],
)
def test_with_retry_writes_off_an_unlabelled_refusal_is_retried_and_applied_once(
    mongo_rs, make_client, db_name, method, args
):
    # Without retryable writes pymongo sends the command once: its refusal proves it.
    c = MongoProxy(make_client(retryWrites=False), FAST)[db_name]["c"]
    c.insert_one({"_id": "counter", "n": 0})
    mongo_rs.fail_next("update", "not_primary_unlabelled")
    getattr(c, method)(*args)
    assert c.find_one({"_id": "counter"})["n"] == 1


def test_with_retry_writes_off_a_lost_reply_is_ambiguous_not_doubled(
    mongo_rs, make_client, db_name
):
    c = MongoProxy(make_client(retryWrites=False), FAST)[db_name]["c"]
    c.insert_one({"_id": "counter", "n": 0})
    mongo_rs.fail_next("update", "apply_then_hangup")
    with pytest.raises(AmbiguousWriteError):
        c.update_one({"_id": "counter"}, {"$inc": {"n": 1}})
    assert c.find_one({"_id": "counter"})["n"] == 1


def test_update_many_with_a_lost_reply_raises_ambiguous_write_error(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "n": 0} for i in range(5)])
    mongo_rs.fail_next("update", "apply_then_hangup")
    with pytest.raises(AmbiguousWriteError) as caught:
        c.update_many({}, {"$inc": {"n": 1}})
    assert isinstance(caught.value.original, AutoReconnect)
    assert caught.value.operation == f"{db_name}.c.update_many"
    assert [doc["n"] for doc in c.find()] == [1] * 5  # applied once, never twice


@pytest.mark.parametrize("after", [0, 2])
def test_an_update_many_interrupted_after_k_of_n_documents_is_never_re_run(
    mongo_rs, proxy, db_name, after
):
    # A real primary stepping down interrupts the write in flight with 11602 after it
    # changed some documents: "not primary" in pymongo's eyes, but not "not applied".
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "n": 0} for i in range(5)])
    before = mongo_rs.commands()["update"]
    mongo_rs.step_down(during="update", after_documents=after)
    with pytest.raises(AmbiguousWriteError) as caught:
        c.update_many({}, {"$inc": {"n": 1}})
    assert caught.value.original.details["code"] == 11602
    assert "interrupted it after it may have started" in str(caught.value)
    assert mongo_rs.commands()["update"] - before == 1  # sent once, never re-run
    assert sorted(doc["_id"] for doc in c.find({"n": 1})) == list(range(after))
    assert c.count_documents({"n": {"$gt": 1}}) == 0


def test_a_refusal_before_the_command_ran_is_retried_and_applied_once(
    fail_point, proxy, db_name, events
):
    # failCommand 10107 NotWritablePrimary, no label: an update_many pymongo does not
    # retry; the refusal proves nothing ran, so the proxy runs it again, once.
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "n": 0} for i in range(5)])
    fail_point({"times": 1}, failCommands=["update"], errorCode=10107, errorLabels=[])
    result = c.update_many({}, {"$inc": {"n": 1}})
    assert result.modified_count == 5
    assert [doc["n"] for doc in c.find()] == [1] * 5
    assert [e.attempt for e in events] == [1]
    assert events[0].error.details["code"] == 10107


@pytest.mark.parametrize("code", [11602, 11600, 189, 91])
def test_an_interruption_of_a_multi_document_write_is_ambiguous_and_sent_once(
    fail_point, make_client, db_name, code
):
    counter = CommandCounter()
    c = MongoProxy(make_client(event_listeners=[counter]), FAST)[db_name]["c"]
    c.insert_many([{"_id": i, "n": 0} for i in range(3)])
    fail_point({"times": 1}, failCommands=["update"], errorCode=code)
    with pytest.raises(AmbiguousWriteError) as caught:
        c.update_many({}, {"$inc": {"n": 1}})
    assert caught.value.original.details["code"] == code
    assert counter.counts["update"] == 1


def test_a_write_concern_error_on_an_applied_insert_many_is_ambiguous(
    fail_point, make_client, db_name
):
    # The documents were inserted; the write concern was not satisfied (wtimeout).
    counter = CommandCounter()
    c = MongoProxy(make_client(event_listeners=[counter]), FAST)[db_name]["c"]
    fail_point(
        {"times": 1},
        failCommands=["insert"],
        writeConcernError={
            "code": 64,
            "codeName": "WriteConcernTimeout",
            "errmsg": "waiting for replication timed out",
            "errInfo": {"wtimeout": True},
        },
    )
    with pytest.raises(AmbiguousWriteError) as caught:
        c.insert_many([{"_id": i} for i in range(4)])
    assert isinstance(caught.value.original, BulkWriteError)
    assert caught.value.original.details["writeConcernErrors"][0]["code"] == 64
    assert "write concern was not satisfied" in str(caught.value)
    assert counter.counts["insert"] == 1  # never re-run
    assert sorted(doc["_id"] for doc in c.find()) == [0, 1, 2, 3]


@pytest.mark.parametrize("code", [10107, 13435, 13436])
def test_a_write_concern_error_with_a_refusal_code_is_ambiguous_not_retried(
    fail_point, make_client, db_name, code
):
    # The update ran; only waiting for its write concern failed. The code of a
    # writeConcernError proves nothing about the write itself (unlabelled: update_many
    # carries no txnNumber), so the $inc must not run a second time.
    counter = CommandCounter()
    c = MongoProxy(make_client(event_listeners=[counter]), FAST)[db_name]["c"]
    c.insert_many([{"_id": i, "n": 0} for i in range(3)])
    fail_point(
        {"times": 1},
        failCommands=["update"],
        errorLabels=[],
        writeConcernError={"code": code, "errmsg": "not primary while waiting for replication"},
    )
    with pytest.raises(AmbiguousWriteError) as caught:
        c.update_many({}, {"$inc": {"n": 1}})
    assert isinstance(caught.value.original, WriteConcernError)
    assert "write concern was not satisfied" in str(caught.value)
    assert counter.counts["update"] == 1
    assert [doc["n"] for doc in c.find()] == [1, 1, 1]


def test_update_many_refused_by_a_stepped_down_primary_is_retried(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "n": 0} for i in range(5)])
    mongo_rs.fail_next("update", "not_primary_unlabelled")
    c.update_many({}, {"$inc": {"n": 1}})
    assert [doc["n"] for doc in c.find()] == [1] * 5


@pytest.mark.parametrize("fault", ["not_primary", "not_primary_unlabelled"])
def test_a_bulk_refused_after_its_first_command_was_applied_is_ambiguous(
    mongo_rs, proxy, db_name, fault
):
    # An ordered bulk of three kinds sends three commands; "not primary" on the second one
    # does not mean the first (the $inc) was not applied, so the bulk is not run again.
    c = collection(proxy, db_name)
    c.insert_one({"_id": "counter", "n": 0})
    mongo_rs.fail_next("insert", fault)
    requests = [
        pymongo.UpdateOne({"_id": "counter"}, {"$inc": {"n": 1}}),
        pymongo.InsertOne({"_id": "x"}),
        pymongo.UpdateMany({}, {"$set": {"seen": True}}),
    ]
    with pytest.raises(AmbiguousWriteError) as caught:
        c.bulk_write(requests)
    assert isinstance(caught.value.original, AutoReconnect)
    assert c.find_one({"_id": "counter"})["n"] == 1


def test_idempotent_update_many_is_retried_after_a_lost_reply(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i} for i in range(5)])
    mongo_rs.fail_next("update", "apply_then_hangup")
    result = c.idempotent.update_many({}, {"$set": {"done": True}})
    assert result.matched_count == 5
    assert c.count_documents({"done": True}) == 5


def test_no_primary_past_the_deadline_raises_pymongos_own_error_and_is_heard(
    mongo_rs, make_client, db_name, caplog, monkeypatch
):
    # Waits for a server in slices of WARNING_INTERVAL (5 s; 0.5 s here, to stay short).
    monkeypatch.setattr(_runner, "WARNING_INTERVAL", 0.5)
    events = []
    policy = RetryPolicy(deadline=1.5, initial=0.05, maximum=0.3)
    client = make_client()
    c = MongoProxy(client, policy, on_retry=events.append)[db_name]["c"]
    c.insert_one({"_id": 0})
    mongo_rs.step_down(no_primary_for=60)
    wait_until(lambda: not client.topology_description.has_writable_server())
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="mongo_autoreconnect"),
        pytest.raises(AutoReconnect) as caught,
    ):
        c.insert_one({"_id": 1})
    # It rode the outage out to the deadline (a lower bound: slowness cannot break it)...
    assert time.monotonic() - started >= policy.deadline * 0.9
    # ...waiting for a server (nothing was sent), and then raised pymongo's own error.
    assert type(caught.value) is ServerSelectionTimeoutError
    # The first failure was logged with the error and the deadline.
    first = caplog.records[0].getMessage()
    assert f"{db_name}.c.insert_one failed (ServerSelectionTimeoutError" in first
    assert "until its 1.5s deadline" in first
    # Each slice a failure, retried with no backoff between: two retries when every slice
    # ends on time (0.5 and 1.0 s), one when a loaded machine stretches the first (CI saw
    # its first failure 1.0 s in); never more, since no slice is shorter than 0.5 s.
    assert 1 <= len(events) <= 2
    assert [e.attempt for e in events] == list(range(1, len(events) + 1))
    assert all(e.delay == 0.0 for e in events)
    # No pause the proxy chose ran past the deadline (the upper bound, with a fake clock,
    # is test_proxy.py::TestRetryLoop::test_past_the_deadline_the_last_error_is_raised_unchanged).
    assert all(e.elapsed + e.delay <= policy.deadline for e in events)


def test_a_write_pymongo_retried_until_the_deadline_is_ambiguous(fail_point, make_client, db_name):
    # pymongo retried the insert with the same txnNumber until the deadline; its last error
    # is a refusal, which says nothing of the earlier attempts: not "not applied". The
    # refusals last as long as the deadline however fast pymongo retries (a fixed number of
    # them ran out before a 1 s deadline on a fast machine, and the insert then went through).
    c = MongoProxy(make_client(), RetryPolicy(deadline=1.0))[db_name]["c"]
    c.insert_one({"_id": 0})
    fail_point(
        "alwaysOn", failCommands=["insert"], errorCode=10107, errorLabels=["RetryableWriteError"]
    )
    with pytest.raises(AmbiguousWriteError) as caught:
        c.insert_one({"_id": 1})
    original = caught.value.original
    # The deadline may also end a retry (NetworkTimeout, ExecutionTimeout): ambiguous too.
    assert isinstance(original, (NotPrimaryError, NetworkTimeout, ExecutionTimeout)), original
    if isinstance(original, NotPrimaryError):
        assert original.has_error_label("RetryableWriteError")
        assert "earlier attempt may have been applied" in str(caught.value)
    assert c.count_documents({}) == 1


def test_duplicate_key_error_is_raised_at_once(make_client, db_name):
    counter = CommandCounter()
    events = []
    c = MongoProxy(make_client(event_listeners=[counter]), FAST, on_retry=events.append)
    c = c[db_name]["c"]
    c.insert_one({"_id": "x"})
    before = counter.counts["insert"]
    with pytest.raises(DuplicateKeyError):
        c.insert_one({"_id": "x"})
    assert counter.counts["insert"] - before == 1
    assert events == []


def test_get_more_hangup_resumes_without_duplicates_or_gaps(mongo_rs, proxy, db_name, events):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i} for i in range(10)])
    cursor = c.find({}).sort("_id").batch_size(2)
    assert isinstance(cursor, ResumableCursor)
    seen = [next(cursor)["_id"], next(cursor)["_id"]]
    mongo_rs.fail_next("getMore", "hangup")
    seen += [doc["_id"] for doc in cursor]
    assert seen == list(range(10))
    assert [e.operation for e in events] == [f"{db_name}.c.find getMore"]


def test_unsorted_find_resumes_too(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "v": i % 3} for i in range(10)])
    mongo_rs.fail_next("getMore", "hangup", count=2)
    assert sorted(doc["_id"] for doc in c.find({"v": {"$gte": 0}}, batch_size=3)) == list(
        range(10)
    )


def test_descending_sort_on_a_non_unique_key_resumes_exactly(mongo_rs, proxy, db_name):
    # Ties come in an order the server chooses; after a resume the cursor neither repeats
    # nor skips one (it excludes the ids of the ties it already yielded).
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "rank": i // 4} for i in range(12)])
    mongo_rs.fail_next("getMore", "hangup")
    got = list(c.find(sort=[("rank", -1)], batch_size=3))
    assert [d["rank"] for d in got] == [2] * 4 + [1] * 4 + [0] * 4
    assert sorted(d["_id"] for d in got) == list(range(12))


def test_an_unsorted_find_resumes_without_repeating_a_document(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i} for i in range(10)])
    cursor = c.find({}, batch_size=3)
    first = [next(cursor)["_id"] for _ in range(4)]
    mongo_rs.fail_next("getMore", "hangup")
    rest = [doc["_id"] for doc in cursor]
    assert sorted(first + rest) == list(range(10))


def test_the_first_attempt_sends_the_same_commands_as_bare_pymongo(make_client, db_name):
    # Command monitoring, bare pymongo against the proxy: the same command documents, but
    # for the session and the maxTimeMS pymongo adds under the proxy's deadline.
    recorder = CommandRecorder()
    client = make_client(event_listeners=[recorder])
    raw = client[db_name]["c"]
    proxied = MongoProxy(client, FAST)[db_name]["c"]
    raw.insert_many([{"_id": i, "k": i % 3} for i in range(6)])

    def sent(c):
        recorder.commands.clear()
        list(c.find({"k": {"$gte": 0}}, batch_size=2).sort("k", -1))
        list(c.find({"k": 1}))
        list(c.aggregate([{"$match": {}}, {"$sort": {"k": 1}}]))
        c.count_documents({"k": 2})
        c.update_many({"k": 9}, {"$set": {"x": 1}})
        c.update_one({"_id": 99}, {"$set": {"x": 1}})
        c.find_one({"_id": 1})
        return list(recorder.commands)

    assert sent(proxied) == sent(raw)


def test_a_descending_sort_resumes_into_the_documents_missing_the_key(mongo_rs, proxy, db_name):
    # They come last in a descending sort; a bare $lt filter skipped them.
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "rank": i} for i in range(4)] + [{"_id": 10}, {"_id": 11}])
    mongo_rs.fail_next("getMore", "hangup")
    got = list(c.find(sort=[("rank", -1)], batch_size=2))
    assert [d.get("rank") for d in got] == [3, 2, 1, 0, None, None]
    assert sorted(d["_id"] for d in got) == [0, 1, 2, 3, 10, 11]


MIXED = [
    {"_id": 1, "k": 2},
    {"_id": 2, "k": 2.5},
    {"_id": "a", "k": "a"},
    {"_id": "b", "k": "b"},
    {"_id": 3, "k": None},
    {"_id": 4},
    {"_id": 5, "k": True},
    {"_id": 6, "k": {"x": 1}},
    {"_id": "c", "k": datetime.datetime(2020, 1, 1)},
    {"_id": 7, "k": 2},
    {"_id": 8, "k": "a"},
    {"_id": 9},
]


EVERY_POSITION = range(1, len(MIXED))


@pytest.mark.parametrize(
    ("sort", "positions"),
    [
        ([("k", 1)], EVERY_POSITION),
        ([("k", -1)], EVERY_POSITION),
        ([("_id", 1)], [4, 9, 10]),  # 9 ints, then strings
        ([("_id", -1)], [2, 3, 6]),  # 3 strings, then ints
        ([("k", -1), ("_id", 1)], [1, 5, 9]),
    ],
)
def test_a_sort_over_mixed_types_resumes_into_every_later_type(
    mongo_rs, proxy, db_name, sort, positions
):
    # MongoDB sorts across types (null and missing, numbers, strings, objects, booleans,
    # dates): "after 2.5" is also every string, object, boolean and date; a bare $gt
    # compares within one type and skipped them. Nulls and missing keys come first in an
    # ascending sort: a cursor broken among them resumes too. The batch size is where the
    # cursor breaks.
    c = collection(proxy, db_name)
    c.insert_many(MIXED)
    expected = [d.get("k") for d in c.unwrap().find(sort=sort)]
    for batch_size in positions:
        mongo_rs.fail_next("getMore", "hangup")
        got = list(c.find(sort=sort, batch_size=batch_size))
        assert [d.get("k") for d in got] == expected, batch_size
        assert sorted(str(d["_id"]) for d in got) == sorted(str(d["_id"]) for d in MIXED)


@pytest.mark.parametrize("direction", [1, -1])
def test_an_aggregate_over_mixed_types_resumes_into_every_later_type(
    mongo_rs, proxy, db_name, direction
):
    c = collection(proxy, db_name)
    c.insert_many(MIXED)
    pipeline = [{"$match": {}}, {"$sort": {"k": direction}}]
    expected = [d.get("k") for d in c.unwrap().aggregate(pipeline)]
    mongo_rs.fail_next("getMore", "hangup")
    got = list(c.aggregate(pipeline, batchSize=3))
    assert [d.get("k") for d in got] == expected
    assert len({str(d["_id"]) for d in got}) == len(MIXED)


@pytest.mark.parametrize("how", ["chained", "keyword", "aggregate"])
def test_a_sort_under_a_collation_resumes_without_repeating_its_ties(
    mongo_rs, proxy, db_name, how
):
    # Case-insensitive: "bob", "Bob" and "BOB" tie, though Python tells them apart.
    c = collection(proxy, db_name)
    names = ["bob", "Bob", "BOB", "alice", "Alice", "carol", "bob", "Carol"]
    c.insert_many([{"_id": i, "name": name} for i, name in enumerate(names)])
    collation = {"locale": "en", "strength": 2}

    def query(target, batch_size):
        if how == "chained":
            return target.find().sort("name").collation(collation).batch_size(batch_size)
        if how == "keyword":
            return target.find(sort=[("name", 1)], collation=collation, batch_size=batch_size)
        pipeline = [{"$sort": {"name": 1}}]
        return target.aggregate(pipeline, collation=collation, batchSize=batch_size)

    expected = [d["name"].lower() for d in query(c.unwrap(), 100)]
    for batch_size in (2, 4):
        mongo_rs.fail_next("getMore", "hangup")
        got = list(query(c, batch_size))
        assert sorted(d["_id"] for d in got) == list(range(len(names))), batch_size
        assert [d["name"].lower() for d in got] == expected


def test_limit_and_skip_survive_a_resume(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i} for i in range(20)])
    mongo_rs.fail_next("getMore", "hangup")
    got = [d["_id"] for d in c.find().sort("_id").skip(3).limit(7).batch_size(2)]
    assert got == list(range(3, 10))


def test_aggregate_ending_in_sort_resumes(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "g": i % 2} for i in range(10)])
    pipeline = [{"$match": {"g": 1}}, {"$sort": {"_id": -1}}]
    mongo_rs.fail_next("getMore", "hangup")
    assert [d["_id"] for d in c.aggregate(pipeline, batchSize=2)] == [9, 7, 5, 3, 1]


def test_a_cursor_without_its_resume_key_raises_instead_of_guessing(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "v": i} for i in range(10)])
    cursor = c.find({}, {"_id": 0, "v": 1}, batch_size=2)
    assert [next(cursor), next(cursor)] == [{"v": 0}, {"v": 1}]
    mongo_rs.fail_next("getMore", "hangup")
    with pytest.raises(CursorResumeError, match="'_id' is missing from the last document") as e:
        list(cursor)
    assert e.value.yielded == 2
    assert isinstance(e.value.original, AutoReconnect)


def test_a_sort_key_the_projection_shows_only_part_of_raises_instead_of_guessing(
    mongo_rs, proxy, db_name
):
    # Sorted by the whole of "a", shown only "a.b": "after {b: 0}" is not where it broke.
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i, "a": {"b": i % 2, "c": i}} for i in range(8)])
    cursor = c.find({}, {"a.b": 1}, sort=[("a", 1)], batch_size=2)
    first = [next(cursor)["_id"], next(cursor)["_id"]]
    mongo_rs.fail_next("getMore", "hangup")
    with pytest.raises(CursorResumeError, match="shows only part of sort key 'a'"):
        first += [doc["_id"] for doc in cursor]
    assert first == [0, 2]


def test_an_aggregate_not_ending_in_sort_raises_instead_of_guessing(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.insert_many([{"_id": i} for i in range(10)])
    cursor = c.aggregate([{"$match": {}}], batchSize=2)
    next(cursor)
    next(cursor)
    mongo_rs.fail_next("getMore", "hangup")
    with pytest.raises(CursorResumeError, match="does not end with a \\$sort"):
        list(cursor)


def next_change(stream, attempts=100):
    """The stream's next event, waiting at most ``attempts`` awaitable getMores."""
    for _ in range(attempts):
        change = stream.try_next()
        if change is not None:
            return change
    raise AssertionError(f"no change event after {attempts} getMores")


def test_a_change_stream_is_pymongos_and_resumes_itself_after_a_failover(mongo_rs, proxy, db_name):
    # watch() passes through: pymongo's ChangeStream resumes from its token by itself.
    c = proxy[db_name].c
    with c.watch(max_await_time_ms=200) as stream:
        assert isinstance(stream, ChangeStream)
        c.insert_one({"_id": 1})
        first = next_change(stream)
        mongo_rs.kill(0)  # the primary, which holds the stream's cursor
        mongo_rs.elect(1)
        c.insert_one({"_id": 2})  # the proxy rides out the failover
        second = next_change(stream)  # its getMore fails; pymongo reopens it on member 1
    assert [first["documentKey"], second["documentKey"]] == [{"_id": 1}, {"_id": 2}]
    assert mongo_rs.commands(1)["aggregate"] >= 1


def test_list_indexes_is_retried_and_listed_once(mongo_rs, proxy, db_name):
    c = collection(proxy, db_name)
    c.create_index("a")
    c.create_index("b")
    mongo_rs.fail_next("listIndexes", "hangup", count=2)
    assert sorted(index["name"] for index in c.list_indexes()) == ["_id_", "a_1", "b_1"]


def test_reads_fall_back_to_a_secondary_while_there_is_no_primary(mongo_rs, make_client, db_name):
    events = []
    policy = FAST.with_changes(read_fallback=ReadPreference.PRIMARY_PREFERRED)
    client = make_client()
    c = MongoProxy(client, policy, on_retry=events.append)[db_name]["c"]
    c.insert_one({"_id": 1, "title": "x"})
    mongo_rs.step_down(no_primary_for=30)
    wait_until(lambda: not client.topology_description.has_writable_server())
    assert c.find_one({"_id": 1}) == {"_id": 1, "title": "x"}
    assert events
    assert events[-1].read_preference == ReadPreference.PRIMARY_PREFERRED


def test_the_blog_usage_works(make_client, db_name):
    # The post's usage: wrap the connection, use it exactly like pymongo.
    safe_conn = MongoProxy(make_client())
    safe_conn[db_name].posts.insert_one({"title": "AutoReconnect"})
    post = safe_conn[db_name].posts.find_one({"title": "AutoReconnect"})
    assert post["title"] == "AutoReconnect"
    assert repr(safe_conn).startswith("MongoProxy(MongoClient(")
    assert "posts" in safe_conn[db_name].list_collection_names()


def test_to_list_and_context_manager_on_a_resumable_cursor(make_client, db_name):
    c = MongoProxy(make_client(), FAST)[db_name]["c"]
    c.insert_many([{"_id": i} for i in range(5)])
    with c.find().sort("_id", pymongo.DESCENDING) as cursor:
        assert [d["_id"] for d in cursor.to_list(3)] == [4, 3, 2]
    assert [d["_id"] for d in c.find().sort("_id").to_list()] == [0, 1, 2, 3, 4]


def test_a_closed_cursor_stops_like_pymongos_and_is_never_re_issued(make_client, db_name):
    c = MongoProxy(make_client(), FAST)[db_name]["c"]
    c.insert_many([{"_id": i} for i in range(5)])
    raw = c.unwrap().find().sort("_id").batch_size(2)
    cursor = c.find().sort("_id").batch_size(2)
    assert next(raw)["_id"] == next(cursor)["_id"] == 0
    raw.close()
    cursor.close()
    rest = [doc["_id"] for doc in cursor]
    assert 0 not in rest  # the query was not run again from the start
    assert rest == [doc["_id"] for doc in raw]
    assert cursor.alive is False


def test_command_errors_pass_through_unchanged_and_unretried(make_client, db_name):
    counter = CommandCounter()
    db = MongoProxy(make_client(event_listeners=[counter]), FAST)[db_name]
    with pytest.raises(OperationFailure) as caught:
        db.command("noSuchCommandForSure")
    assert not isinstance(caught.value, AutoReconnect)
    assert counter.counts["noSuchCommandForSure"] == 1


def test_a_shorter_enclosing_pymongo_timeout_still_bounds_a_hung_call(
    fail_point, make_client, db_name
):
    # Inside the caller's 0.5 s pymongo.timeout() the proxy enters no deadline of its own
    # (pymongo already bounds the attempt by the caller's); the server holds the find for
    # 5 s, so had nothing bounded it, it would have returned the document.
    counter = CommandCounter()
    c = MongoProxy(make_client(event_listeners=[counter]), FAST)[db_name]["c"]
    c.insert_one({"_id": 1})
    fail_point({"times": 1}, failCommands=["find"], blockConnection=True, blockTimeMS=5000)
    with pytest.raises(PyMongoError) as caught, pymongo.timeout(0.5):
        c.find_one({"_id": 1})
    assert caught.value.timeout
    assert not isinstance(caught.value, AmbiguousWriteError)
    assert counter.counts["find"] >= 1
    assert c.find_one({"_id": 1}) == {"_id": 1}  # the fail point held one find only


def test_a_client_timeout_ms_bounds_the_first_attempt_of_a_hung_call(
    fail_point, make_client, db_name
):
    # The proxy enters the client's timeoutMS (0.5 s) itself rather than leave it to pymongo:
    # the find the server holds for 5 s ends there, and a retry (pymongo's or the proxy's,
    # within the policy's 10 s) reads the document. Unbounded, the first find would have
    # waited out the 5 s and been the only one sent.
    counter = CommandCounter()
    client = make_client(event_listeners=[counter], timeoutMS=500)
    c = MongoProxy(client, FAST)[db_name]["c"]
    c.insert_one({"_id": 1})
    fail_point({"times": 1}, failCommands=["find"], blockConnection=True, blockTimeMS=5000)
    assert c.find_one({"_id": 1}) == {"_id": 1}
    assert counter.counts["find"] >= 2
