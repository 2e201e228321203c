"""The fair queue: a waiter that leaves ``lock()`` in any way leaves the queue behind it clean.

A queue entry left behind is not harmless: the next release hands the lock to its owner,
who is no longer there to use or release it, and everyone waits out that owner's ttl.
"""

from __future__ import annotations

import asyncio
import threading

import pymongo
import pytest
from conftest import DB, Seen
from lock_workers import is_join
from pymongo import AsyncMongoClient, monitoring

from locker_room import AsyncLockerRoom, LockTimeout


def queue_of(mongo_uri, collection_name, name="x"):
    with pymongo.MongoClient(mongo_uri) as client:
        return [
            entry["owner"]
            for entry in client[DB][collection_name].find_one({"_id": name})["queue"]
        ]


def fail_next(client, command, **data):
    client.admin.command(
        {
            "configureFailPoint": "failCommand",
            "mode": {"times": 1},
            "data": {"failCommands": [command], **data},
        }
    )


def test_a_fair_waiter_failing_with_an_error_leaves_the_queue(
    make_room, collection_name, mongo_rs
):
    holder = make_room()
    lease = holder.lock("x", owner="holder")
    seen = Seen()
    room = make_room({"event_listeners": [seen]})
    # Its first aggregate opens the change stream (refused: it polls), its second reads the
    # lock: refused too, an error waiting cannot fix, so lock() raises it.
    room._client.admin.command(
        {
            "configureFailPoint": "failCommand",
            "mode": {"times": 2},
            "data": {"failCommands": ["aggregate"], "errorCode": 13},
        }
    )
    with pytest.raises(pymongo.errors.OperationFailure) as caught:
        room.lock("x", owner="gone", fair=True, timeout=30)
    assert caught.value.code == 13
    assert seen.queued.is_set(), "it had joined the queue"
    assert queue_of(mongo_rs.uri, collection_name) == []
    lease.release()
    status = holder.status("x")
    assert (status["locked"], status["owner"]) == (False, "holder"), "not handed to 'gone'"


def test_a_cancelled_async_fair_waiter_leaves_the_queue(mongo_uri, collection_name):
    async def main():
        clients = [AsyncMongoClient(mongo_uri) for _ in range(2)]
        holder, room = (
            AsyncLockerRoom(client=c, db=DB, collection=collection_name) for c in clients
        )
        try:
            lease = await holder.lock("x", owner="holder")
            waiting = asyncio.create_task(room.lock("x", owner="impatient", fair=True))
            for _ in range(300):  # until it has joined the queue (bounded: 30 s)
                doc = await clients[0][DB][collection_name].find_one({"_id": "x"})
                if doc.get("queue"):
                    break
                await asyncio.sleep(0.1)
            else:
                pytest.fail("the waiter never joined the queue")
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            doc = await clients[0][DB][collection_name].find_one({"_id": "x"})
            assert doc["queue"] == []
            await lease.release()
            status = await holder.status("x")
            assert (status["locked"], status["owner"]) == (False, "holder")
        finally:
            for each, client in zip((holder, room), clients, strict=True):
                await each.close()
                await client.close()

    asyncio.run(main())


class AtTheFirstRefusal(monitoring.CommandListener):
    """Runs ``action()`` when the client first finds the lock held (before it goes on: a fair
    waiter's next command is its joining the queue)."""

    def __init__(self, action):
        self._action = action
        self.refused = False

    def started(self, event):
        pass

    def succeeded(self, event):
        pass

    def failed(self, event):
        refusal = getattr(event, "failure", {}).get("code") == 11000
        if refusal and not self.refused:
            self.refused = True
            self._action()


class JumpWhenTheJoinFails(monitoring.CommandListener):
    """A client clock that jumps ``by`` seconds when joining the fair queue fails."""

    def __init__(self, by):
        self.now = 0.0
        self.by = by
        self._joins = set()

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds

    def started(self, event):
        if is_join(event):
            self._joins.add(event.request_id)

    def succeeded(self, event):
        pass

    def failed(self, event):
        if event.request_id in self._joins:
            self.now += self.by


def test_a_fair_waiter_whose_join_reply_was_lost_still_leaves_the_queue_at_its_deadline(
    mongo_rs, make_room, collection_name
):
    holder = make_room()
    lease = holder.lock("x", owner="holder")
    time = JumpWhenTheJoinFails(by=100)  # the deadline passes while the join is unanswered
    # The join is applied, its reply lost.
    lost = AtTheFirstRefusal(lambda: mongo_rs.fail_next("findAndModify", "apply_then_hangup"))
    room = make_room(
        {"retryWrites": False, "event_listeners": [time, lost]},
        clock=time.clock,
        sleep=time.sleep,
    )
    with pytest.raises(LockTimeout):
        room.lock("x", owner="gone", fair=True, timeout=10)
    assert queue_of(mongo_rs.uri, collection_name) == []
    lease.release()
    assert holder.status("x")["locked"] is False, "not handed to 'gone'"


