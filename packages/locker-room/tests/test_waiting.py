"""Blocked acquires: what they wait for, fair queues, and why a wait ends."""

from __future__ import annotations

import threading

import lock_workers
import pymongo
import pytest
from bson import Timestamp
from conftest import DB, Seen
from pymongo import ReturnDocument

from locker_room import LockerRoom, LockTimeout, ServerUnavailable
from locker_room._keeper import ChangeWatch
from locker_room._protocol import acquire_command, enqueue_command
from locker_room._wait import AWAIT


def ghost_holds(mongo_uri, collection_name, name, ttl, owner="ghost"):
    """A holder that crashed right after acquiring: its lease is never renewed."""
    with pymongo.MongoClient(mongo_uri) as client:
        query, update = acquire_command(name, owner, ttl, reentrant=False, attempt="g1")
        return client[DB][collection_name].find_one_and_update(
            query, update, upsert=True, return_document=ReturnDocument.AFTER
        )


def ghost_queues(mongo_uri, collection_name, name, ttl, owner):
    """A fair waiter that joined the queue and crashed: its entry is never renewed."""
    with pymongo.MongoClient(mongo_uri) as client:
        query, update = enqueue_command(name, owner, ttl, attempt=f"{owner}-attempt")
        assert client[DB][collection_name].update_one(query, update).matched_count == 1


def waiter(room, results, *, release=False, timeout=60, **kwargs):
    """Lock ``x`` in a thread; append the lease (or the error); release it if asked."""

    def run():
        try:
            lease = room.lock("x", timeout=timeout, **kwargs)
        except Exception as error:  # the test asserts on it
            results.append(error)
            return
        results.append(lease)
        if release:
            lease.release()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_unreachable_server_raises_server_unavailable_not_lock_timeout():
    uri = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=2000"
    with LockerRoom(host=uri) as room, pytest.raises(ServerUnavailable) as caught:
        room.lock("x", timeout=2)
    assert str(caught.value).startswith("cannot reach MongoDB to lock 'x': 127.0.0.1:1")
    assert isinstance(caught.value, ConnectionError)
    assert isinstance(caught.value.cause, pymongo.errors.ServerSelectionTimeoutError)


def test_a_lock_seen_held_then_unreachable_at_the_deadline_is_a_lock_timeout(mongo_rs, make_room):
    holder = make_room()
    seen = Seen()
    room = make_room({"event_listeners": [seen], "serverSelectionTimeoutMS": 600_000})
    lease = holder.lock("x", owner="gustav")
    results = []
    thread = waiter(room, results, owner="bob", timeout=2)
    assert seen.held.wait(30)
    killed = mongo_rs.primary
    mongo_rs.kill(killed)
    try:
        thread.join(120)  # a hang detector
        assert not thread.is_alive()
        assert isinstance(results[0], LockTimeout), results
        assert isinstance(results[0].__cause__, pymongo.errors.PyMongoError)
    finally:
        # The waiter's change stream had its cursor on the killed member: closing the
        # client at teardown kills that cursor there, and would wait the client's 10-minute
        # server selection for a member that never comes back (seen on Python 3.10).
        mongo_rs.revive(killed)
        mongo_rs.elect((killed + 1) % 3)
    lease.release()


def test_fair_waiters_are_granted_in_arrival_order_by_the_release_itself(make_room):
    holder = make_room()
    lease = holder.lock("x", owner="holder")
    listeners = [Seen() for _ in range(3)]
    results = [[] for _ in listeners]
    threads = []
    for index, listener in enumerate(listeners):
        room = make_room({"event_listeners": [listener]})
        # w0 keeps the lock until the test has looked; the others pass it on at once.
        release = index > 0
        threads.append(waiter(room, results[index], owner=f"w{index}", fair=True, release=release))
        assert listener.queued.wait(30), f"waiter {index} never joined the queue"
    lease.release()
    status = holder.status("x")
    assert (status["owner"], status["locked"], status["token"]) == ("w0", True, 2)
    threads[0].join(120)
    results[0][0].release()
    for thread in threads:
        thread.join(120)
    assert [[type(r).__name__ for r in rs] for rs in results] == [["Lease"]] * 3
    assert [rs[0].token for rs in results] == [2, 3, 4]


def test_a_fair_waiter_that_times_out_leaves_the_queue(make_room, mongo_uri, collection_name):
    holder = make_room()
    lease = holder.lock("x", owner="holder")
    with pytest.raises(LockTimeout, match="held by 'holder'"):
        make_room().lock("x", owner="impatient", timeout=0.3, fair=True)
    with pymongo.MongoClient(mongo_uri) as client:
        assert client[DB][collection_name].find_one({"_id": "x"})["queue"] == []
    lease.release()
    assert holder.status("x")["locked"] is False, "nobody queued: the release frees the lock"


