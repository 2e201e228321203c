"""locker-room on the mongosim replica set, against the seed's algorithm on the same set.

1. Round trips per uncontended acquire and per release, counted by the simulator
   (goal: exactly 1 each).
2. Uncontended acquire+release pairs per second, LockerRoom vs the seed's algorithm
   (``find`` to see whether the lock is free, then ``find_one_and_update``; poll every 0.1 s).
3. Hand-off latency with 4 worker processes contending (each holds 10 ms, then rests
   5 ms): time from one holder's release to the acquire of the next holder, counted
   only when that one was already waiting; p50 and p99 (goal: p50 <= 20 ms), again
   against the seed's algorithm.

Run: ``python benchmarks/bench_locker_room.py [--quick]``.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import multiprocessing
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pymongo
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

import mongosim
from locker_room import LockerRoom

DB = "bench"
MONITORING = {"hello", "ismaster", "isMaster", "endSessions"}


class SeedLocker:
    """The seed post's algorithm, transcribed: look, then try to take it; poll every 0.1 s."""

    def __init__(self, client: pymongo.MongoClient[dict[str, Any]]) -> None:
        self.locks = client[DB]["seed_locks"]

    def lock(self, name: str, owner: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            doc = self.locks.find_one({"_id": name})
            if doc is None or not doc["locked"]:
                try:
                    taken = self.locks.find_one_and_update(
                        {"_id": name, "locked": False},
                        {
                            "$set": {
                                "locked": True,
                                "owner": owner,
                                "timestamp": datetime.datetime.now(datetime.timezone.utc),
                            }
                        },
                        upsert=True,
                        return_document=ReturnDocument.AFTER,
                    )
                except DuplicateKeyError:
                    taken = None
                if taken is not None:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(name)
            time.sleep(0.1)

    def release(self, name: str, owner: str) -> None:
        self.locks.update_one({"_id": name, "owner": owner}, {"$set": {"locked": False}})


def user_commands(rs: mongosim.ReplicaSet) -> Counter[str]:
    counts = rs.commands()
    for name in MONITORING:
        counts.pop(name, None)
    return counts


def round_trips(
    rs: mongosim.ReplicaSet, client: pymongo.MongoClient[dict[str, Any]], room: LockerRoom
) -> None:
    room.lock("warm").release()
    before = user_commands(rs)
    lease = room.lock("rt")
    acquired = user_commands(rs)
    lease.release()
    released = user_commands(rs)
    acquire, release = acquired - before, released - acquired
    print(f"round trips per uncontended acquire: {acquire.total()} {dict(acquire)} (goal 1)")
    print(f"round trips per release:             {release.total()} {dict(release)} (goal 1)")
    seed = SeedLocker(client)
    before = user_commands(rs)
    seed.lock("rt", "me", 1)
    acquired = user_commands(rs)
    seed.release("rt", "me")
    released = user_commands(rs)
    acquire, release = acquired - before, released - acquired
    print(f"seed algorithm: acquire {acquire.total()} {dict(acquire)}, release {release.total()}")


def pairs_per_second(
    client: pymongo.MongoClient[dict[str, Any]], room: LockerRoom, n: int
) -> None:
    seed = SeedLocker(client)
    seed.lock("warm", "me", 1)
    seed.release("warm", "me")
    started = time.perf_counter()
    for _ in range(n):
        room.lock("pairs", owner="me").release()
    ours = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(n):
        seed.lock("pairs", "me", 1)
        seed.release("pairs", "me")
    theirs = n / (time.perf_counter() - started)
    print(
        f"uncontended acquire+release pairs/s: locker-room {ours:.0f}, seed algorithm"
        f" {theirs:.0f}; ratio {ours / theirs:.2f}x"
    )


def _contend(uri: str, algorithm: str, worker: int, rounds: int, start: Any) -> list[Any]:
    holds = []
    with pymongo.MongoClient(uri) as client:
        room = LockerRoom(client=client, db=DB, collection="handoff")
        seed = SeedLocker(client)
        owner = f"worker-{worker}"
        start.wait()
        for _ in range(rounds):
            requested = time.monotonic()
            if algorithm == "locker-room":
                lease = room.lock("handoff", owner=owner, timeout=60, ttl=10)
                acquired = time.monotonic()
                time.sleep(0.010)
                released = time.monotonic()
                lease.release()
            else:
                seed.lock("handoff", owner, 60)
                acquired = time.monotonic()
                time.sleep(0.010)
                released = time.monotonic()
                seed.release("handoff", owner)
            holds.append((acquired, released, worker, requested))
            time.sleep(0.005)
    return holds


def handoffs(uri: str, algorithm: str, rounds: int) -> list[float]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(4, mp_context=context) as pool:
        start = manager.Event()
        futures = [pool.submit(_contend, uri, algorithm, w, rounds, start) for w in range(4)]
        start.set()
        holds = sorted(hold for future in futures for hold in future.result())
    return [
        1000 * (nxt[0] - prev[1])
        for prev, nxt in itertools.pairwise(holds)
        if nxt[2] != prev[2] and nxt[3] < prev[1]  # a hand-off to a waiter
    ]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    quick = parser.parse_args().quick
    with mongosim.ReplicaSet(members=3) as rs, pymongo.MongoClient(rs.uri) as client:
        room = LockerRoom(client=client, db=DB, collection="locks")
        print(f"python {sys.version.split()[0]}, pymongo {pymongo.version}, mongosim replica set")
        round_trips(rs, client, room)
        pairs_per_second(client, room, 100 if quick else 300)
        rounds = 10 if quick else 30
        ours = handoffs(rs.uri, "locker-room", rounds)
        theirs = handoffs(rs.uri, "seed", rounds)
    p50, p99 = percentile(ours, 50), percentile(ours, 99)
    s50, s99 = percentile(theirs, 50), percentile(theirs, 99)
    print(
        f"hand-off latency, 4 processes: locker-room p50 {p50:.1f} ms p99 {p99:.1f} ms"
        f" ({len(ours)} hand-offs; goal p50 <= 20 ms); seed algorithm p50 {s50:.1f} ms"
        f" p99 {s99:.1f} ms ({len(theirs)}); p50 ratio {s50 / p50:.1f}x faster"
    )


if __name__ == "__main__":
    main()