class HandOverAtTheDeadline(monitoring.CommandListener):
    """When the waiter's last acquire fails, the holder releases (handing the lock to the
    waiter) and the waiter's next write, leaving the queue, gets a writeConcernError."""

    def __init__(self, release, fail_next_write):
        self.refusals = 0
        self._release = release
        self._fail_next_write = fail_next_write

    def started(self, event):
        pass

    def succeeded(self, event):
        pass

    def failed(self, event):
        if (
            event.command_name == "findAndModify"
            and getattr(event, "failure", {}).get("code") == 11000
        ):
            self.refusals += 1
            if self.refusals == 2:  # the first found it held; the second is at the deadline
                self._release()
                self._fail_next_write()


def test_a_lock_handed_over_as_the_wait_ends_is_found_despite_an_unanswered_leave(
    mongo_rs, make_room
):
    holder = make_room()
    lease = holder.lock("x", owner="holder")
    waiter_client = pymongo.MongoClient(mongo_rs.uri, appName="waiter")
    wtimeout = {
        "code": 64,
        "codeName": "WriteConcernFailed",
        "errmsg": "waiting for replication timed out",
        "errInfo": {"wtimeout": True},
    }
    listener = HandOverAtTheDeadline(
        lease.release,
        lambda: fail_next(
            waiter_client, "findAndModify", writeConcernError=wtimeout, appName="waiter"
        ),
    )
    room = make_room({"event_listeners": [listener], "appName": "waiter"})
    try:
        got = room.lock("x", owner="next", fair=True, timeout=1.0, ttl=60)
    finally:
        waiter_client.close()
    assert listener.refusals == 2
    assert (got.owner, got.token) == ("next", lease.token + 1), "handed over: the waiter has it"
    assert got.valid
    got.release()
    assert holder.status("x")["locked"] is False


def test_a_fair_waiter_whose_join_gets_a_write_concern_error_keeps_its_place(mongo_rs, make_room):
    holder = make_room()
    lease = holder.lock("x", owner="holder")
    seen = Seen()
    shutdown = {"code": 91, "codeName": "ShutdownInProgress", "errmsg": "shutting down"}
    unconfirmed = AtTheFirstRefusal(  # the join is applied, not confirmed
        lambda: fail_next(room._client, "findAndModify", writeConcernError=shutdown)
    )
    # After a ShutdownInProgress pymongo waits for the member's next heartbeat: make it soon.
    room = make_room(
        {"retryWrites": False, "heartbeatFrequencyMS": 500, "event_listeners": [seen, unconfirmed]}
    )
    results = []
    thread = threading.Thread(target=lambda: results.append(_lock_or_error(room)))
    thread.start()
    assert seen.queued.wait(30)
    assert seen.wait_for("aggregate", more_than=1, timeout=30), "it went on waiting"
    lease.release()
    thread.join(60)
    assert not thread.is_alive()
    assert results[0].owner == "next", results
    assert results[0].token == lease.token + 1
    results[0].release()


def _lock_or_error(room):
    try:
        return room.lock("x", owner="next", fair=True, timeout=30)
    except Exception as error:  # the test asserts on it
        return error


def test_an_expired_holder_locking_again_fairly_queues_behind_the_waiters(
    mongo_rs, make_room, collection_name
):
    holder = make_room()
    first = holder.lock("x", owner="a", ttl=5, fair=True)
    seen = Seen()
    results = []
    room = make_room({"event_listeners": [seen]})
    thread = threading.Thread(
        target=lambda: results.append(room.lock("x", owner="w", fair=True, ttl=60, timeout=60))
    )
    thread.start()
    assert seen.queued.wait(30)
    assert queue_of(mongo_rs.uri, collection_name) == ["w"]
    mongo_rs.clock.advance(6)  # a's lease ends by the server's clock; w is still queued
    try:
        jumped = holder.lock("x", owner="a", fair=True, timeout=0)
    except LockTimeout:
        jumped = None
    else:
        jumped.release()  # hands it to w
    thread.join(60)
    assert jumped is None, "a took the lock again ahead of the waiter queued before it"
    assert (results[0].owner, results[0].token) == ("w", first.token + 1)
    results[0].release()


class HandOverAsTheEntryIsRenewed(monitoring.CommandListener):
    """The holder releases (handing the lock to the waiter) just as the waiter renews its
    queue entry, before the waiter has seen the hand-over."""

    def __init__(self, release):
        self.joins = 0
        self._release = release

    def started(self, event):
        if is_join(event):
            self.joins += 1
            if self.joins == 2:  # the first joined the queue; the second renews the entry
                self._release()

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_a_waiter_renewing_its_entry_as_the_lock_is_handed_to_it_does_not_queue_again(
    mongo_rs, make_room, collection_name
):
    holder = make_room()
    lease = holder.lock("x", owner="holder")
    listener = HandOverAsTheEntryIsRenewed(lease.release)
    room = make_room({"event_listeners": [listener]})
    got = room.lock("x", owner="next", fair=True, ttl=1.5, timeout=30)  # renews after 0.5 s
    assert listener.joins == 2
    assert (got.owner, got.token) == ("next", lease.token + 1)
    assert queue_of(mongo_rs.uri, collection_name) == [], "the holder is not queued behind itself"
    got.release()
    assert holder.status("x")["locked"] is False, "not handed to 'next' a second time"