def test_a_crashed_fair_waiter_leaves_the_queue_when_its_entry_expires(
    mongo_rs, make_room, collection_name
):
    holder = make_room()
    lease = holder.lock("x", owner="holder", ttl=60)
    ghost_queues(mongo_rs.uri, collection_name, "x", ttl=5, owner="crashed")
    listener = Seen()
    results = []
    thread = waiter(
        make_room({"event_listeners": [listener]}), results, owner="alive", fair=True, ttl=60
    )
    assert listener.queued.wait(30)
    mongo_rs.clock.advance(6)  # the crashed waiter's entry expires; the holder's lease not
    lease.release()
    assert holder.status("x")["owner"] == "alive", "handed to the first live waiter"
    thread.join(120)
    assert results[0].token == lease.token + 1
    results[0].release()


def test_a_lock_handed_to_a_crashed_waiter_frees_itself_at_that_waiters_ttl(
    mongo_rs, make_room, collection_name
):
    holder = make_room()
    lease = holder.lock("x", owner="holder", ttl=60)
    ghost_queues(mongo_rs.uri, collection_name, "x", ttl=5, owner="crashed")
    listener = Seen()
    results = []
    thread = waiter(
        make_room({"event_listeners": [listener]}), results, owner="alive", fair=True, ttl=60
    )
    assert listener.queued.wait(30)
    lease.release()
    assert holder.status("x")["owner"] == "crashed", "still alive at the release: its turn"
    mongo_rs.clock.advance(6)  # the crashed waiter's hold ends with its 5 s ttl
    thread.join(120)
    assert results[0].owner == "alive"
    assert results[0].token == lease.token + 2
    results[0].release()


def test_fair_and_plain_acquires_of_a_free_lock_take_it_at_once(make_room):
    room = make_room()
    first = room.lock("x", owner="a", fair=True, timeout=0)
    first.release()
    second = room.lock("x", owner="b", timeout=0)
    assert second.token == 2
    second.release()


def test_fair_mode_grants_in_arrival_order_across_8_processes(
    workers, mongo_uri, collection_name, locker
):
    processes = 8
    pool, manager = workers
    go = [manager.Event() for _ in range(processes)]
    joined = [manager.Event() for _ in range(processes)]
    lease = locker.lock("fair", owner="holder", ttl=60)
    pending = [
        pool.submit(lock_workers.fair_waiter, mongo_uri, collection_name, i, go[i], joined[i])
        for i in range(processes)
    ]
    for index in range(processes):  # one at a time: arrival order is 0, 1, ..., 7
        go[index].set()
        assert joined[index].wait(60), f"process {index} never joined the queue"
    lease.release()
    grants = sorted(future.result(timeout=120) for future in pending)
    tokens = [token for _, token in grants]
    assert tokens == list(range(lease.token + 1, lease.token + 1 + processes))


class SimulatedTime:
    """A client clock and sleep that move the simulator's server clock along with them."""

    def __init__(self, server_clock):
        self.now = 1000.0
        self.slept = []
        self._server = server_clock

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds
        self._server.advance(seconds)


@pytest.mark.parametrize("fair", [False, True])
def test_a_polling_waiter_sleeps_until_the_lease_it_read_ends_not_longer(
    mongo_rs, make_room, collection_name, fair
):
    held = ghost_holds(mongo_rs.uri, collection_name, "x", ttl=30)
    time = SimulatedTime(mongo_rs.clock)
    seen = Seen()
    room = make_room({"event_listeners": [seen]}, watch=False, clock=time.clock, sleep=time.sleep)
    lease = room.lock("x", owner="heir", fair=fair)
    assert lease.acquired_at >= held["expires_at"], "never before the server's expiry"
    # In the waiter's own time, the sleeps end where the lease it read ends (30 s at most,
    # less the real time its round trips took, which moves the server clock too): capped, not
    # a backoff step (up to 1 s) past it.
    assert sum(time.slept) <= 30.0
    assert max(time.slept) <= 1.0, "the polling backoff stays capped at 1 s"
    lease.release()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("fair", [False, True])
def test_a_waiter_on_the_change_stream_keeps_simulated_time_too(
    mongo_rs, make_room, collection_name, fair
):
    # Each empty read of the stream blocks on the server for a while, in real time: a clock
    # that moves only when the room sleeps must still reach the lease's end, not wait for ever.
    held = ghost_holds(mongo_rs.uri, collection_name, "x", ttl=2)
    time = SimulatedTime(mongo_rs.clock)
    streams = Streams()
    room = make_room({"event_listeners": [streams]}, clock=time.clock, sleep=time.sleep)
    lease = room.lock("x", owner="heir", fair=fair)
    assert streams.opened == 1, "it waited on the change stream"
    assert lease.acquired_at >= held["expires_at"], "never before the server's expiry"
    assert sum(time.slept) <= 2.0, "in its own time, not past the end of the lease it read"
    lease.release()


