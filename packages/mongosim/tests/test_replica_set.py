"""The replica set as pymongo discovers it: handshake, failover, members going away."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pymongo
import pytest
from bson import Int64
from conftest import operations
from pymongo.errors import NotPrimaryError

from mongosim import (
    MAX_WIRE_VERSION,
    MemberIndexError,
    NoPrimaryError,
    NotRunningError,
    ReplicaSet,
)

if TYPE_CHECKING:
    from conftest import Client


def _address(rs: ReplicaSet, member: int) -> tuple[str, int]:
    host, port = rs.hosts[member].rsplit(":", 1)
    return host, int(port)


def _eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition``: pymongo's monitors discover members in the background."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_pymongo_discovers_a_replica_set(rs: ReplicaSet, client: Client) -> None:
    hello = client.admin.command("hello")
    assert _eventually(lambda: len(client.secondaries) == 2)

    assert client.primary == _address(rs, 0)
    assert client.secondaries == {_address(rs, 1), _address(rs, 2)}
    assert hello["setName"] == "rs0"
    assert hello["hosts"] == rs.hosts
    assert hello["maxWireVersion"] == MAX_WIRE_VERSION >= 17
    assert hello["logicalSessionTimeoutMinutes"] == 30
    assert rs.uri.endswith("/?replicaSet=rs0")


def test_step_down_fails_a_retryable_write_over_to_the_new_primary(
    rs: ReplicaSet, client: Client
) -> None:
    client.db.c.insert_one({"_id": 1})

    rs.step_down()
    client.db.c.insert_one({"_id": 2})

    assert rs.primary == 1
    assert client.primary == _address(rs, 1)
    assert rs.commands(1)["insert"] == 1  # on the new primary (first try or pymongo's retry)
    assert client.db.c.count_documents({}) == 2  # data survived the failover


def test_an_election_is_pushed_to_drivers_awaiting_hello(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    client = connect(rs.uri, heartbeatFrequencyMS=60_000)  # polling would take a minute
    client.db.c.insert_one({"_id": 1})
    assert _eventually(lambda: len(client.secondaries) == 2)

    rs.elect(2)

    assert _eventually(lambda: client.primary == _address(rs, 2))


def test_without_a_primary_for_a_while_the_write_waits_for_the_election(
    rs: ReplicaSet, client: Client
) -> None:
    client.db.c.insert_one({"_id": 1})

    rs.step_down(no_primary_for=0.3)
    assert rs.primary is None
    with pymongo.timeout(10):
        client.db.c.insert_one({"_id": 2})

    assert rs.primary == 1


def test_write_to_a_secondary_is_not_writable_primary_without_a_label(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    secondary = connect(rs.standalone_uri(2))

    with pytest.raises(NotPrimaryError) as raised:
        secondary.db.c.insert_one({"_id": 1})  # no txnNumber to a secondary

    details = raised.value.details
    assert isinstance(details, dict)
    assert details["code"] == 10107
    assert "errorLabels" not in details  # a 4.4+ server labels only retryable writes
    assert details["topologyVersion"]["counter"] >= 0


def test_a_retryable_write_to_a_secondary_is_labelled(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    secondary = connect(rs.standalone_uri(2))
    command = {"insert": "c", "documents": [{"_id": 1}], "txnNumber": Int64(1)}

    with secondary.start_session() as session, pytest.raises(NotPrimaryError) as raised:
        secondary.db.command(command, session=session)

    details = raised.value.details
    assert isinstance(details, dict)
    assert details["errorLabels"] == ["RetryableWriteError"]


def test_a_secondary_serves_reads_that_allow_it(
    rs: ReplicaSet, client: Client, connect: Callable[..., Client]
) -> None:
    client.db.c.insert_one({"_id": 1})
    direct = connect(rs.standalone_uri(1))  # pymongo sends primaryPreferred
    reader = client.db.get_collection("c", read_preference=pymongo.ReadPreference.SECONDARY)

    assert direct.db.c.find_one() == {"_id": 1}
    assert reader.find_one() == {"_id": 1}
    assert rs.commands(0)["find"] == 0
    assert rs.commands(1)["find"] + rs.commands(2)["find"] == 2


def test_elect_moves_the_primary(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": 1})

    rs.elect(2)
    client.db.c.insert_one({"_id": 2})

    assert rs.primary == 2
    assert rs.commands(2)["insert"] == 1


def test_killed_member_refuses_connections_and_revives_as_secondary(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    rs.kill(2)
    dead = connect(rs.standalone_uri(2), serverSelectionTimeoutMS=300)
    with pytest.raises(pymongo.errors.ServerSelectionTimeoutError):
        dead.admin.command("ping")

    rs.revive(2)
    alive = connect(rs.standalone_uri(2))

    assert alive.admin.command("hello")["secondary"] is True


def test_killing_the_primary_leaves_no_primary_until_an_election(
    rs: ReplicaSet, client: Client
) -> None:
    client.db.c.insert_one({"_id": 1})

    rs.kill(0)
    assert rs.primary is None
    rs.elect(1)
    client.db.c.insert_one({"_id": 2})

    assert client.db.c.count_documents({}) == 2


def test_a_killed_member_cannot_be_elected(rs: ReplicaSet) -> None:
    rs.kill(1)

    with pytest.raises(NotRunningError, match="member 1 is killed"):
        rs.elect(1)


def test_step_down_without_a_primary_is_refused(rs: ReplicaSet) -> None:
    rs.kill(0)

    with pytest.raises(NoPrimaryError, match="no primary"):
        rs.step_down()


def test_step_down_in_a_one_member_set_re_elects_it() -> None:
    with ReplicaSet(members=1) as rs:
        rs.step_down()

        assert rs.primary == 0


def test_scheduled_step_down_happens_later(rs: ReplicaSet) -> None:
    done = threading.Event()

    rs.schedule(0.05, rs.step_down)
    rs.schedule(0.1, done.set)

    assert done.wait(10)
    assert rs.primary == 1


def test_close_cancels_scheduled_actions() -> None:
    fired = threading.Event()
    with ReplicaSet(members=1) as rs:
        timer = rs.schedule(30, fired.set)

    timer.join(5)
    assert not timer.is_alive()
    assert not fired.is_set()


def test_commands_are_counted_per_member_and_name(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": 1})
    before = rs.commands()

    client.db.c.find_one({"_id": 1})
    client.db.c.find_one_and_update({"_id": 1}, {"$set": {"a": 1}})

    assert operations(rs.commands() - before) == {"find": 1, "findAndModify": 1}
    assert rs.commands(1)["findAndModify"] == 0


def test_port_base_places_members_on_consecutive_ports() -> None:
    with ReplicaSet(members=1) as probe:
        port = int(probe.hosts[0].rsplit(":", 1)[1])
    with ReplicaSet(members=1, port_base=port) as rs:
        assert rs.hosts == [f"127.0.0.1:{port}"]


@pytest.mark.parametrize("members", [0, -1, 2.5, True])
def test_members_must_be_a_positive_int(members: object) -> None:
    with pytest.raises(ValueError, match="members must be an int >= 1"):
        ReplicaSet(members=members)  # type: ignore[arg-type]


def test_port_base_must_leave_room_for_every_member() -> None:
    with pytest.raises(ValueError, match="port_base must leave room for 3 ports"):
        ReplicaSet(members=3, port_base=65534)


@pytest.mark.parametrize("member", [3, -1])
def test_member_index_outside_the_set(rs: ReplicaSet, member: int) -> None:
    with pytest.raises(MemberIndexError, match=f"member {member} is not in a 3-member set"):
        rs.kill(member)


def test_uri_before_start_is_refused() -> None:
    with pytest.raises(NotRunningError, match="not running"):
        _ = ReplicaSet().uri


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda rs: rs.step_down(-1), "no_primary_for must be >= 0"),
        (lambda rs: rs.schedule(-1, print), "delay must be >= 0"),
    ],
)
def test_negative_delays_are_refused(
    rs: ReplicaSet, call: Callable[[ReplicaSet], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(rs)


def test_repr_names_the_set_and_its_primary(rs: ReplicaSet) -> None:
    assert repr(rs) == "<ReplicaSet rs0 members=3 primary=0>"
    rs.close()
    assert repr(rs) == "<ReplicaSet rs0 members=3 stopped>"


def test_a_fault_can_be_scheduled(rs: ReplicaSet, connect: Callable[..., Client]) -> None:
    client = connect(rs.uri, retryWrites=False)
    armed = threading.Event()

    rs.schedule(0.01, rs.fail_next, "insert", "hangup")
    rs.schedule(0.02, armed.set)
    assert armed.wait(10)

    with pytest.raises(pymongo.errors.AutoReconnect):
        client.db.c.insert_one({"_id": 1})
