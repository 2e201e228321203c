"""Failovers as a real server shows them: writes in flight at a step-down end with 11602.

A MongoDB 4.2+ primary that steps down interrupts the writes in progress with
InterruptedDueToReplStateChange (11602) and keeps the connections open; a multi-document
update or delete may have changed part of its documents by then. All through pymongo
over TCP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pymongo.errors import NotPrimaryError

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Client

    from mongosim import ReplicaSet

INTERRUPTED = 11602


def _seed(client: Client, count: int = 5) -> None:
    client.db.c.insert_many([{"_id": i, "n": 0} for i in range(count)])


@pytest.mark.parametrize("after", [0, 1, 3])
def test_update_many_stops_after_k_documents(rs: ReplicaSet, client: Client, after: int) -> None:
    _seed(client)
    rs.step_down(during="update", after_documents=after)

    with pytest.raises(NotPrimaryError) as raised:
        client.db.c.update_many({}, {"$inc": {"n": 1}})

    assert raised.value.details is not None
    assert raised.value.details["code"] == INTERRUPTED
    assert raised.value.details["codeName"] == "InterruptedDueToReplStateChange"
    assert sorted(d["_id"] for d in client.db.c.find({"n": 1})) == list(range(after))
    assert client.db.c.count_documents({"n": 0}) == 5 - after
    assert rs.primary == 1


def test_delete_many_stops_after_k_documents(rs: ReplicaSet, client: Client) -> None:
    _seed(client)
    rs.step_down(during="delete", after_documents=2)

    with pytest.raises(NotPrimaryError):
        client.db.c.delete_many({"n": 0})

    assert sorted(d["_id"] for d in client.db.c.find()) == [2, 3, 4]
    assert rs.primary == 1


def test_a_multi_write_is_not_retried_and_carries_no_label(rs: ReplicaSet, client: Client) -> None:
    _seed(client)
    before = rs.commands()["update"]
    rs.step_down(during="update", after_documents=1)

    with pytest.raises(NotPrimaryError) as raised:
        client.db.c.update_many({}, {"$set": {"x": 1}})

    assert raised.value.details is not None
    assert "errorLabels" not in raised.value.details  # no txnNumber: a 4.4+ server adds none
    assert rs.commands()["update"] - before == 1


def test_a_write_matching_fewer_documents_completes_then_the_primary_steps_down(
    rs: ReplicaSet, client: Client
) -> None:
    _seed(client, 2)
    rs.step_down(during="update", after_documents=5)

    result = client.db.c.update_many({}, {"$inc": {"n": 1}})

    assert result.modified_count == 2
    assert rs.primary == 1


def test_the_interruption_waits_for_the_named_command(rs: ReplicaSet, client: Client) -> None:
    _seed(client)
    rs.step_down(during="delete", after_documents=1)

    client.db.c.update_many({}, {"$inc": {"n": 1}})  # not a delete: runs through
    assert rs.primary == 0
    with pytest.raises(NotPrimaryError):
        client.db.c.delete_many({})

    assert client.db.c.count_documents({}) == 4


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"during": "find"}, "during must name a write command"),
        ({"during": "update", "after_documents": -1}, "after_documents must be an int >= 0"),
    ],
)
def test_step_down_during_refuses_bad_arguments(
    rs: ReplicaSet, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        rs.step_down(**arguments)  # type: ignore[arg-type]


def _hold(client: Client, command: str, milliseconds: int = 3000) -> None:
    client.admin.command(
        "configureFailPoint",
        "failCommand",
        mode={"times": 1},
        data={"failCommands": [command], "blockConnection": True, "blockTimeMS": milliseconds},
    )


def test_a_write_in_flight_at_a_step_down_ends_with_11602_and_is_retried(
    rs: ReplicaSet, client: Client
) -> None:
    _hold(client, "insert")
    rs.schedule(0.2, rs.step_down)

    client.db.c.insert_one({"_id": 1})  # 11602 labelled (txnNumber), retried on member 1

    assert rs.primary == 1
    assert rs.commands(1)["insert"] == 1
    assert client.db.c.count_documents({}) == 1


def test_an_unretried_write_in_flight_sees_11602_unlabelled(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    client = connect(rs.uri, retryWrites=False)
    _hold(client, "insert")
    rs.schedule(0.2, rs.step_down)

    with pytest.raises(NotPrimaryError) as raised:
        client.db.c.insert_one({"_id": 1})

    details = raised.value.details
    assert details is not None
    assert details["code"] == INTERRUPTED
    assert "errorLabels" not in details
    assert details["topologyVersion"]["counter"] > 0
    assert client.db.c.count_documents({}) == 0


def test_a_read_held_across_a_step_down_is_retried_on_the_new_primary(
    rs: ReplicaSet, client: Client
) -> None:
    client.db.c.insert_one({"_id": 1})
    _hold(client, "find", 500)
    rs.schedule(0.1, rs.step_down)

    # Not killed (a 4.2+ server kills writes only), but past the hold the former primary
    # checks its state as mongod does after failCommand: NotPrimaryNoSecondaryOk, retried.
    assert client.db.c.find_one() == {"_id": 1}
    assert (rs.commands(0)["find"], rs.commands(1)["find"]) == (1, 1)