def test_a_waiter_without_a_deadline_polls_with_capped_backoff(
    mongo_rs, make_room, collection_name
):
    ghost_holds(mongo_rs.uri, collection_name, "x", ttl=5)
    time = SimulatedTime(mongo_rs.clock)
    seen = Seen()
    room = make_room({"event_listeners": [seen]}, watch=False, clock=time.clock, sleep=time.sleep)
    room.lock("x", owner="heir").release()
    attempts = seen.counts["findAndModify"]
    reads = seen.counts["aggregate"]
    assert attempts >= 2
    assert reads <= attempts, "the lease's end is read again only once it has passed"


class Streams(Seen):
    """Seen, plus: the change streams opened (their ``$changeStream`` options), the events
    their reads brought, the operation time of each refusal, and the upserts sent."""

    def __init__(self):
        super().__init__()
        self.opened = 0
        self.options = []
        self.events = 0
        self.refused_at = []
        self.upserts = []

    def started(self, event):
        super().started(event)
        if event.command_name == "aggregate" and "$changeStream" in str(event.command):
            self.opened += 1
            self.options.append(event.command["pipeline"][0]["$changeStream"])
        if event.command_name == "findAndModify" and "$concatArrays" not in str(event.command):
            self.upserts.append(event.command.get("upsert", False))

    def succeeded(self, event):
        super().succeeded(event)
        if event.command_name == "getMore":
            self.events += len(event.reply["cursor"]["nextBatch"])

    def failed(self, event):
        super().failed(event)
        if getattr(event, "failure", {}).get("code") == 11000:
            self.refused_at.append(event.failure.get("operationTime"))


def test_a_pushed_waiter_is_woken_by_the_release_without_polling(mongo_rs, make_room):
    holder = make_room()
    lease = holder.lock("x", owner="gustav")
    streams = Streams()
    results = []
    thread = waiter(make_room({"event_listeners": [streams]}), results, owner="bob")
    assert streams.held.wait(30)
    before = streams.counts.get("getMore", 0)
    assert streams.wait_for("getMore", more_than=before + 2, timeout=30), "waits on the stream"
    attempts = streams.counts["findAndModify"]
    assert attempts == 1, "the stream starts at the refusal: no attempt again before waiting"
    [options] = streams.options
    refused = streams.refused_at[0]
    assert options["startAtOperationTime"] == Timestamp(refused.time, refused.inc + 1), (
        "just after the refusal: the holder's write it saw does not wake the waiter"
    )
    lease.release()
    thread.join(60)
    assert results[0].owner == "bob"
    assert streams.opened == 1
    assert streams.counts["findAndModify"] == attempts + 1, "one attempt, after the event"
    assert streams.upserts == [True, False], "after an update event, no insert to fail"
    results[0].release()


def test_renewals_and_reentrant_holds_wake_no_waiter(mongo_rs, make_room):
    holder = make_room()
    lease = holder.lock("x", owner="gustav", ttl=60, reentrant=True)
    streams = Streams()
    results = []
    thread = waiter(make_room({"event_listeners": [streams]}), results, owner="bob")
    assert streams.wait_for("getMore", more_than=0, timeout=30)
    for _ in range(3):
        assert lease.renew()
    inner = holder.lock("x", owner="gustav", ttl=60, reentrant=True)  # a second hold
    inner.release()  # one hold left: still held
    reads = streams.counts["getMore"]
    # A read started after these writes: the one waiting while they landed has answered.
    assert streams.wait_for("getMore", more_than=reads, timeout=30)
    assert streams.events == 0, "the server kept these updates from the waiter's stream"
    assert streams.counts["findAndModify"] == 1
    lease.release()
    thread.join(60)
    assert results[0].owner == "bob"
    assert streams.events == 1, "the release"
    results[0].release()


def test_a_waiter_on_a_lock_document_deleted_under_it_takes_the_lock_anew(
    mongo_rs, make_room, collection_name
):
    holder = make_room()
    holder.lock("x", owner="gustav", ttl=60)
    streams = Streams()
    results = []
    thread = waiter(make_room({"event_listeners": [streams]}), results, owner="bob")
    assert streams.wait_for("getMore", more_than=0, timeout=30)
    with pymongo.MongoClient(mongo_rs.uri) as client:
        client[DB][collection_name].delete_one({"_id": "x"})  # by hand, against the advice
    thread.join(60)
    assert (results[0].owner, results[0].token) == ("bob", 1), "the document made anew"
    assert streams.upserts[-1] is True
    results[0].release()


