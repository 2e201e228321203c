"""writeConcernError on acquire, renew and release, produced by mongod's failCommand fail point.

A ``writeConcernError`` reply means the primary applied the write but could not confirm the
write concern (a ``wtimeout``, or an interruption during a failover). The library settles
each case by reading the lock document back by the write's attempt id, as it does for a lost
reply: the write counts once, and the caller sees the outcome it would have without the error.
"""

from __future__ import annotations

import pytest
from conftest import Seen

WTIMEOUT = {
    "code": 64,
    "codeName": "WriteConcernFailed",
    "errmsg": "waiting for replication timed out",
    "errInfo": {"wtimeout": True},
}
SHUTDOWN = {
    "code": 91,
    "codeName": "ShutdownInProgress",
    "errmsg": "Replication is being shut down",
}
# A ShutdownInProgress reply makes pymongo mark the member Unknown until its monitor sees it
# again. A real member that says so is going down, which the monitor sees at once; the
# simulator's member carries on unchanged, so its awaitable hello answers only after
# heartbeatFrequencyMS (10 s by default): shorten it so the retry is not held up.
QUICK_MONITOR = {"heartbeatFrequencyMS": 500}


def fail_command(room_client, command, write_concern_error):
    """Configure failCommand on the primary: the next ``command`` gets the error."""
    data = {"failCommands": [command], "writeConcernError": write_concern_error}
    room_client.admin.command(
        {"configureFailPoint": "failCommand", "mode": {"times": 1}, "data": data}
    )


def fail_with_code(room_client, command, code):
    """Configure failCommand on the primary: the next ``command`` fails with ``code`` unapplied."""
    data = {"failCommands": [command], "errorCode": code}
    room_client.admin.command(
        {"configureFailPoint": "failCommand", "mode": {"times": 1}, "data": data}
    )


@pytest.mark.parametrize(
    ("error", "timeout"),
    [
        (WTIMEOUT, 10),  # not retryable: pymongo raises at once, the library reads it back
        (SHUTDOWN, None),  # labelled RetryableWriteError: pymongo retries with the same txn
        (SHUTDOWN, 10),  # within pymongo.timeout(): pymongo retries until it works
    ],
)
def test_acquire_with_a_write_concern_error_is_settled(mongo_rs, make_room, error, timeout):
    seen = Seen()
    room = make_room({"event_listeners": [seen], **QUICK_MONITOR})
    other = make_room()
    fail_command(room._client, "findAndModify", error)
    lease = room.lock("x", owner="gustav", timeout=timeout)
    assert lease.token == 1, "applied once"
    assert lease.valid
    if error is WTIMEOUT:  # not retryable: the library reads the document back
        assert (seen.counts["findAndModify"], seen.counts.get("find", 0)) == (1, 1)
    else:  # pymongo sent the same statement again (same txnNumber): the server replied ok
        assert seen.counts["findAndModify"] + seen.counts.get("find", 0) == 2
    status = other.status("x")
    assert (status["owner"], status["locked"], status["token"]) == ("gustav", True, 1)
    lease.release()
    assert other.lock("x", owner="bob", timeout=0).token == 2


def test_acquire_with_a_write_concern_error_read_back_as_not_ours_keeps_waiting(
    mongo_rs, make_room
):
    holder, room = make_room(), make_room()
    lease = holder.lock("x", owner="gustav")
    # The acquire does not match (held): no write, but the reply carries the error anyway.
    fail_command(room._client, "findAndModify", WTIMEOUT)
    with pytest.raises(Exception, match="held by 'gustav'") as caught:
        room.lock("x", owner="bob", timeout=0.5)
    assert type(caught.value).__name__ == "LockTimeout"
    lease.release()


def test_renewal_with_a_write_concern_error_is_settled_by_reading_it_back(mongo_rs, make_room):
    seen = Seen()
    room = make_room({"event_listeners": [seen]})
    lease = room.lock("x", owner="gustav", ttl=30)
    first = lease.expires_at
    mongo_rs.clock.advance(5)
    reads = seen.counts.get("find", 0)
    fail_command(room._client, "findAndModify", WTIMEOUT)
    assert lease.renew() is True
    assert seen.counts.get("find", 0) == reads + 1, "settled by one read, not assumed"
    assert lease.valid
    assert lease.lost is None
    assert lease.expires_at > first
    lease.release()


def test_renewal_with_a_shutdown_write_concern_error_is_retried_as_the_same_write(
    mongo_rs, make_room
):
    seen = Seen()
    room = make_room({"event_listeners": [seen], **QUICK_MONITOR})
    lease = room.lock("x", owner="gustav", ttl=30)
    first = lease.expires_at
    mongo_rs.clock.advance(5)
    attempts = seen.counts["findAndModify"]
    fail_command(room._client, "findAndModify", SHUTDOWN)
    assert lease.renew() is True
    assert seen.counts["findAndModify"] == attempts + 2, "pymongo sent the same statement again"
    assert lease.valid
    assert lease.expires_at > first
    lease.release()


