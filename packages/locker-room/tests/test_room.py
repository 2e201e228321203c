"""LockerRoom against a server: the seed's calls, ownership, tokens, waiting, admin calls."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import Seen
from pymongo import monitoring

from locker_room import LockerRoom, LockLost, LockTimeout, NotLockOwner


def test_seed_calls_keep_working(locker):
    with locker.lock_and_release("my_lock", owner="gustav", timeout=2):
        status = locker.status("my_lock")
        assert status["locked"] is True
        assert status["owner"] == "gustav"

    @locker.lock_and_release("my_lock", owner="gustav", timeout=2)
    def important_function():
        return locker.status("my_lock")["locked"]

    assert important_function() is True
    assert locker.status("my_lock")["locked"] is False

    locker.lock("my_lock", timeout=2)
    assert locker.status("my_lock")["locked"] is True
    locker.release("my_lock")
    assert locker.status("my_lock")["locked"] is False


def test_status_has_the_seed_keys_plus_expiry_and_token(locker):
    lease = locker.lock("a", owner="gustav", ttl=30)
    status = locker.status("a")
    assert set(status) == {"_id", "locked", "owner", "timestamp", "expires_at", "token"}
    assert status["_id"] == "a"
    assert status["token"] == lease.token == 1
    assert status["expires_at"] == lease.expires_at
    assert 29 <= (status["expires_at"] - status["timestamp"]).total_seconds() <= 30.01
    lease.release()


def test_status_of_a_lock_never_taken(locker):
    assert locker.status("never") == {
        "_id": "never",
        "locked": False,
        "owner": None,
        "timestamp": None,
        "expires_at": None,
        "token": 0,
    }


def test_tokens_increase_with_every_new_hold(locker):
    tokens = []
    for owner in ("a", "b", "a", "c"):
        with locker.lock_and_release("t", owner=owner) as lease:
            tokens.append(lease.token)
    assert tokens == [1, 2, 3, 4]


def test_relock_by_the_same_owner_extends_and_keeps_the_token(locker):
    first = locker.lock("x", owner="gustav", ttl=10)
    second = locker.lock("x", owner="gustav", ttl=30, timeout=0)
    assert second.token == first.token
    assert second.expires_at > first.expires_at
    second.release()
    assert locker.status("x")["locked"] is False  # not counted: one release frees it


def test_reentrant_counts_holds(locker):
    outer = locker.lock("r", owner="gustav", reentrant=True)
    inner = locker.lock("r", owner="gustav", reentrant=True, timeout=0)
    assert inner.token == outer.token
    inner.release()
    assert locker.status("r")["locked"] is True
    with pytest.raises(LockTimeout):
        locker.lock("r", owner="other", timeout=0)
    outer.release()
    assert locker.status("r")["locked"] is False


def test_a_shorter_inner_hold_never_shortens_the_outer_lease(mongo_rs, locker, make_room):
    outer = locker.lock("r", owner="gustav", reentrant=True, ttl=60)
    inner = locker.lock("r", owner="gustav", reentrant=True, ttl=5, timeout=0)
    assert inner.expires_at >= outer.expires_at
    inner.release()
    mongo_rs.clock.advance(10)  # past the inner ttl, well inside the outer one
    assert outer.valid
    with pytest.raises(LockTimeout, match="held by 'gustav'"):
        make_room().lock("r", owner="bob", timeout=0)
    outer.release()


def test_release_by_another_owner_raises_not_lock_owner(locker):
    lease = locker.lock("x", owner="gustav")
    with pytest.raises(
        NotLockOwner, match=r"'bob' cannot release lock 'x': it is held by 'gustav'"
    ):
        locker.release("x", owner="bob")
    assert locker.status("x")["owner"] == "gustav"
    lease.release()


def test_release_of_a_lock_never_taken_raises_not_lock_owner(locker):
    with pytest.raises(NotLockOwner, match="no such lock"):
        locker.release("nothing", owner="bob")


def test_releasing_a_lease_twice_raises_not_lock_owner(locker):
    lease = locker.lock("x")
    lease.release()
    with pytest.raises(NotLockOwner, match="already released"):
        lease.release()


def test_release_after_force_release_and_takeover_raises_lock_lost(locker, make_room):
    lease = locker.lock("x", owner="gustav")
    locker.force_release("x")
    other = make_room().lock("x", owner="bob", timeout=0)
    assert other.token > lease.token
    with pytest.raises(LockLost, match=r"token 1 was lost: it expired and 'bob' took it"):
        lease.release()
    assert locker.status("x")["owner"] == "bob"
    other.release()


def test_release_after_the_lease_expired_and_was_taken_raises_lock_lost(mongo_rs, locker):
    lease = locker.lock("x", owner="gustav", ttl=5)
    mongo_rs.clock.advance(6)
    taker = locker.lock("x", owner="bob", timeout=0)
    assert taker.token == lease.token + 1
    with pytest.raises(LockLost) as caught:
        lease.release()
    assert caught.value.token == lease.token
    assert locker.status("x")["owner"] == "bob"
    taker.release()


def test_release_of_an_expired_lease_nobody_took_succeeds(mongo_rs, locker):
    lease = locker.lock("x", owner="gustav", ttl=5)
    mongo_rs.clock.advance(6)
    lease.release()
    assert locker.lock("x", owner="bob", timeout=0).token == lease.token + 1


class Boom(Exception):
    pass


def test_body_raising_in_with_releases_and_propagates(locker):
    seen = []

    def body():
        with locker.lock_and_release("x", owner="gustav"):
            seen.append(locker.status("x")["locked"])
            raise Boom

    with pytest.raises(Boom):
        body()
    assert seen == [True]
    assert locker.status("x")["locked"] is False


def test_decorated_function_raising_releases_and_propagates(locker):
    @locker.lock_and_release("x", owner="gustav")
    def work():
        assert locker.status("x")["locked"] is True
        raise Boom

    with pytest.raises(Boom):
        work()
    assert locker.status("x")["locked"] is False
    with pytest.raises(Boom):
        work()  # a decorator locks on every call
    assert locker.status("x")["token"] == 2


def test_timeout_zero_on_a_held_lock_raises_at_once_naming_the_holder(locker):
    lease = locker.lock("x", owner="gustav")
    with pytest.raises(LockTimeout, match=r"held by 'gustav' until \d{4}-") as caught:
        locker.lock("x", owner="bob", timeout=0)
    assert caught.value.holder == "gustav"
    assert caught.value.expires_at == lease.expires_at
    lease.release()


def test_timeout_waits_then_raises_naming_the_holder(locker, mongo_uri):
    lease = locker.lock("x", owner="gustav")
    started = time.monotonic()
    with pytest.raises(LockTimeout, match=r"after waiting 0.3 s: held by 'gustav'"):
        locker.lock("x", owner="bob", timeout=0.3)
    assert time.monotonic() - started >= 0.3  # it did wait (no upper bound: machines are slow)
    lease.release()


@pytest.mark.parametrize("fair", [False, True])
def test_waiter_gets_the_lock_when_the_holder_releases(locker, make_room, fair):
    lease = locker.lock("x", owner="gustav")
    seen = Seen()
    room = make_room({"event_listeners": [seen]})
    got = []
    waiter = threading.Thread(
        target=lambda: got.append(room.lock("x", owner="bob", timeout=30, fair=fair))
    )
    waiter.start()
    assert seen.held.wait(30), "the waiter found the lock held"
    assert not got
    lease.release()
    waiter.join()
    assert got[0].owner == "bob"
    assert got[0].token == lease.token + 1
    got[0].release()


def test_default_owner_differs_between_threads(locker):
    lease = locker.lock("x")
    errors = []

    def other_thread():
        try:
            locker.lock("x", timeout=0)
        except LockTimeout as error:
            errors.append(error)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert errors
    assert errors[0].holder == lease.owner
    assert lease.owner.count(":") == 3
    lease.release()


def test_force_release_breaks_the_lock_and_locks_lists_all(locker):
    locker.lock("b", owner="gustav")
    locker.lock("a", owner="bob")
    listed = locker.locks()
    assert [(s["_id"], s["owner"], s["locked"]) for s in listed] == [
        ("a", "bob", True),
        ("b", "gustav", True),
    ]
    locker.force_release("b")
    assert locker.status("b")["locked"] is False
    assert locker.lock("b", owner="carl", timeout=0).token == 3  # 1 held, 2 broken, 3 now


def test_lease_valid_until_released(locker):
    lease = locker.lock("x")
    assert lease.valid
    assert lease.lost is None
    lease.release()
    assert not lease.valid


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"name": ""}, ValueError, "`name` must be a non-empty string"),
        ({"name": 3}, TypeError, "`name` must be a str, got int"),
        ({"owner": ""}, ValueError, "`owner` must be a non-empty string or None"),
        ({"timeout": -1}, ValueError, "`timeout` must be a finite number of seconds >= 0"),
        ({"timeout": "2"}, TypeError, "`timeout` must be a number of seconds, got str"),
        ({"ttl": 0}, ValueError, r"`ttl` must be a finite number of seconds > 0, got 0"),
        ({"ttl": float("inf")}, ValueError, "`ttl` must be a finite number of seconds > 0"),
        ({"ttl": True}, TypeError, "`ttl` must be a number of seconds, got bool"),
    ],
)
def test_bad_arguments_fail_before_any_round_trip(locker, kwargs, error, message):
    args = {"name": "x", **kwargs}
    with pytest.raises(error, match=message):
        locker.lock(**args)
    with pytest.raises(error, match=message):
        locker.lock_and_release(**args)


def test_room_needs_host_or_client_not_both(locker):
    with pytest.raises(ValueError, match="pass either `host` or `client`"):
        LockerRoom(host="localhost", client=locker._client)


@pytest.mark.parametrize("key", ["db", "collection"])
def test_room_rejects_empty_db_or_collection(key):
    with pytest.raises(ValueError, match=f"`{key}` must be a non-empty string"):
        LockerRoom(host="mongodb://127.0.0.1:1", **{key: ""})


def test_room_from_host_owns_and_closes_its_client(mongo_uri, collection_name):
    with LockerRoom(host=mongo_uri, db="locker_room_tests", collection=collection_name) as room:
        room.lock("x").release()
        assert room.status("x")["token"] == 1


def test_a_new_thread_reusing_a_finished_threads_id_is_another_owner(locker):
    leases, errors = [], []
    first = threading.Thread(target=lambda: leases.append(locker.lock("x")))
    first.start()
    first.join()

    def second():
        try:
            locker.lock("x", timeout=0)
        except LockTimeout as error:
            errors.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join()
    assert len(errors) == 1
    assert errors[0].holder == leases[0].owner
    leases[0].release()


class Commands(monitoring.CommandListener):
    def __init__(self):
        self.sent = []

    def started(self, event):
        self.sent.append((event.command_name, event.command))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_writes_use_majority_write_concern_and_status_majority_reads(make_room):
    commands = Commands()
    room = make_room({"event_listeners": [commands]})
    room.lock("x", owner="gustav").release()
    room.status("x")
    by_name = dict(commands.sent)
    assert by_name["findAndModify"]["writeConcern"] == {"w": "majority"}
    assert by_name["update"]["writeConcern"] == {"w": "majority"}
    assert by_name["aggregate"]["readConcern"] == {"level": "majority"}


def test_uncontended_acquire_and_release_are_one_round_trip_each(mongo_rs, locker):
    def user_commands():
        counts = mongo_rs.commands()
        for monitoring_command in ("hello", "ismaster", "isMaster", "endSessions"):
            counts.pop(monitoring_command, None)
        return counts

    locker.lock("warm").release()
    before = user_commands()
    lease = locker.lock("x", owner="gustav")
    acquired = user_commands()
    lease.release()
    released = user_commands()
    assert acquired - before == {"findAndModify": 1}
    assert released - acquired == {"update": 1}


def test_owner_and_name_that_look_like_field_paths_are_plain_strings(locker):
    lease = locker.lock("$name", owner="$owner")
    status = locker.status("$name")
    assert (status["owner"], status["locked"]) == ("$owner", True)
    again = locker.lock("$name", owner="$owner", timeout=0)
    assert again.token == lease.token
    with pytest.raises(LockTimeout, match=r"held by '\$owner'"):
        locker.lock("$name", owner="$other", timeout=0)
    locker.release("$name", owner="$owner")
    assert locker.status("$name")["locked"] is False


def test_one_lock_and_release_object_serves_several_threads(locker):
    guard = locker.lock_and_release("x", timeout=30)
    inside, overlaps = [], []

    def work():
        for _ in range(5):
            with guard as lease:
                inside.append(lease.owner)
                if len(inside) > 1:
                    overlaps.append(list(inside))
                time.sleep(0.002)
                inside.remove(lease.owner)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    assert locker.status("x")["token"] == 15
    assert locker.status("x")["locked"] is False
