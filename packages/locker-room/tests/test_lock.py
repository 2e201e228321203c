"""Lock: the threading.Lock interface over a LockerRoom lock."""

from __future__ import annotations

import threading

import pytest

from locker_room import Lock, LockLost, NotLockOwner


def test_acquire_release_locked_like_threading_lock(locker, make_room):
    lock = Lock(locker, "x", ttl=30)
    assert lock.locked() is False
    assert lock.acquire() is True
    assert lock.locked() is True
    assert lock.token == 1
    assert lock.acquire(blocking=False) is False  # not reentrant, like threading.Lock
    assert Lock(make_room(), "x").acquire(timeout=0.2) is False  # another process's view
    lock.release()
    assert lock.locked() is False
    assert lock.lease is None
    with pytest.raises(NotLockOwner, match="not acquired"):
        lock.release()


def test_with_statement_and_token_order(locker):
    lock = Lock(locker, "x")
    tokens = []
    for _ in range(3):
        with lock:
            tokens.append(lock.token)
    assert tokens == [1, 2, 3]
    with pytest.raises(NotLockOwner):
        _ = lock.token


def test_one_lock_object_excludes_threads_and_any_thread_may_release(locker):
    lock = Lock(locker, "x")
    lock.acquire()
    waiting, releasing = threading.Event(), threading.Event()
    got = []

    def wait_for_it():
        waiting.set()
        got.append(lock.acquire(timeout=30))
        got.append(releasing.is_set())  # it got the lock only after the release began

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    assert waiting.wait(30)
    releasing.set()
    releaser = threading.Thread(target=lock.release)
    releaser.start()
    releaser.join()
    waiter.join()
    assert got == [True, True]
    assert lock.token == 2
    lock.release()


def test_two_lock_objects_on_one_name_exclude_each_other(locker):
    first, second = Lock(locker, "x"), Lock(locker, "x")
    assert first.acquire(blocking=False)
    assert not second.acquire(blocking=False)
    first.release()
    assert second.acquire(blocking=False)
    second.release()


def test_body_raising_releases(locker):
    lock = Lock(locker, "x")

    def body():
        with lock:
            raise KeyError("boom")

    with pytest.raises(KeyError):
        body()
    assert lock.locked() is False
    assert lock.acquire(blocking=False)
    lock.release()


def test_release_after_takeover_raises_lock_lost_and_frees_the_object(locker, make_room):
    lock = Lock(locker, "x")
    lock.acquire()
    locker.force_release("x")
    other = make_room().lock("x", owner="bob", timeout=0)
    with pytest.raises(LockLost):
        lock.release()
    assert lock.acquire(timeout=0.1) is False  # the object is free again, the lock is bob's
    other.release()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"blocking": False, "timeout": 1}, "can't specify a timeout for a non-blocking call"),
        ({"timeout": -2}, "`timeout` must be -1 or a number of seconds >= 0"),
    ],
)
def test_bad_acquire_arguments(locker, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Lock(locker, "x").acquire(**kwargs)


def test_bad_lock_arguments(locker):
    with pytest.raises(ValueError, match="`name` must be a non-empty string"):
        Lock(locker, "")
    with pytest.raises(ValueError, match="`ttl` must be a finite number of seconds > 0"):
        Lock(locker, "x", ttl=0)
