"""Benchmarks: cost of a proxied call, and time to recover from a scripted 1.5 s failover.

1. Overhead: a proxied ``find_one`` on an in-process stub collection (a real pymongo
   Collection whose ``find_one`` returns at once) against the same call on the bare
   collection (the anchor), in the same run: the two are timed in alternating short runs
   (interleaved, so a change of machine load hits both), and the best run of each is kept.
   It prints the absolute cost the proxy adds per call (goal <= 1 us) and, timed the same
   way, what of it no proxy can avoid: forwarding ``*args, **kwargs`` through a plain
   function, and entering pymongo's deadline, which every first attempt needs (the two
   context variables the proxy sets and resets, and ``pymongo.timeout()``, the public
   way in). The machine's load average is printed beside the figures.
2. Import time: ``python -X importtime -c "import mongo_autoreconnect"`` (cumulative µs of
   the top-level import) against ``import pymongo`` alone, its heaviest dependency (the
   anchor); interleaved, best of several runs; goal <= 1.5x.
3. Recovery: writes through the proxy while the mongosim primary steps down with no primary
   for 1.5 s; prints the time from the step-down to the first write that succeeds, against
   the 1.5 s outage (the anchor) and against plain pymongo with default settings.

Run: ``python benchmarks/bench_proxy.py`` (needs mongosim for part 3).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import timeit
from typing import Any

import pymongo
from pymongo.collection import Collection

from mongo_autoreconnect import MongoProxy, RetryPolicy, _deadline

DOC = {"_id": 1, "title": "x"}


class StubCollection(Collection):  # type: ignore[type-arg]
    """A pymongo Collection whose find_one does no I/O."""

    def find_one(self, *args: Any, **kwargs: Any) -> Any:
        return DOC


def interleaved_ns(
    statements: dict[str, str], namespace: dict[str, Any], runs: int = 300, number: int = 1000
) -> dict[str, float]:
    """Best ns per call of each statement, timed in alternating runs of ``number`` calls."""
    timers = {name: timeit.Timer(code, globals=namespace) for name, code in statements.items()}
    best = dict.fromkeys(statements, float("inf"))
    for _ in range(runs):
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(number) / number * 1e9)
    return best


def bench_overhead() -> None:
    # A direct connection: pymongo takes its one server for usable, as it takes a known
    # primary, so the proxy runs the call at once (no wait for a server first).
    client: pymongo.MongoClient[Any] = pymongo.MongoClient(
        "localhost", 1, directConnection=True, connect=False
    )
    stub = StubCollection(client.blogs, "posts")
    proxy = MongoProxy(stub)

    def forward(*args: Any, **kwargs: Any) -> Any:
        return stub.find_one(*args, **kwargs)

    timeout_var, deadline_var, monotonic = _deadline.TIMEOUT, _deadline.DEADLINE, time.monotonic

    def deadline() -> None:
        # What the proxy's fast path does around the call (_async_proxy._AsyncMethod.proxied).
        later = monotonic() + 60.0
        current = deadline_var.get()
        timeout_token = timeout_var.set(60.0)
        deadline_token = deadline_var.set(later if later < current else current)
        timeout_var.reset(timeout_token)
        deadline_var.reset(deadline_token)

    namespace = {
        "stub": stub,
        "proxy": proxy,
        "forward": forward,
        "deadline": deadline,
        "nothing": lambda: None,
        "pymongo": pymongo,
        "q": {"_id": 1},
        "client": MongoProxy(client),
    }
    runs = 300
    best = interleaved_ns(
        {
            "raw": "stub.find_one(q)",
            "proxied": "proxy.find_one(q)",
            "forward": "forward(q)",
            "deadline": "deadline()",
            "nothing": "nothing()",
            "csot": "with pymongo.timeout(60.0): pass",
            "navigation": "client.blogs.posts",
        },
        namespace,
        runs=runs,
    )
    raw, proxied = best["raw"], best["proxied"]
    added = proxied - raw
    forwarding = best["forward"] - raw
    entering = best["deadline"] - best["nothing"]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"proxy overhead (in-process stub collection; best of {runs} interleaved runs of 1,000;"
        f" load average {load} on {os.cpu_count()} CPUs)"
    )
    print(f"  bare find_one (anchor):      {raw:7.0f} ns/call")
    print(f"  proxied find_one:            {proxied:7.0f} ns/call  ratio {proxied / raw:.2f}x")
    print(
        f"  added by the proxy:          {added:7.0f} ns/call"
        f"  (goal <= 1000 ns: {'met' if added <= 1000 else 'NOT met'})"
    )
    route = "direct" if _deadline.DIRECT else "NOT direct: pymongo.timeout() is used"
    print(f"  of which pymongo's deadline: {entering:7.0f} ns  (two context variables; {route})")
    print(
        f"  of which forwarding a call:  {forwarding:7.0f} ns  (a plain *args, **kwargs function)"
    )
    print(f"  the proxy's own decisions:   {added - entering - forwarding:7.0f} ns  (the rest)")
    print(f"  pymongo.timeout() alone:     {best['csot']:7.0f} ns  (the public way in)")
    print(f"  cached navigation c.db.c:    {best['navigation']:7.0f} ns")
    client.close()


def import_us(module: str) -> int:
    """Cumulative microseconds of ``import module`` in a fresh interpreter (-X importtime)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stderr.splitlines():
        fields = [field.strip() for field in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1])
    raise RuntimeError(f"-X importtime did not report {module}")


