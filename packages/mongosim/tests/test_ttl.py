"""TTL indexes as mongod serves them: the TTL monitor deletes expired documents every
``ttlMonitorSleepSecs`` (60 s) of server time, on the primary, as ordinary deletes.

Timing is the simulated clock's: the monitor's ticks fall every 60 s from the set's creation,
and each test moves the clock by whole tens of seconds, so the few milliseconds of real time a
test takes never decide which side of a tick a step falls on (margins of 10 s or more).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import mongomock
import pymongo
import pytest
from bson import Timestamp
from conftest import next_event

from mongosim import ReplicaSet

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Client

DAY = datetime.timedelta(days=1)


def test_an_expired_document_stays_visible_until_the_monitor_pass(
    rs: ReplicaSet, client: Client
) -> None:
    c = client.db.c
    c.create_index("at", expireAfterSeconds=10)
    c.insert_one({"_id": 1, "at": rs.clock.now()})

    rs.clock.advance(40)  # expired 30 s ago, but the first tick (60 s) has not come
    before_the_tick = (c.find_one({"_id": 1}), c.count_documents({}))
    rs.clock.advance(30)  # past the tick: the next command runs after the pass

    document, count = before_the_tick
    assert document is not None
    assert document["_id"] == 1
    assert count == 1
    assert c.find_one({"_id": 1}) is None
    assert c.count_documents({}) == 0


def test_a_pass_deletes_what_had_expired_at_its_tick_not_later(
    rs: ReplicaSet, client: Client
) -> None:
    c = client.db.c
    c.create_index("at", expireAfterSeconds=65)
    c.insert_one({"_id": 1, "at": rs.clock.now()})

    rs.clock.advance(90)  # the 60 s pass ran when it had not expired yet; now it has
    after_first_pass = c.count_documents({})
    rs.clock.advance(60)  # the 120 s pass finds it expired

    assert after_first_pass == 1
    assert c.count_documents({}) == 0


def test_the_monitor_deletion_is_an_ordinary_delete_event(rs: ReplicaSet, client: Client) -> None:
    c = client.db.c
    c.create_index("at", expireAfterSeconds=0)
    with c.watch(max_await_time_ms=200) as stream:
        c.insert_one({"_id": 1, "at": rs.clock.now(), "owner": "a"})
        c.insert_one({"_id": 2, "owner": "b"})  # no date: never expires
        rs.clock.advance(70)
        events = [next_event(stream) for _ in range(3)]
        assert stream.try_next() is None  # and nothing else was deleted

    assert [e["operationType"] for e in events] == ["insert", "insert", "delete"]
    delete = events[2]
    assert delete["documentKey"] == {"_id": 1}
    assert delete["ns"] == {"db": "db", "coll": "c"}
    assert set(delete) == {"_id", "operationType", "clusterTime", "wallTime", "ns", "documentKey"}
    assert c.find_one({"_id": 2}) == {"_id": 2, "owner": "b"}


def test_the_monitor_deletion_is_in_the_oplog(rs: ReplicaSet, client: Client) -> None:
    c = client.db.c
    c.create_index("at", expireAfterSeconds=0)
    c.insert_one({"_id": 1, "at": rs.clock.now()})
    inserted_at = client.db.command("ping")["operationTime"]

    rs.clock.advance(70)
    hello = client.admin.command("hello")
    # A snapshot read before the deletion rebuilds the document from the oplog's delete.
    at_insert = client.db.command(
        "find", "c", readConcern={"level": "snapshot", "atClusterTime": inserted_at}
    )["cursor"]["firstBatch"]
    # A stream started at the insert replays the oplog from there: the delete follows it.
    with c.watch(start_at_operation_time=inserted_at, max_await_time_ms=200) as stream:
        replayed = [next_event(stream) for _ in range(2)]

    deleted_at = replayed[1]["clusterTime"]
    assert [e["operationType"] for e in replayed] == ["insert", "delete"]
    assert isinstance(deleted_at, Timestamp)
    assert deleted_at > inserted_at
    assert hello["lastWrite"]["opTime"]["ts"] == deleted_at  # the newest write is the delete
    assert [d["_id"] for d in at_insert] == [1]
    assert c.find_one({"_id": 1}) is None


def test_arrays_expire_by_their_earliest_date(rs: ReplicaSet, client: Client) -> None:
    c = client.db.c
    c.create_index("at", expireAfterSeconds=0)
    now = rs.clock.now()
    c.insert_many(
        [
            {"_id": "earliest past", "at": [now + DAY, "soon", now]},
            {"_id": "all future", "at": [now + DAY, now + 2 * DAY]},
            {"_id": "no date", "at": ["soon", 5, None]},
            {"_id": "empty", "at": []},
            {"_id": "nested", "at": [[now]]},  # an array inside the array is not a date
        ]
    )

    rs.clock.advance(70)

    kept = sorted(d["_id"] for d in c.find({}))
    assert kept == ["all future", "empty", "nested", "no date"]


def test_a_dotted_path_through_an_array_of_subdocuments(rs: ReplicaSet, client: Client) -> None:
    c = client.db.c
    c.create_index("leases.until", expireAfterSeconds=0)
    now = rs.clock.now()
    c.insert_many(
        [
            {"_id": 1, "leases": [{"until": now + DAY}, {"until": now}]},
            {"_id": 2, "leases": [{"until": now + DAY}]},
        ]
    )

    rs.clock.advance(70)

    assert [d["_id"] for d in c.find({})] == [2]


def test_values_that_are_not_dates_never_expire(rs: ReplicaSet, client: Client) -> None:
    c = client.db.c
    c.create_index("at", expireAfterSeconds=0)
    epoch_seconds = int(rs.clock.time()) - 3600
    c.insert_many(
        [
            {"_id": "number", "at": epoch_seconds},
            {"_id": "string", "at": "2000-01-01T00:00:00Z"},
            {"_id": "timestamp", "at": Timestamp(epoch_seconds, 1)},
            {"_id": "null", "at": None},
            {"_id": "object", "at": {"date": rs.clock.now() - DAY}},
            {"_id": "missing"},
            {"_id": "date", "at": rs.clock.now() - DAY},
        ]
    )

    rs.clock.advance(2 * 86400)

    kept = sorted(d["_id"] for d in c.find({}))
    assert kept == ["missing", "null", "number", "object", "string", "timestamp"]


def test_only_ttl_indexes_delete(rs: ReplicaSet, client: Client) -> None:
    c = client.db.c
    old = rs.clock.now() - DAY
    c.create_index("plain")
    c.create_index([("a", 1), ("b", 1)], expireAfterSeconds=0)  # compound: mongod ignores it
    c.create_index("partial", expireAfterSeconds=0, partialFilterExpression={"kind": "temp"})
    c.insert_many(
        [
            {"_id": 1, "plain": old, "a": old, "b": old},
            {"_id": 2, "partial": old, "kind": "keep"},
            {"_id": 3, "partial": old, "kind": "temp"},
        ]
    )

    rs.clock.advance(70)

    assert sorted(d["_id"] for d in c.find({})) == [1, 2]


def test_coll_mod_changes_expire_after_seconds(rs: ReplicaSet, client: Client) -> None:
    c = client.db.c
    c.create_index("at", expireAfterSeconds=3600)
    c.create_index("other")
    c.insert_one({"_id": 1, "at": rs.clock.now(), "other": rs.clock.now()})
    rs.clock.advance(70)
    kept_by_an_hour = c.count_documents({})

    shortened = client.db.command(
        "collMod", "c", index={"keyPattern": {"at": 1}, "expireAfterSeconds": 10}
    )
    converted = client.db.command(
        "collMod", "c", index={"name": "other_1", "expireAfterSeconds": 100}
    )
    indexes = {i["name"]: i.get("expireAfterSeconds") for i in c.list_indexes()}
    rs.clock.advance(60)

    assert kept_by_an_hour == 1
    assert shortened["expireAfterSeconds_old"] == 3600
    assert shortened["expireAfterSeconds_new"] == 10
    assert "expireAfterSeconds_old" not in converted
    assert converted["expireAfterSeconds_new"] == 100
    assert indexes == {"_id_": None, "at_1": 10, "other_1": 100}
    assert c.count_documents({}) == 0


def test_coll_mod_of_a_missing_index_is_index_not_found(client: Client) -> None:
    client.db.c.insert_one({"_id": 1})

    with pytest.raises(pymongo.errors.OperationFailure) as raised:
        client.db.command("collMod", "c", index={"name": "nope", "expireAfterSeconds": 1})

    assert raised.value.code == 27


def test_ttl_monitor_sleep_secs_is_a_replica_set_option(
    connect: Callable[..., Client],
) -> None:
    with ReplicaSet(members=1, ttl_monitor_sleep_secs=10) as rs:
        client = connect(rs.uri)
        c = client.db.c
        c.create_index("at", expireAfterSeconds=0)
        c.insert_one({"_id": 1, "at": rs.clock.now()})
        parameters = client.admin.command("getParameter", 1, ttlMonitorSleepSecs=1)
        rs.clock.advance(15)
        remaining = c.count_documents({})
        client.close()

    assert parameters["ttlMonitorSleepSecs"] == 10
    assert remaining == 0


@pytest.mark.parametrize("value", [0, -60, 1.5, True, "60"])
def test_ttl_monitor_sleep_secs_must_be_a_positive_int(value: Any) -> None:
    with pytest.raises(ValueError, match="ttl_monitor_sleep_secs"):
        ReplicaSet(ttl_monitor_sleep_secs=value)


def test_only_a_primary_deletes(rs: ReplicaSet, connect: Callable[..., Client]) -> None:
    client = connect(rs.uri)
    client.db.c.create_index("at", expireAfterSeconds=0)
    client.db.c.insert_one({"_id": 1, "at": rs.clock.now()})
    secondary = connect(rs.standalone_uri(1))
    rs.kill(0)  # no primary

    rs.clock.advance(70)
    without_primary = secondary.db.c.count_documents({})
    rs.elect(1)
    after_election = secondary.db.c.count_documents({})

    assert without_primary == 1
    assert after_election == 0


def test_a_step_down_scripted_for_the_next_delete_is_not_the_monitors(
    rs: ReplicaSet, client: Client
) -> None:
    c = client.db.c
    c.create_index("at", expireAfterSeconds=0)
    c.insert_many([{"_id": 1, "at": rs.clock.now()}, {"_id": 2}])
    rs.step_down(during="delete", after_documents=1)

    rs.clock.advance(70)
    after_the_pass = (c.count_documents({}), rs.primary)
    c.delete_one({"_id": 2})

    assert after_the_pass == (1, 0)
    assert rs.primary == 1  # the client's delete carried the scripted step-down


def test_other_mongomock_clients_keep_mongomocks_lazy_expiry(rs: ReplicaSet) -> None:
    plain = mongomock.MongoClient().db.c
    plain.create_index("at", expireAfterSeconds=60)
    host_now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    plain.insert_one({"_id": 1, "at": host_now - DAY})

    assert plain.count_documents({}) == 0  # mongomock's own behaviour, untouched
