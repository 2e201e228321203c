"""os.fork(): a child gets its own renewal and clean-up threads; the parent's holds stay its own.

Each test forks for real. The child runs a function, sends what it found (or its error)
back through a pipe and ends with ``os._exit``, never returning into pytest; the parent
waits for it a bounded time. The simulated replica set serves from threads of the parent,
which keep running while the parent waits, so the child reaches it over TCP as any client.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import select
import signal
import threading
import time
import traceback
import warnings
from typing import Any

import pymongo
import pytest
from conftest import DB
from pymongo import AsyncMongoClient

from locker_room import (
    AsyncLockerRoom,
    Lock,
    LockLost,
    LockTimeout,
    NotLockOwner,
    _tasks,
    _threads,
)

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork() exists only on POSIX"),
    # Forking a process with threads (the simulated server's, the renewer) is the point here.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]

CHILD_TIMEOUT = 30.0


def in_child(body, *, timeout=CHILD_TIMEOUT):
    """Run ``body()`` in a forked child; return its result, or fail with its error."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        code = 1
        try:
            try:
                report: dict[str, Any] = {"result": body()}
                code = 0
            except BaseException as error:
                report = {"error": f"{error!r}\n{traceback.format_exc()}"}
            os.write(write_end, pickle.dumps(report))
        finally:
            os._exit(code)  # never run pytest's or atexit's clean-up in the child
    os.close(write_end)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            readable, _, _ = select.select([read_end], [], [], max(left, 0))
            if not readable:
                pytest.fail(f"the forked child sent nothing within {timeout} s (deadlocked?)")
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _reap(pid, deadline)
    report = pickle.loads(b"".join(chunks))
    if "error" in report:
        pytest.fail(f"the forked child failed: {report['error']}")
    return report["result"]


def _reap(pid, deadline):
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def refused(call):
    """The NotLockOwner message ``call()`` raised, or what went wrong instead."""
    try:
        call()
    except NotLockOwner as error:
        return str(error)
    except BaseException as error:
        return f"raised {error!r} instead of NotLockOwner"
    return "did not raise"


def use_the_inherited_client():
    # pymongo asks for a new client in a child; these tests use the room the child inherited
    # (and so its client) on purpose, as an application that forks workers after opening
    # one would. pymongo warns about it once, and resets the client's connections.
    warnings.filterwarnings("ignore", "MongoClient opened before fork", UserWarning)


class FakeLease:
    """What `Renewals` needs of a lease; records the pid of every process that renewed it."""

    def __init__(self, name, ttl):
        self.name = name
        self.ttl = ttl
        self.renewed_by = []

    def renew(self):
        self.renewed_by.append(os.getpid())
        return True

    def mark_lost(self, reason):
        raise AssertionError(f"{self.name} lost: {reason}")


@pytest.mark.timeout(60)
def test_the_child_gets_new_threads_even_if_a_vanished_thread_held_their_locks():
    renewals = _threads.Renewals(time.monotonic)
    background = _threads.Background()
    parents = FakeLease("parents", ttl=0.3)
    renewals.add(parents)
    background.run_soon(lambda: None)  # its thread now lingers, waiting for more
    assert wait_until(lambda: parents.renewed_by, 5), "the parent's renewer never ran"
    # A thread of the parent holds both conditions' locks at the moment of the fork: in the
    # child the locks look held forever by a thread that does not exist there.
    holding, let_go = threading.Event(), threading.Event()

    def hold():
        with renewals._wake, background._wake:
            holding.set()
            let_go.wait(CHILD_TIMEOUT)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(5)

    def child():
        inherited = len(parents.renewed_by)
        mine = FakeLease("mine", ttl=0.3)
        renewals.add(mine)
        ran = threading.Event()
        background.run_soon(ran.set)
        renewed_twice = wait_until(lambda: len(mine.renewed_by) >= 2, 5)
        return {
            "job ran": ran.wait(5),
            "mine renewed twice": renewed_twice,
            "mine renewed by": set(mine.renewed_by),
            "parent's renewed here": parents.renewed_by[inherited:],
            "threads": sorted(t.name for t in threading.enumerate()),
            "pid": os.getpid(),
        }

    try:
        found = in_child(child)
    finally:
        let_go.set()
        holder.join(5)
    assert found["job ran"] is True
    assert found["mine renewed twice"] is True
    assert found["mine renewed by"] == {found["pid"]}
    assert found["parent's renewed here"] == []
    assert "locker-room-renewer" in found["threads"]
    assert "locker-room-cleanup" in found["threads"]
    # The parent's thread goes on renewing the parent's lease.
    before = len(parents.renewed_by)
    assert wait_until(lambda: len(parents.renewed_by) > before, 5)
    assert set(parents.renewed_by) == {os.getpid()}
    renewals.discard(parents)
    renewals.end_idle()
    background.drain(5)


