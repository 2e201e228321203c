"""Benchmarks: cost of a proxied call, and time to recover from a scripted 1.5 s failover.

1. Overhead: a proxied ``find_one`` on an in-process stub collection (a real pymongo
   Collection whose ``find_one`` returns at once) against the raw call; goal <= 1 us added.
   Entering pymongo's deadline is timed alone too, both with ``pymongo.timeout()`` and
   with the direct route the proxy takes on a call's first attempt (``_deadline``).
2. Import time: ``python -X importtime -c "import mongo_autoreconnect"`` (cumulative µs of
   the top-level import) against ``import pymongo`` alone, its heaviest dependency (the
   anchor); interleaved, best of several runs; goal <= 1.5x.
3. Recovery: writes through the proxy while the mongosim primary steps down with no primary
   for 1.5 s; prints the time from the step-down to the first write that succeeds, against
   the 1.5 s outage (the anchor) and against plain pymongo with default settings.

Run: ``python benchmarks/bench_proxy.py`` (needs mongosim for part 2).
"""

from __future__ import annotations

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


def per_call_ns(statement: str, namespace: dict[str, Any], number: int = 200_000) -> float:
    runs = timeit.repeat(statement, globals=namespace, number=number, repeat=7)
    return min(runs) / number * 1e9


def bench_overhead() -> None:
    # A direct connection: pymongo takes its one server for usable, as it takes a known
    # primary, so the proxy runs the call at once (no wait for a server first).
    client = pymongo.MongoClient("localhost", 1, directConnection=True, connect=False)
    stub = StubCollection(client.blogs, "posts")
    proxy = MongoProxy(stub)
    namespace = {
        "stub": stub,
        "proxy": proxy,
        "pymongo": pymongo,
        "enter": _deadline.enter,
        "leave": _deadline.leave,
        "q": {"_id": 1},
        "client": MongoProxy(client),
    }
    raw = per_call_ns("stub.find_one(q)", namespace)
    proxied = per_call_ns("proxy.find_one(q)", namespace)
    csot = per_call_ns("with pymongo.timeout(60.0): pass", namespace)
    direct = per_call_ns("leave(enter(60.0))", namespace)
    attribute = per_call_ns("client.blogs.posts", namespace)
    added = proxied - raw
    print("proxy overhead (in-process stub collection, best of 7 x 200k calls)")
    print(f"  raw find_one:              {raw:8.0f} ns/call (anchor)")
    print(f"  proxied find_one:          {proxied:8.0f} ns/call  ratio {proxied / raw:.2f}x")
    print(f"  added per call:            {added:8.0f} ns  (goal <= 1000 ns: {added <= 1000})")
    print(f"  pymongo.timeout() alone:   {csot:8.0f} ns  (pymongo's public CSOT deadline)")
    route = "direct" if _deadline.DIRECT else "pymongo.timeout"
    print(f"  the proxy's deadline alone:{direct:8.0f} ns  ({route} route, same deadline)")
    print(f"  the proxy's own work:      {added - direct:8.0f} ns  (added minus its deadline)")
    print(f"  cached navigation c.db.c:  {attribute:8.0f} ns")
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
            raw = pymongo.MongoClient(replica_set.uri)
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

    proxied = [recover(True) for _ in range(rounds)]
    plain = [recover(False) for _ in range(rounds)]
    median_proxy = statistics.median(proxied)
    median_plain = statistics.median(plain)
    print(f"\nrecovery from a scripted {outage} s failover (median of {rounds})")
    print(f"  outage (anchor):           {outage:8.2f} s")
    print(
        f"  through MongoProxy:        {median_proxy:8.2f} s  ratio {median_proxy / outage:.2f}x"
        f"  (+{median_proxy - outage:.2f} s to rediscover the new primary)"
    )
    print(
        f"  plain pymongo (defaults):  {median_plain:8.2f} s  ratio {median_plain / outage:.2f}x"
        "  (its one retry waits serverSelectionTimeoutMS=30 s)"
    )


if __name__ == "__main__":
    bench_overhead()
    bench_import()
    bench_recovery()