def test_a_fair_waiter_handed_the_lock_holds_it_from_the_event_alone(make_room):
    holder = make_room()
    lease = holder.lock("x", owner="holder")
    streams = Streams()
    results = []
    thread = waiter(make_room({"event_listeners": [streams]}), results, owner="w", fair=True)
    assert streams.queued.wait(30)
    assert streams.wait_for("getMore", more_than=0, timeout=30)
    reads = streams.counts["aggregate"]
    lease.release()
    thread.join(60)
    assert (results[0].owner, results[0].token) == ("w", lease.token + 1)
    assert results[0].valid
    assert streams.counts["aggregate"] == reads, "no read after the hand-over's event"
    results[0].release()


def test_a_pushed_waiter_still_wakes_at_the_expiry_of_a_crashed_holder(
    mongo_rs, make_room, collection_name
):
    held = ghost_holds(mongo_rs.uri, collection_name, "x", ttl=1.5)
    streams = Streams()
    room = make_room({"event_listeners": [streams]})
    lease = room.lock("x", owner="heir", timeout=30)
    assert lease.acquired_at >= held["expires_at"]
    assert streams.opened == 1
    assert streams.counts["findAndModify"] <= 4, "no polling: woken by the expiry it read"
    lease.release()


def test_without_change_streams_waiters_fall_back_to_polling(mongo_rs, make_room):
    holder = make_room()
    lease = holder.lock("x", owner="gustav", ttl=60)
    streams = Streams()
    room = make_room({"event_listeners": [streams]})
    # A standalone mongod answers $changeStream with 40573; here the fail point does, to the
    # waiter's first aggregate, which is the one opening the stream.
    room._client.admin.command(
        {
            "configureFailPoint": "failCommand",
            "mode": {"times": 1},
            "data": {"failCommands": ["aggregate"], "errorCode": 40573},
        }
    )
    results = []
    thread = waiter(room, results, owner="bob", timeout=60)
    assert streams.held.wait(30)
    assert streams.wait_for("findAndModify", more_than=3, timeout=30), "it polls"
    lease.release()
    thread.join(60)
    assert results[0].owner == "bob"
    assert streams.counts.get("getMore", 0) == 0
    results[0].release()


def test_a_stream_that_fails_is_replaced_by_polling_then_opened_again(mongo_rs, make_room):
    holder = make_room()
    lease = holder.lock("x", owner="gustav", ttl=60)
    streams = Streams()
    room = make_room({"event_listeners": [streams]})
    results = []
    thread = waiter(room, results, owner="bob", timeout=60)
    assert streams.held.wait(30)
    assert streams.wait_for("getMore", more_than=0, timeout=30)
    # A non-resumable error on the stream's next read (pymongo cannot resume it).
    room._client.admin.command(
        {
            "configureFailPoint": "failCommand",
            "mode": {"times": 1},
            "data": {"failCommands": ["getMore"], "errorCode": 280},
        }
    )
    opened = streams.opened
    deadline_reads = streams.counts.get("getMore", 0)
    assert streams.wait_for("getMore", more_than=deadline_reads + 3, timeout=30)
    assert streams.opened > opened, "the stream was opened again"
    lease.release()
    thread.join(60)
    assert results[0].owner == "bob"
    results[0].release()


class QuietStream:
    """A change stream with nothing to say: each read takes `AWAIT` seconds of ``time``."""

    def __init__(self, time):
        self.time = time
        self.reads = 0

    def try_next(self):
        self.reads += 1
        self.time.now += AWAIT


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_a_waiter_reads_the_stream_through_a_recheck_and_sleeps_only_before_a_hard_bound():
    time = FakeTime()
    stream = QuietStream(time)
    watch = ChangeWatch(stream, time.clock, time.sleep)
    assert watch.wait(0.9, None) is None  # only a recheck is due at 0.9
    assert stream.reads == 5
    assert sum(time.slept) == pytest.approx(0.0, abs=1e-9), "no blind stretch before a recheck"
    time.now, stream.reads = 0.0, 0
    assert watch.wait(0.9, 0.9) is None  # the deadline (or the hold's end) at 0.9
    assert stream.reads == 4
    assert sum(time.slept) == pytest.approx(0.1), "the last stretch is slept: never past it"
    assert time.now == pytest.approx(0.9)


def test_closing_a_room_ends_its_idle_threads_at_once(make_room):
    holder = make_room()
    seen = Seen()
    room = make_room({"event_listeners": [seen]})
    lease = holder.lock("x", owner="gustav")
    results = []
    thread = waiter(room, results, owner="bob", release=True)
    assert seen.held.wait(30)
    lease.release()
    thread.join(60)
    assert results[0].owner == "bob"
    # The stream closer and the renewer linger LINGER (5) s for the next lock: not once
    # the room is closed.
    lingering = [room._keeper._background._thread, room._keeper._renewals._thread]
    assert all(each is not None for each in lingering)
    room.close()
    for each in lingering:
        each.join(2)
        assert not each.is_alive(), each.name