@pytest.mark.timeout(60)
def test_a_child_renews_its_own_lease_and_never_renews_nor_releases_the_parents(
    locker, make_room, mongo_uri, collection_name
):
    ttl = 1.2
    parents = locker.lock("parents", ttl=ttl, timeout=5)
    lock = Lock(locker, "lock-object", ttl=ttl)
    assert lock.acquire(timeout=5)
    broken = Lock(locker, "broken-by-the-child", ttl=ttl)
    assert broken.acquire(timeout=5)
    around = locker.lock_and_release("around-a-block", ttl=ttl, timeout=5)
    around.__enter__()  # the child leaves this with block
    # A waiter that gave up: closing its change stream keeps the clean-up thread busy a while.
    with pytest.raises(LockTimeout):
        locker.lock("parents", owner="rival", timeout=0.2)
    at_fork = parents.expires_at

    def child():
        use_the_inherited_client()
        found: dict[str, Any] = {
            "lease.release": refused(parents.release),
            "lease.renew": refused(parents.renew),
            "lock.release": refused(lock.release),
            "room.release": refused(lambda: locker.release("parents", owner=parents.owner)),
            "lease valid": parents.valid,
        }
        try:
            with parents:
                pass
        except NotLockOwner as error:
            found["with exit"] = str(error)
        found["lock_and_release exit"] = refused(lambda: around.__exit__(None, None, None))
        # The child is another owner of the Lock object: it waits as anyone else would.
        found["lock.acquire"] = lock.acquire(timeout=0.2)
        # Another owner that breaks the parent's hold then gets the lock: the local lock the
        # parent held at fork does not stay held in the child.
        locker.force_release("broken-by-the-child")
        found["broken.acquire"] = broken.acquire(timeout=5)
        found["broken token"] = broken.token
        broken.release()

        mine = locker.lock("childs", ttl=ttl, timeout=5)
        taken = mine.expires_at
        time.sleep(2 * ttl)  # past its ttl: only renewals keep it
        found["mine valid"] = mine.valid
        found["mine renewed"] = mine.expires_at > taken
        with pymongo.MongoClient(mongo_uri) as client:  # a fresh client reads it back
            status = client[DB][collection_name].find_one({"_id": "childs"})
            found["childs held"] = status is not None and status["expires_at"] > taken
        mine.release()
        found["parent's lease seen here"] = (parents.expires_at, parents.lost)
        return found

    found = in_child(child)
    for what in (
        "lease.release",
        "lease.renew",
        "lock.release",
        "room.release",
        "with exit",
        "lock_and_release exit",
    ):
        assert "os.fork()" in found[what], (what, found[what])
    assert "cannot renew lock 'parents'" in found["lease.renew"]
    assert "cannot release lock 'parents'" in found["lease.release"]
    assert found["lease valid"] is False
    assert found["lock.acquire"] is False
    assert found["broken.acquire"] is True
    assert found["mine valid"] is True
    assert found["mine renewed"] is True
    assert found["childs held"] is True
    assert found["parent's lease seen here"] == (at_fork, None), "the child renewed it"

    # The parent's holds stand, are still renewed by the parent, and release cleanly.
    assert parents.valid
    assert parents.expires_at > at_fork
    status = locker.status("parents")
    assert (status["locked"], status["owner"], status["token"]) == (
        True,
        parents.owner,
        parents.token,
    )
    parents.release()
    assert locker.status("around-a-block")["locked"] is True
    around.__exit__(None, None, None)
    assert locker.status("lock-object")["locked"] is True
    lock.release()
    assert found["broken token"] > 0
    with pytest.raises(LockLost):
        broken.release()
    assert locker.status("childs")["locked"] is False


@pytest.mark.timeout(60)
def test_an_async_lease_inherited_across_fork_is_refused_in_the_child(mongo_uri, collection_name):
    loop = asyncio.new_event_loop()
    client = AsyncMongoClient(mongo_uri)
    room = AsyncLockerRoom(client=client, db=DB, collection=collection_name)
    # Forked while the loop is not running: asyncio offers no fork of a running loop.
    lease = loop.run_until_complete(room.lock("parents", ttl=30, timeout=5))

    def child():
        async def main():
            async def attempt(call):
                try:
                    await call()
                except NotLockOwner as error:
                    return str(error)
                return "did not raise"

            return {
                "release": await attempt(lease.release),
                "renew": await attempt(lease.renew),
                "room.release": await attempt(lambda: room.release("parents", lease.owner)),
                "valid": lease.valid,
            }

        return asyncio.run(main())

    try:
        found = in_child(child)
        assert "cannot release lock 'parents'" in found["release"]
        assert "cannot renew lock 'parents'" in found["renew"]
        assert all("os.fork()" in found[what] for what in ("release", "renew", "room.release"))
        assert found["valid"] is False
        assert lease.valid
        loop.run_until_complete(lease.release())
    finally:
        loop.run_until_complete(room.close())
        loop.run_until_complete(client.close())
        loop.close()


@pytest.mark.timeout(60)
def test_the_child_forgets_the_parents_background_tasks():
    loop = asyncio.new_event_loop()
    background = _tasks.Background()
    never = asyncio.Event()

    async def start():
        background.run_soon(never.wait)  # pending in the parent's loop, which is not running

    loop.run_until_complete(start())

    def child():
        started = time.monotonic()
        asyncio.run(background.drain(5))
        return time.monotonic() - started

    try:
        assert in_child(child) < 2.5, "the child waited on a task of its parent's loop"
    finally:
        never.set()
        loop.run_until_complete(background.drain(5))
        loop.close()
