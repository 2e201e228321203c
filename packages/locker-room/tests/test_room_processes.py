"""Mutual exclusion across OS processes (spawn), and a holder killed with SIGKILL."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import time

import lock_workers
import pytest
from conftest import WORKERS

from locker_room import LockTimeout

PROCESSES = WORKERS
ROUNDS = 25


def run_workers(workers, mongo_uri, collection_name, tmp_path, *, use_lock):
    counter = tmp_path / "counter"
    counter.write_text("0")
    pool, manager = workers
    start = manager.Event()
    futures = [
        pool.submit(
            lock_workers.increment,
            mongo_uri,
            collection_name,
            str(counter),
            ROUNDS,
            use_lock,
            start,
        )
        for _ in range(PROCESSES)
    ]
    start.set()
    holds = sorted(hold for future in futures for hold in future.result(timeout=120))
    return int(counter.read_text()), holds


def overlaps(holds):
    return sum(1 for before, after in itertools.pairwise(holds) if after[0] < before[1])


def test_processes_never_overlap_and_tokens_increase(
    workers, mongo_uri, collection_name, tmp_path
):
    count, holds = run_workers(workers, mongo_uri, collection_name, tmp_path, use_lock=True)
    assert count == PROCESSES * ROUNDS
    assert len(holds) == PROCESSES * ROUNDS
    assert overlaps(holds) == 0
    tokens = [token for _, _, token in holds]
    assert all(a < b for a, b in itertools.pairwise(tokens)), "tokens in acquisition order"


def test_without_the_lock_the_same_check_sees_lost_updates(
    workers, mongo_uri, collection_name, tmp_path
):
    count, holds = run_workers(workers, mongo_uri, collection_name, tmp_path, use_lock=False)
    assert count < PROCESSES * ROUNDS
    assert overlaps(holds) > 0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_holder_blocks_until_expiry_then_a_waiter_takes_over(
    locker, mongo_uri, collection_name
):
    ttl = 1.0
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    holder = context.Process(
        target=lock_workers.hold_forever, args=(mongo_uri, collection_name, ttl, ready)
    )
    holder.start()
    try:
        token = ready.get(timeout=60)
        os.kill(holder.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        holder.join()
        held = locker.status("crash")
        assert held["locked"] is True
        assert held["token"] == token
        with pytest.raises(LockTimeout, match="held by 'doomed-"):
            locker.lock("crash", owner="heir", timeout=0)
        remaining = ttl + 1.0 - (time.monotonic() - killed_at)
        lease = locker.lock("crash", owner="heir", timeout=max(remaining, 0.0), ttl=ttl)
        assert lease.token == token + 1
        assert lease.acquired_at >= held["expires_at"], "acquired before expiry by server clock"
        lease.release()
    finally:
        if holder.is_alive():
            holder.kill()
