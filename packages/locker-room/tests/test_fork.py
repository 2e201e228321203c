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
from typing import Any

import pytest

from locker_room import _tasks, _threads

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