def bench_import(repeats: int = 7) -> None:
    ours, anchor = [], []
    for _ in range(repeats):  # interleaved, so load changes hit both alike
        anchor.append(import_us("pymongo"))
        ours.append(import_us("mongo_autoreconnect"))
    best_ours, best_anchor = min(ours), min(anchor)
    ratio = best_ours / best_anchor
    print(f"\nimport time (python -X importtime, cumulative, best of {repeats}, interleaved)")
    print(f"  import pymongo (anchor):         {best_anchor:8d} us")
    print(
        f"  import mongo_autoreconnect:      {best_ours:8d} us  ratio {ratio:.2f}x"
        f"  (goal <= 1.5x: {ratio <= 1.5})"
    )


def bench_recovery(rounds: int = 3) -> None:
    try:
        import mongosim
    except ImportError:
        print("recovery: skipped (mongosim is not installed)")
        return
    outage = 1.5

    def recover(use_proxy: bool) -> float:
        with mongosim.ReplicaSet(members=3) as replica_set:
            raw: pymongo.MongoClient[Any] = pymongo.MongoClient(replica_set.uri)
            collection: Any = raw.bench.c
            if use_proxy:
                collection = MongoProxy(raw, RetryPolicy(deadline=30.0)).bench.c
            collection.insert_one({"_id": "warm"})
            replica_set.step_down(no_primary_for=outage)
            started = time.monotonic()
            collection.insert_one({"_id": "after"})
            took = time.monotonic() - started
            raw.close()
            return took

    proxied, plain = [], []
    for _ in range(rounds):  # interleaved
        proxied.append(recover(True))
        plain.append(recover(False))
    median_proxy = statistics.median(proxied)
    median_plain = statistics.median(plain)
    print(f"\nrecovery from a scripted {outage} s failover (median of {rounds}, interleaved)")
    print(f"  outage (anchor):           {outage:8.2f} s")
    print(
        f"  through MongoProxy:        {median_proxy:8.2f} s  ratio {median_proxy / outage:.2f}x"
        f"  (+{median_proxy - outage:.2f} s to rediscover the new primary;"
        f" runs {min(proxied):.2f}-{max(proxied):.2f} s)"
    )
    print(
        f"  plain pymongo (defaults):  {median_plain:8.2f} s  ratio {median_plain / outage:.2f}x"
        f"  (its one retry waits serverSelectionTimeoutMS=30 s; runs"
        f" {min(plain):.2f}-{max(plain):.2f} s)"
    )


if __name__ == "__main__":
    bench_overhead()
    bench_import()
    bench_recovery()