@pytest.mark.parametrize("retry_writes", [True, False])
def test_renewal_interrupted_by_a_failover_error_is_settled(mongo_rs, make_room, retry_writes):
    seen = Seen()
    room = make_room({"event_listeners": [seen], "retryWrites": retry_writes, **QUICK_MONITOR})
    lease = room.lock("x", owner="gustav", ttl=30)
    first = lease.expires_at
    mongo_rs.clock.advance(5)
    attempts, reads = seen.counts["findAndModify"], seen.counts.get("find", 0)
    fail_with_code(room._client, "findAndModify", 11602)  # InterruptedDueToReplStateChange
    assert lease.renew() is True
    assert seen.counts["findAndModify"] == attempts + 2, "sent again once, by pymongo or us"
    assert seen.counts.get("find", 0) == reads + (0 if retry_writes else 1)
    assert lease.valid
    assert lease.expires_at > first
    lease.release()


def test_renewal_with_a_write_concern_error_after_a_takeover_loses_the_lease(mongo_rs, make_room):
    room, other = make_room(), make_room()
    lease = room.lock("x", owner="gustav", ttl=5)
    mongo_rs.clock.advance(6)
    taker = other.lock("x", owner="bob", timeout=0)
    fail_command(room._client, "findAndModify", WTIMEOUT)
    assert lease.renew() is False
    assert "expired or was taken over" in str(lease.lost)
    taker.release()


def test_release_with_a_write_concern_timeout_is_settled_by_reading_it_back(mongo_rs, make_room):
    seen = Seen()
    room, other = make_room({"event_listeners": [seen]}), make_room()
    lease = room.lock("x", owner="gustav")
    fail_command(room._client, "update", WTIMEOUT)
    lease.release()
    assert seen.counts.get("find", 0) == 1, "settled by reading the document"
    assert seen.counts["update"] == 1, "applied once, not sent again"
    assert other.status("x")["locked"] is False
    assert other.lock("x", owner="bob", timeout=0).token == 2


def test_release_interrupted_by_a_shutdown_is_retried_by_pymongo_as_the_same_write(
    mongo_rs, make_room
):
    # 91 in a writeConcernError is labelled RetryableWriteError by a 4.4+ server: pymongo
    # sends the same statement (same txnNumber) again, which the server does not re-apply.
    seen = Seen()
    room, other = make_room({"event_listeners": [seen], **QUICK_MONITOR}), make_room()
    lease = room.lock("x", owner="gustav")
    fail_command(room._client, "update", SHUTDOWN)
    lease.release()
    assert seen.counts["update"] == 2
    assert other.status("x")["locked"] is False
    assert other.lock("x", owner="bob", timeout=0).token == 2


@pytest.mark.parametrize("retry_writes", [True, False])
def test_release_interrupted_by_a_failover_error_is_settled(mongo_rs, make_room, retry_writes):
    seen = Seen()
    room = make_room({"event_listeners": [seen], "retryWrites": retry_writes, **QUICK_MONITOR})
    other = make_room()
    lease = room.lock("x", owner="gustav")
    fail_with_code(room._client, "update", 11602)
    lease.release()
    assert seen.counts["update"] == 2, "sent again once: by pymongo or after a read"
    assert seen.counts.get("find", 0) == (0 if retry_writes else 1)
    assert other.status("x")["locked"] is False
    assert other.lock("x", owner="bob", timeout=0).token == 2


def test_reentrant_release_with_a_write_concern_error_drops_one_hold(mongo_rs, make_room):
    room = make_room()
    outer = room.lock("r", owner="gustav", reentrant=True)
    inner = room.lock("r", owner="gustav", reentrant=True)
    fail_command(room._client, "update", WTIMEOUT)
    inner.release()
    assert room.status("r")["locked"] is True
    outer.release()
    assert room.status("r")["locked"] is False


def test_fair_hand_over_with_a_write_concern_error_on_the_release(mongo_rs, make_room):
    import threading

    room = make_room()
    lease = room.lock("x", owner="holder")
    seen = Seen()
    waiter_room = make_room({"event_listeners": [seen]})
    got = []
    thread = threading.Thread(
        target=lambda: got.append(waiter_room.lock("x", owner="next", fair=True, timeout=60))
    )
    thread.start()
    assert seen.queued.wait(30)
    fail_command(room._client, "update", WTIMEOUT)
    lease.release()  # applied (handed over) though the reply carries the error
    thread.join(120)
    assert got[0].owner == "next"
    assert got[0].token == 2
    got[0].release()


@pytest.mark.parametrize("retry_writes", [True, False])
def test_acquire_interrupted_by_a_failover_error_is_settled(mongo_rs, make_room, retry_writes):
    # 11602 InterruptedDueToReplStateChange: the server may or may not have applied it.
    seen = Seen()
    room = make_room({"event_listeners": [seen], "retryWrites": retry_writes})
    room._client.admin.command(
        {
            "configureFailPoint": "failCommand",
            "mode": {"times": 1},
            "data": {"failCommands": ["findAndModify"], "errorCode": 11602},
        }
    )
    lease = room.lock("x", owner="gustav", timeout=10)
    assert lease.token == 1
    assert seen.counts["findAndModify"] == 2, "sent again once: by pymongo or after a read"
    assert seen.counts.get("find", 0) == (0 if retry_writes else 1)
    lease.release()
