"""Leases: renewal keeps them, failed renewal loses them, the server clock decides expiry."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import Seen, SlowFirstReply

from locker_room import LockLost, LockTimeout


def test_renewal_keeps_a_one_second_lease_through_five_seconds_of_work(locker, make_room):
    contender = make_room()
    with locker.lock_and_release("x", owner="worker", ttl=1.0) as lease:
        first_expiry = lease.expires_at
        refused = 0
        end = time.monotonic() + 5.0
        while time.monotonic() < end:
            with pytest.raises(LockTimeout, match="held by 'worker'"):
                contender.lock("x", owner="contender", timeout=0)
            refused += 1
            time.sleep(0.25)
        assert lease.valid
        assert lease.lost is None
        assert lease.expires_at > first_expiry  # renewed on the server
    assert refused > 0
    assert contender.lock("x", owner="contender", timeout=0).token == lease.token + 1


def test_failed_renewal_marks_the_lease_lost_and_reports_it(mongo_rs, locker):
    reports = []
    lost = threading.Event()

    def on_lost(error):
        reports.append(error)
        lost.set()

    seen = []

    def work():
        with locker.lock_and_release("x", owner="worker", ttl=1.0, on_lost=on_lost) as lease:
            mongo_rs.step_down(no_primary_for=3.0)
            seen.append(lost.wait(timeout=30))
            seen.append(lease.valid)
            seen.append(lease.lost is reports[0])

    with pytest.raises(LockLost, match="lease on lock 'x' with token 1 was lost"):
        work()
    assert seen == [True, False, True]
    assert isinstance(reports[0], LockLost)
    assert reports[0].token == 1


@pytest.mark.parametrize("skew", [3600.0, -3600.0])
def test_expiry_follows_the_server_clock_not_the_clients(mongo_rs, make_room, skew):
    holder = make_room(clock=lambda: time.monotonic() + skew)
    contender = make_room(clock=lambda: time.monotonic() - skew)
    lease = holder.lock("x", owner="holder", ttl=30)
    with pytest.raises(LockTimeout):
        contender.lock("x", owner="contender", timeout=0)
    mongo_rs.clock.advance(29)
    assert contender.status("x")["locked"] is True
    with pytest.raises(LockTimeout):
        contender.lock("x", owner="contender", timeout=0)
    mongo_rs.clock.advance(2)
    assert contender.status("x")["locked"] is False
    taken = contender.lock("x", owner="contender", timeout=0)
    assert taken.token == lease.token + 1
    assert taken.acquired_at >= lease.expires_at
    with pytest.raises(LockLost):
        lease.release()
    taken.release()


def test_a_renewal_that_raises_loses_its_lease_but_others_keep_renewing(make_room):
    renewals = Seen()
    room = make_room({"event_listeners": [renewals]})
    lost = threading.Event()
    broken = room.lock("a", owner="worker", ttl=0.6, on_lost=lambda error: lost.set())
    healthy = room.lock("b", owner="worker", ttl=0.6)

    def bug():
        raise ZeroDivisionError("bug")

    broken.renew = bug
    assert lost.wait(30)
    assert isinstance(broken.lost, LockLost)
    assert "ZeroDivisionError" in str(broken.lost)
    before = renewals.counts.get("findAndModify", 0)
    assert renewals.wait_for("findAndModify", more_than=before, timeout=30)
    assert healthy.valid, "the other lease was renewed after the broken one failed"
    healthy.release()
    with pytest.raises(LockLost):
        broken.release()


def test_a_reply_that_arrives_after_the_ttl_is_not_handed_out_as_a_lease(make_room):
    slow = SlowFirstReply(ttl=30)
    room = make_room({"event_listeners": [slow]}, clock=slow.clock)
    lease = room.lock("x", owner="gustav", ttl=30)
    assert slow.acquires == 2, "the stale hold was taken again"
    assert lease.valid
    assert lease.token == 1, "still the caller's: the hold continues with the same token"
    lease.release()
