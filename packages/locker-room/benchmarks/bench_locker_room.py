"""locker-room on the mongosim replica set, against the seed's algorithm on the same set.

1. Round trips per uncontended acquire and per release, counted by the simulator
   (goal: exactly 1 each, also with change-stream waiting on: the watch opens only when
   the lock is found held).
2. Uncontended acquire+release pairs per second, LockerRoom vs the seed's algorithm
   (``find`` to see whether the lock is free, then ``find_one_and_update``; poll every 0.1 s).
3. Hand-off latency, polling vs push (change stream) vs fair mode, with 1, 2 and 4 waiters:
   in each wave the coordinator holds the lock while the waiter processes line up for it
   (for 100-300 ms), then releases; the time until the first waiter has it is one hand-off.
   Goals: push p99 <= 20 ms with 4 waiters, p50 < 20 ms. Anchor: the seed's algorithm.
   For push and fair, where it goes: release to the event reaching the first holder's
   process, then from that event to holding the lock.
4. ``python -X importtime``: ``import locker_room`` and ``from locker_room import
   LockerRoom`` beside ``import pymongo`` alone (goal: ratio <= 1.5).

Run: ``python benchmarks/bench_locker_room.py [--quick]``.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pymongo
from pymongo import ReturnDocument, monitoring
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
    client: pymongo.MongoClient[dict[str, Any]], room: LockerRoom, n: int, repeats: int = 5
) -> None:
    """Best of ``repeats`` interleaved blocks of ``n`` pairs each, for both algorithms."""
    seed = SeedLocker(client)
    seed.lock("warm", "me", 1)
    seed.release("warm", "me")
    ours = theirs = 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(n):
            room.lock("pairs", owner="me").release()
        ours = max(ours, n / (time.perf_counter() - started))
        started = time.perf_counter()
        for _ in range(n):
            seed.lock("pairs", "me", 1)
            seed.release("pairs", "me")
        theirs = max(theirs, n / (time.perf_counter() - started))
    print(
        f"uncontended acquire+release pairs/s (best of {repeats}): locker-room {ours:.0f},"
        f" seed algorithm {theirs:.0f}; ratio {ours / theirs:.2f}x"
    )


class Holder:
    """One process's side of a hand-off: the same lock/release calls for every algorithm."""

    def __init__(self, client: pymongo.MongoClient[dict[str, Any]], algorithm: str) -> None:
        self.room = LockerRoom(
            client=client, db=DB, collection="handoff", watch=algorithm != "polling"
        )
        self.fair = algorithm == "fair"
        self.seed = SeedLocker(client) if algorithm == "seed" else None
        self.lease: Any = None

    def lock(self, owner: str) -> None:
        if self.seed is not None:
            self.seed.lock("handoff", owner, 60)
        else:
            self.lease = self.room.lock("handoff", owner=owner, timeout=60, ttl=10, fair=self.fair)

    def release(self, owner: str) -> None:
        if self.seed is not None:
            self.seed.release("handoff", owner)
        else:
            self.lease.release()


class FirstEvent(monitoring.CommandListener):
    """When the first change event reached this process since ``reset()`` (None: none yet)."""

    def __init__(self) -> None:
        self.at: float | None = None

    def reset(self) -> None:
        self.at = None

    def started(self, event: Any) -> None:
        pass

    def succeeded(self, event: Any) -> None:
        batch = (
            event.reply.get("cursor", {}).get("nextBatch")
            if event.command_name == "getMore"
            else None
        )
        if batch and self.at is None:
            self.at = time.monotonic()

    def failed(self, event: Any) -> None:
        pass


def _wait_in_line(uri: str, algorithm: str, worker: int, waves: int, sync: Any) -> list[Any]:
    holds = []
    first_event = FirstEvent()
    with pymongo.MongoClient[dict[str, Any]](uri, event_listeners=[first_event]) as client:
        holder = Holder(client, algorithm)
        owner = f"worker-{worker}"
        for wave in range(waves):
            sync.wait()  # the coordinator holds the lock: join the line
            first_event.reset()
            holder.lock(owner)
            acquired = time.monotonic()
            woken = first_event.at
            time.sleep(0.010)
            released = time.monotonic()
            holder.release(owner)
            holds.append((wave, acquired, released, woken))
            sync.wait()  # everyone had a turn
        holder.room.close()
    return holds


