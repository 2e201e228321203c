"""Fault injection as pymongo experiences it: what is raised, retried and applied."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pymongo
import pytest
from pymongo.errors import AutoReconnect, NetworkTimeout, NotPrimaryError

from mongosim import FAULT_KINDS, FaultKindError
from mongosim.faults import Fault, FaultPlan

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Client

    from mongosim import ReplicaSet


def _increment(client: Client) -> None:
    client.db.c.update_one({"_id": "k"}, {"$inc": {"n": 1}})


def _counter(client: Client) -> int:
    document = client.db.c.find_one({"_id": "k"})
    assert document is not None
    return int(document["n"])


def test_apply_then_hangup_with_retryable_writes_applies_once(
    rs: ReplicaSet, client: Client
) -> None:
    client.db.c.insert_one({"_id": "k", "n": 0})
    rs.fail_next("update", "apply_then_hangup")
    before = rs.commands()

    _increment(client)  # pymongo retries with the same lsid + txnNumber

    assert (rs.commands() - before)["update"] == 2
    assert _counter(client) == 1


def test_apply_then_hangup_without_retryable_writes_applies_twice(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    client = connect(rs.uri, retryWrites=False)
    client.db.c.insert_one({"_id": "k", "n": 0})
    rs.fail_next("update", "apply_then_hangup")

    with pytest.raises(AutoReconnect):
        _increment(client)
    _increment(client)  # what an application-level retry does: a new operation

    assert _counter(client) == 2


def test_hangup_before_the_write_is_retried_and_applied_once(
    rs: ReplicaSet, client: Client
) -> None:
    client.db.c.insert_one({"_id": "k", "n": 0})
    rs.fail_next("update", "hangup")

    _increment(client)

    assert _counter(client) == 1


def test_hangup_without_retry_does_not_apply_the_write(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    client = connect(rs.uri, retryWrites=False)
    client.db.c.insert_one({"_id": "k", "n": 0})
    rs.fail_next("update", "hangup")

    with pytest.raises(AutoReconnect):
        _increment(client)

    assert _counter(client) == 0


def test_not_primary_is_labelled_and_retried(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": "k", "n": 0})
    rs.fail_next("update", "not_primary")

    _increment(client)

    assert _counter(client) == 1


def test_unlabelled_not_primary_reaches_the_application(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": "k", "n": 0})
    rs.fail_next("update", "not_primary_unlabelled")

    with pytest.raises(NotPrimaryError) as raised:
        _increment(client)

    details = raised.value.details
    assert isinstance(details, dict)
    assert details["code"] == 10107
    assert "errorLabels" not in details
    assert _counter(client) == 0


def test_network_timeout_applies_the_write_but_never_replies(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    client = connect(rs.uri, retryWrites=False, socketTimeoutMS=300)
    client.db.c.insert_one({"_id": "k", "n": 0})
    rs.fail_next("update", "network_timeout")

    with pytest.raises(NetworkTimeout):
        _increment(client)

    assert _counter(client) == 1


def test_delay_then_the_command_runs(rs: ReplicaSet, client: Client) -> None:
    rs.fail_next("insert", "delay:0.05")

    client.db.c.insert_one({"_id": "late"})

    assert client.db.c.find_one({"_id": "late"}) == {"_id": "late"}


def test_a_fault_hits_only_the_named_command_and_count(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    client = connect(rs.uri, retryWrites=False, retryReads=False)
    client.db.c.insert_one({"_id": 1})
    rs.fail_next("FIND", "hangup", count=2)

    client.db.c.insert_one({"_id": 2})  # not a find: untouched
    for _ in range(2):
        with pytest.raises(AutoReconnect):
            client.db.c.find_one({"_id": 1})

    assert client.db.c.find_one({"_id": 2}) == {"_id": 2}


def test_fault_kinds_are_documented_ones() -> None:
    parsed = [Fault.parse(kind.replace("<seconds>", "1.5")) for kind in FAULT_KINDS]

    assert [fault.kind for fault in parsed] == [
        "hangup",
        "apply_then_hangup",
        "not_primary",
        "not_primary_unlabelled",
        "delay",
        "network_timeout",
    ]
    assert parsed[4].seconds == 1.5


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("explode", "unknown fault kind 'explode'"),
        ("delay:", "unknown fault kind 'delay:'"),
        ("delay:soon", "the delay must be a number of seconds >= 0"),
        ("delay:-1", "the delay must be a number of seconds >= 0"),
        ("delay:inf", "the delay must be a number of seconds >= 0"),
    ],
)
def test_bad_fault_kinds_are_refused(rs: ReplicaSet, kind: str, message: str) -> None:
    with pytest.raises(FaultKindError, match=message):
        rs.fail_next("insert", kind)


@pytest.mark.parametrize("count", [0, -1, 1.5, True])
def test_count_must_be_a_positive_int(rs: ReplicaSet, count: object) -> None:
    with pytest.raises(ValueError, match="count must be an int >= 1"):
        rs.fail_next("insert", "hangup", count)  # type: ignore[arg-type]


def test_empty_command_name_is_refused(rs: ReplicaSet) -> None:
    with pytest.raises(ValueError, match="command must name a command"):
        rs.fail_next("", "hangup")


def test_fault_plan_is_first_in_first_out_per_command() -> None:
    plan = FaultPlan()
    plan.add("insert", Fault("hangup"))
    plan.add("Insert", Fault("delay", 1.0), count=2)

    taken = [plan.take("INSERT") for _ in range(4)]

    assert taken == [Fault("hangup"), Fault("delay", 1.0), Fault("delay", 1.0), None]
    assert plan.take("find") is None


def test_pymongo_timeout_retries_through_repeated_hangups(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": "k", "n": 0})
    rs.fail_next("update", "apply_then_hangup", count=3)

    with pymongo.timeout(10):
        _increment(client)

    assert _counter(client) == 1
