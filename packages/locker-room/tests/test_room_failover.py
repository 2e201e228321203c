"""Failover and lost replies during acquire and release: never two holders, outcome settled."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import Seen
from pymongo.errors import PyMongoError

from locker_room import LockTimeout, ServerUnavailable


def holder_thread(room, name, owner, record, **kwargs):
    def run():
        lease = room.lock(name, owner=owner, **kwargs)
        record.append(("acquired", owner, lease.token, time.monotonic()))
        lease.release()
        record.append(("released", owner, lease.token, time.monotonic()))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_step_down_while_a_waiter_polls_and_the_holder_releases(mongo_rs, make_room):
    seen = Seen()
    holder, waiter = make_room(), make_room({"event_listeners": [seen]})
    lease = holder.lock("x", owner="holder", ttl=5)
    record = []
    thread = holder_thread(waiter, "x", "waiter", record, timeout=30, ttl=5)
    assert seen.held.wait(30)
    mongo_rs.step_down(no_primary_for=1.0)
    assert not record, "the waiter must not get the lock while it is held"
    releasing_at = time.monotonic()
    lease.release()
    thread.join(timeout=60)
    assert [event[:3] for event in record] == [
        ("acquired", "waiter", lease.token + 1),
        ("released", "waiter", lease.token + 1),
    ]
    assert record[0][3] >= releasing_at, "the waiter got it only once the holder let go"
    assert holder.status("x")["token"] == lease.token + 1


@pytest.mark.parametrize("kind", ["apply_then_hangup", "hangup"])
def test_acquire_whose_reply_is_lost_is_retried_by_pymongo_once(mongo_rs, make_room, kind):
    room = make_room()
    mongo_rs.fail_next("findAndModify", kind)
    lease = room.lock("x", owner="gustav", timeout=10)
    assert lease.token == 1
    status = room.status("x")
    assert (status["owner"], status["token"], status["locked"]) == ("gustav", 1, True)
    lease.release()


@pytest.mark.parametrize("kind", ["apply_then_hangup", "hangup"])
def test_acquire_without_driver_retry_is_settled_by_reading_the_document(
    mongo_rs, make_room, kind
):
    room = make_room({"retryWrites": False})
    other = make_room()
    mongo_rs.fail_next("findAndModify", kind)
    lease = room.lock("x", owner="gustav", timeout=10)
    assert lease.token == 1, "applied once, or not at all and then retried: never twice"
    assert lease.valid
    assert other.status("x")["owner"] == "gustav"
    with pytest.raises(LockTimeout, match="held by 'gustav'"):
        other.lock("x", owner="bob", timeout=0)
    lease.release()
    assert other.lock("x", owner="bob", timeout=0).token == 2


def test_reentrant_acquire_applied_then_hung_up_counts_one_hold(mongo_rs, make_room):
    room = make_room({"retryWrites": False})
    outer = room.lock("r", owner="gustav", reentrant=True)
    mongo_rs.fail_next("findAndModify", "apply_then_hangup")
    inner = room.lock("r", owner="gustav", reentrant=True, timeout=10)
    inner.release()
    assert room.status("r")["locked"] is True
    outer.release()
    assert room.status("r")["locked"] is False


def test_no_primary_until_the_deadline_gives_server_unavailable_not_a_wait_for_the_client(
    mongo_rs, make_room
):
    room = make_room({"serverSelectionTimeoutMS": 600_000})  # the client alone would wait 10 min
    room.lock("warm").release()
    killed = mongo_rs.primary
    mongo_rs.kill(killed)
    outcome = []

    def acquire():
        try:
            room.lock("x", owner="gustav", timeout=0.5)
        except ServerUnavailable as error:
            outcome.append(error)

    thread = threading.Thread(target=acquire, daemon=True)
    thread.start()
    try:
        thread.join(timeout=120)  # a hang detector, not a speed check
        assert not thread.is_alive(), "the settling reads must stay inside the deadline too"
        assert str(outcome[0]).startswith("cannot reach MongoDB to lock 'x': ")
        assert isinstance(outcome[0].cause, PyMongoError)
    finally:
        # So the client can end its sessions and kill its cursors at teardown, which
        # would otherwise wait its 10-minute server selection for the dead member.
        mongo_rs.revive(killed)
        mongo_rs.elect((killed + 1) % 3)


def test_step_down_during_release_still_releases(mongo_rs, make_room):
    room, other = make_room(), make_room()
    lease = room.lock("x", owner="gustav")
    mongo_rs.step_down(no_primary_for=0.5)
    lease.release()
    assert other.status("x")["locked"] is False
    assert other.lock("x", owner="bob", timeout=0).token == 2


@pytest.mark.parametrize("retry_writes", [True, False])
def test_release_whose_reply_is_lost_is_settled(mongo_rs, make_room, retry_writes):
    room, other = make_room({"retryWrites": retry_writes}), make_room()
    lease = room.lock("x", owner="gustav")
    mongo_rs.fail_next("update", "apply_then_hangup")
    lease.release()
    assert other.status("x")["locked"] is False
    assert other.lock("x", owner="bob", timeout=0).token == 2


def test_reentrant_release_applied_then_hung_up_drops_one_hold(mongo_rs, make_room):
    room = make_room({"retryWrites": False})
    outer = room.lock("r", owner="gustav", reentrant=True)
    inner = room.lock("r", owner="gustav", reentrant=True)
    mongo_rs.fail_next("update", "apply_then_hangup")
    inner.release()
    assert room.status("r")["locked"] is True, "the repeated release did not drop the outer hold"
    outer.release()
    assert room.status("r")["locked"] is False


def test_unsettled_acquire_repeats_the_same_attempt_without_counting_twice(mongo_rs, make_room):
    room = make_room({"retryWrites": False, "retryReads": False})
    mongo_rs.fail_next("findAndModify", "apply_then_hangup")
    mongo_rs.fail_next("find", "hangup")  # the read that would settle it fails too
    lease = room.lock("r", owner="gustav", reentrant=True, timeout=10)
    assert lease.token == 1
    lease.release()
    assert room.status("r")["locked"] is False, "one hold counted, one release frees it"