def handoffs(
    uri: str, algorithm: str, waiters: int, waves: int
) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds from the coordinator's release to the first of ``waiters`` holding it.

    With them, for each hand-off whose first holder was woken by a change event: from the
    release to that event, and from the event to holding the lock.
    """
    context = multiprocessing.get_context("spawn")
    releases = []
    with (
        pymongo.MongoClient[dict[str, Any]](uri) as client,
        context.Manager() as manager,
        ProcessPoolExecutor(waiters, mp_context=context) as pool,
    ):
        coordinator = Holder(client, algorithm)
        sync = manager.Barrier(waiters + 1)
        futures = [
            pool.submit(_wait_in_line, uri, algorithm, w, waves, sync) for w in range(waiters)
        ]
        pause = random.Random(6)
        for _ in range(waves):
            coordinator.lock("coordinator")
            sync.wait()
            time.sleep(pause.uniform(0.1, 0.3))  # the waiters have been waiting a while
            releases.append(time.monotonic())
            coordinator.release("coordinator")
            sync.wait()
        holds = [hold for future in futures for hold in future.result()]
        coordinator.room.close()
    first, to_event, to_hold = [], [], []
    for wave, released in enumerate(releases):
        acquired, woken = min((a, e) for w, a, _, e in holds if w == wave)
        first.append(1000 * (acquired - released))
        if woken is not None and woken >= released:
            to_event.append(1000 * (woken - released))
            to_hold.append(1000 * (acquired - woken))
    return first, to_event, to_hold


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def _import_total(code: str) -> int:
    """Microseconds ``python -X importtime -c code`` reports for its top-level imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    micros = 0
    for line in done.stderr.splitlines():
        parts = line.split("|")
        top_level = len(parts) == 3 and not parts[2].startswith("  ")
        if top_level and parts[1].strip().isdigit():
            micros += int(parts[1])
    return micros


def imports(repeats: int) -> None:
    """Import times, best of ``repeats`` interleaved runs, net of the interpreter's own."""
    statements = ("import pymongo", "import locker_room", "from locker_room import LockerRoom")
    best = dict.fromkeys(statements, float("inf"))
    for _ in range(repeats):
        for statement in statements:
            net = _import_total(statement) - _import_total("pass")
            best[statement] = min(best[statement], net)
    anchor = best["import pymongo"]
    for statement in statements[1:]:
        print(
            f"{statement!r}: {best[statement] / 1000:.1f} ms, 'import pymongo' alone"
            f" {anchor / 1000:.1f} ms; ratio {best[statement] / anchor:.2f}x (goal <= 1.5)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    quick = parser.parse_args().quick
    waves = 10 if quick else 30
    results: dict[tuple[str, int], list[float]] = {}
    parts: dict[tuple[str, int], tuple[list[float], list[float]]] = {}
    with (
        mongosim.ReplicaSet(members=3) as rs,
        pymongo.MongoClient[dict[str, Any]](rs.uri) as client,
    ):
        room = LockerRoom(client=client, db=DB, collection="locks")
        print(f"python {sys.version.split()[0]}, pymongo {pymongo.version}, mongosim replica set")
        round_trips(rs, client, room)
        pairs_per_second(client, room, 50 if quick else 100)
        for waiters in (1, 2, 4):
            for algorithm in ("seed", "polling", "push", "fair"):
                first, to_event, to_hold = handoffs(rs.uri, algorithm, waiters, waves)
                results[algorithm, waiters] = first
                parts[algorithm, waiters] = to_event, to_hold
    for waiters in (1, 2, 4):
        s50 = percentile(results["seed", waiters], 50)
        for algorithm in ("seed", "polling", "push", "fair"):
            values = results[algorithm, waiters]
            p50, p99 = percentile(values, 50), percentile(values, 99)
            print(
                f"hand-off to {waiters} waiter(s), {algorithm:>7}: p50 {p50:6.1f} ms"
                f" p99 {p99:6.1f} ms ({len(values)} hand-offs); seed p50 / this p50"
                f" {s50 / p50:.2f}x"
            )
    for waiters in (1, 2, 4):
        for algorithm in ("push", "fair"):
            to_event, to_hold = parts[algorithm, waiters]
            if len(to_event) < 2:
                continue
            print(
                f"  where it goes, {waiters} waiter(s), {algorithm:>4}: release to event"
                f" p50 {percentile(to_event, 50):5.1f} p99 {percentile(to_event, 99):5.1f} ms,"
                f" event to held p50 {percentile(to_hold, 50):5.1f}"
                f" p99 {percentile(to_hold, 99):5.1f} ms ({len(to_event)} woken by an event)"
            )
    imports(3 if quick else 5)


if __name__ == "__main__":
    main()
