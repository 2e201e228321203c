"""$$NOW, $currentDate and date arithmetic follow the simulated server clock."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from pymongo import ReturnDocument

if TYPE_CHECKING:
    from conftest import Client, Db

    from mongosim import ReplicaSet

HOUR = datetime.timedelta(hours=1)


def test_pipeline_update_with_now_uses_the_simulated_clock(rs: ReplicaSet, client: Client) -> None:
    rs.clock.advance(3600)
    low = rs.clock.now()

    client.db.c.update_one(
        {"_id": 1},
        [{"$set": {"at": "$$NOW", "until": {"$add": ["$$NOW", 1500]}}}],
        upsert=True,
    )

    document = client.db.c.find_one({"_id": 1})
    assert document is not None
    assert low <= document["at"] <= rs.clock.now()
    assert document["at"] - datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) > (
        HOUR * 0.99
    )
    assert document["until"] - document["at"] == datetime.timedelta(milliseconds=1500)


def test_lease_taken_over_only_after_the_server_clock_passes_expiry(
    rs: ReplicaSet, client: Client
) -> None:
    locks = client.db.locks

    def acquire(owner: str) -> dict[str, object] | None:
        return locks.find_one_and_update(
            {
                "_id": "L",
                "$or": [{"owner": owner}, {"$expr": {"$lt": ["$expires_at", "$$NOW"]}}],
            },
            [{"$set": {"owner": owner, "expires_at": {"$add": ["$$NOW", 10_000]}}}],
            return_document=ReturnDocument.AFTER,
        )

    locks.insert_one({"_id": "L", "owner": "a", "expires_at": rs.clock.now()})
    rs.clock.advance(0.01)
    assert acquire("a") is not None
    assert acquire("b") is None

    rs.clock.advance(11)

    taken = acquire("b")
    assert taken is not None
    assert taken["owner"] == "b"


def test_current_date_and_hello_local_time_use_the_simulated_clock(
    rs: ReplicaSet, client: Client
) -> None:
    rs.clock.advance(7200)

    client.db.c.update_one(
        {"_id": 1},
        {"$currentDate": {"seen": True, "ts": {"$type": "timestamp"}}, "$set": {"x": 1}},
        upsert=True,
    )
    local_time = client.admin.command("hello")["localTime"]

    document = client.db.c.find_one({"_id": 1})
    assert document is not None
    assert document["x"] == 1
    wall = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert document["seen"] - wall > HOUR
    assert document["ts"].time - wall.replace(tzinfo=datetime.timezone.utc).timestamp() > 3600
    assert local_time - wall > HOUR


def test_aggregate_subtracts_dates_and_milliseconds(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": 1})

    (row,) = client.db.c.aggregate(
        [
            {
                "$project": {
                    "earlier": {"$subtract": ["$$NOW", 60_000]},
                    "span": {"$subtract": ["$$NOW", {"$subtract": ["$$NOW", 250]}]},
                }
            }
        ]
    )

    assert row["span"] == 250
    assert rs.clock.now() - row["earlier"] >= datetime.timedelta(minutes=1)


def test_a_literal_now_string_in_a_document_is_stored_as_is(db: Db) -> None:
    db.c.insert_one({"_id": 1, "text": "$$NOW"})
    db.c.update_one({"_id": 1}, {"$set": {"also": "$$NOW"}})

    assert db.c.find_one({"_id": 1}) == {"_id": 1, "text": "$$NOW", "also": "$$NOW"}


def test_now_is_one_instant_per_command_and_date_arithmetic_works(db: Db) -> None:
    db.c.update_one(
        {"_id": 1},
        [{"$set": {"at": "$$NOW", "until": {"$add": ["$$NOW", 1500]}}}],
        upsert=True,
    )
    (row,) = db.c.aggregate(
        [{"$project": {"span": {"$subtract": ["$$NOW", {"$subtract": ["$$NOW", 250]}]}}}]
    )

    document = db.c.find_one({"_id": 1})
    assert document is not None
    assert document["until"] - document["at"] == datetime.timedelta(milliseconds=1500)
    assert row["span"] == 250


def test_add_moves_a_date_field_by_milliseconds(db: Db) -> None:
    start = datetime.datetime(2026, 1, 1)
    db.c.insert_one({"_id": 1, "expires_at": start, "ttl": 2500})

    db.c.update_one({"_id": 1}, [{"$set": {"later": {"$add": ["$expires_at", "$ttl", 500]}}}])
    (row,) = db.c.aggregate(
        [{"$project": {"_id": 0, "earlier": {"$add": [-1000, "$expires_at"]}}}]
    )

    document = db.c.find_one({"_id": 1})
    assert document is not None
    assert document["later"] == start + datetime.timedelta(milliseconds=3000)
    assert row == {"earlier": start - datetime.timedelta(seconds=1)}


def test_add_of_numbers_alone_still_sums(db: Db) -> None:
    db.c.insert_one({"_id": 1, "a": 2, "b": 3})

    (row,) = db.c.aggregate([{"$project": {"_id": 0, "sum": {"$add": ["$a", "$b", 1]}}}])

    assert row == {"sum": 6}


def test_ttl_expiry_follows_the_simulated_clock(rs: ReplicaSet, client: Client) -> None:
    client.db.c.create_index("seen", expireAfterSeconds=60)
    client.db.c.insert_one({"_id": 1, "seen": rs.clock.now()})

    rs.clock.advance(90)  # the monitor's 60 s pass: not expired yet at that tick
    kept = client.db.c.find_one({"_id": 1})
    rs.clock.advance(40)  # its 120 s pass: expired (on the server's clock, not the host's)

    assert kept is not None
    assert client.db.c.find_one({"_id": 1}) is None
