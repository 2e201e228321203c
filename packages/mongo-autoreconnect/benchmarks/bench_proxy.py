"""Benchmarks: cost of a proxied call, and time to recover from a scripted 1.5 s failover.

1. Overhead: a proxied ``find_one`` on an in-process stub collection (a real pymongo
   Collection whose ``find_one`` returns at once) against the same call on the bare
   collection (the anchor), in the same run: the two are timed in alternating short runs
   (interleaved, so a change of machine load hits both), and the best run of each is kept.
   It prints the absolute cost the proxy adds per call (goal <= 1 us) and, timed the same
   way, how it splits: forwarding ``*args, **kwargs`` through a function closed over
   pymongo's bound method (the proxy's shape), entering pymongo's deadline as the proxy
   does (a clock read, two context variables set and reset), which every first attempt
   needs, and the rest (the proxy's own checks). Also the bare call inside
   ``pymongo.timeout()``, the public way to a deadline (a second anchor: what a user would
   write to get the deadline without the proxy). The machine's load average is
   printed beside the figures.

   The stub does no I/O, so the figures are the proxy's own CPU time: a real call costs a
   network round trip more (~300 us on loopback to mongosim) and, under the deadline,
   pymongo's own bookkeeping of it (a socket timeout and ``maxTimeMS`` per command), which
   the stub does not see. So:
2. Round trip: the bare call a user would make, ``find_one`` over TCP to a one-member
   mongosim run as another process, against the same call proxied and the bare call inside
   one long ``pymongo.timeout()`` (pymongo's own bookkeeping of a deadline); this process's
   CPU time per call, interleaved, best of several runs.
3. Import time: ``python -X importtime -c "import mongo_autoreconnect"`` (cumulative µs of
   the top-level import) against ``import pymongo`` alone, its heaviest dependency (the
   anchor); interleaved, best of several runs; goal <= 1.5x.
4. Recovery: writes through the proxy while the mongosim primary steps down with no primary
   for 1.5 s; prints the time from the step-down to the first write that succeeds, against
   the 1.5 s outage (the anchor) and against plain pymongo with default settings.

Run: ``python benchmarks/bench_proxy.py [overhead] [round-trip] [import] [recovery]`` (all
parts by default; parts 2 and 4 need mongosim).
"""

from __future__ import annotations

import contextvars
import os
import statistics
import subprocess
import sys
import time
import timeit
from typing import Any

import pymongo
from pymongo import _csot
from pymongo.collection import Collection

from mongo_autoreconnect import MongoProxy, RetryPolicy, _deadline
from mongo_autoreconnect._compat import NO_PRIMARY, topology_of, topology_type

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


def bench_overhead(runs: int = 300) -> None:
    # A direct connection: pymongo takes its one server for usable, as it takes a known
    # primary, so the proxy runs the call at once (no wait for a server first).
    client: pymongo.MongoClient[Any] = pymongo.MongoClient(
        "localhost", 1, directConnection=True, connect=False
    )
    stub = StubCollection(client.blogs, "posts")
    proxy = MongoProxy(stub)
    fn = stub.find_one

    # The floor of any proxy shaped like this one, built up in two steps: a function closed
    # over pymongo's bound method that forwards *args, **kwargs (what the proxy's fast path
    # is), then the same function entering pymongo's deadline exactly as the fast path does.
    def forward(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    set_timeout, reset_timeout = _deadline.TIMEOUT.set, _deadline.TIMEOUT.reset
    get_deadline, set_deadline = _deadline.DEADLINE.get, _deadline.DEADLINE.set
    reset_deadline, monotonic = _deadline.DEADLINE.reset, _deadline.monotonic
    set_rtt, reset_rtt = _csot.RTT.set, _csot.RTT.reset

    def forward_under_deadline(*args: Any, **kwargs: Any) -> Any:
        later = monotonic() + 60.0
        current = get_deadline()
        timeout_token = set_timeout(60.0)
        deadline_token = set_deadline(later if later < current else current)
        try:
            return fn(*args, **kwargs)
        finally:
            reset_timeout(timeout_token)
            reset_deadline(deadline_token)

    namespace = {
        "stub": stub,
        "proxy": proxy,
        "forward": forward,
        "floor": forward_under_deadline,
        "pymongo": pymongo,
        "q": {"_id": 1},
        "client": MongoProxy(client),
        "monotonic": monotonic,
        "set_deadline": set_deadline,
        "reset_deadline": reset_deadline,
        "bound": fn,
        "fast": proxy.find_one,
        "set_timeout": set_timeout,
        "reset_timeout": reset_timeout,
        "set_rtt": set_rtt,
        "reset_rtt": reset_rtt,
        "topology_type": topology_type,
        "topology": topology_of(client),
        "waits": NO_PRIMARY,
    }
    best = interleaved_ns(
        {
            "raw": "stub.find_one(q)",
            "proxied": "proxy.find_one(q)",
            "forward": "forward(q)",
            "floor": "floor(q)",
            "timeout": "with pymongo.timeout(60.0): stub.find_one(q)",
            "navigation": "client.blogs.posts",
            # The parts, each on its own (less the loop's own cost, "pass"):
            "pass": "pass",
            "clock": "monotonic()",
            "variable": "reset_timeout(set_timeout(60.0))",
            "topology": "topology_type(topology) in waits",
            # The same read written inline (pymongo's private names, kept out of the proxy).
            "topology_inline": "topology._description._topology_type in waits",
            "variables": "t = set_timeout(60.0); d = set_deadline(1.0);"
            " reset_timeout(t); reset_deadline(d)",
            # All three pymongo.timeout() sets (RTT too), reset in reverse order.
            "three": "t = set_timeout(60.0); d = set_deadline(1.0); r = set_rtt(0.0);"
            " reset_rtt(r); reset_deadline(d); reset_timeout(t)",
            "bound": "bound(q)",
            "fast": "fast(q)",
        },
        namespace,
        runs=runs,
    )
    raw, proxied = best["raw"], best["proxied"]
    added = proxied - raw
    loop = best["pass"]
    # Each part is a call of a function held in a variable, so that looking a method up
    # (pymongo's and the proxy's) is a part of its own.
    forwarding = best["forward"] - best["bound"]
    entering = best["floor"] - best["forward"]
    checks = best["fast"] - best["floor"]
    lookup = (proxied - best["fast"]) - (raw - best["bound"])
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"proxy overhead (in-process stub collection; best of {runs} interleaved runs of 1,000;"
        f" load average {load} on {os.cpu_count()} CPUs)"
    )
    print(f"  bare find_one (anchor):        {raw:7.0f} ns/call")
    print(f"  proxied find_one:              {proxied:7.0f} ns/call  ratio {proxied / raw:.2f}x")
    print(
        f"  added by the proxy:            {added:7.0f} ns/call"
        f"  (goal <= 1000 ns: {'met' if added <= 1000 else 'NOT met'})"
    )
    route = "direct" if _deadline.DIRECT else "NOT direct: pymongo.timeout() is used"
    print(
        f"  of which pymongo's deadline:   {entering:7.0f} ns"
        f"  (a clock read, two context variables set and reset; {route})"
    )
    print(
        f"  of which forwarding the call:  {forwarding:7.0f} ns"
        "  (a function closed over pymongo's bound method)"
    )
    print(
        f"  of which the proxy's checks:   {checks:7.0f} ns"
        "  (session argument? server known? first attempt failed?)"
    )
    print(
        f"  of which the method lookup:    {lookup:7.0f} ns"
        f"  (proxy.find_one {proxied - best['fast']:.0f} ns,"
        f" stub.find_one {raw - best['bound']:.0f} ns)"
    )
    print(
        f"  floor (forward + deadline):    {best['floor'] - best['bound']:7.0f} ns"
        "  (any proxy that enters pymongo's deadline per call)"
    )
    timeout = best["timeout"]
    print(
        f"  bare find_one in pymongo.timeout(60): {timeout:5.0f} ns/call"
        f"  (the public way to a deadline; the proxied call is {proxied / timeout:.2f}x it)"
    )
    print(f"  cached navigation c.db.c:      {best['navigation']:7.0f} ns")
    print("  parts, each timed alone:")
    print(
        f"    time.monotonic():                      {best['clock'] - loop:5.0f} ns"
        "  (once per call)"
    )
    print(f"    one context variable set and reset:    {best['variable'] - loop:5.0f} ns")
    print(
        f"    pymongo's two set and reset:           {best['variables'] - loop:5.0f} ns"
        "  (what the deadline needs)"
    )
    print(
        f"    pymongo.timeout()'s three (RTT too):    {best['three'] - loop:5.0f} ns"
        "  (RTT is left as found: pymongo sets it before reading it)"
    )
    print(
        f"    reading pymongo's topology type:       {best['topology'] - loop:5.0f} ns"
        f"  (is a server known? written inline: {best['topology_inline'] - loop:.0f} ns)"
    )
    bench_overhead_bounded(runs)
    client.close()


class AppliedStubCollection(Collection):  # type: ignore[type-arg]
    """A stub whose find_one applies the client's timeoutMS as pymongo's operations do."""

    @_csot.apply  # what MongoClient._run_operation and _retry_internal carry
    def find_one(self, *args: Any, **kwargs: Any) -> Any:
        return DOC


def bench_overhead_bounded(runs: int) -> None:
    """The added cost where pymongo already bounds the call, each against its own anchor.

    - inside the caller's own ``pymongo.timeout(30)`` (shorter than the policy's 60 s):
      the proxy enters nothing, pymongo's deadline is the caller's (anchor: the bare call
      inside the same block);
    - on a client with ``timeoutMS=30000``: pymongo enters that deadline itself on every
      operation unless one is in force, so the bare call pays for it (anchor); the proxy
      enters its own (the client's 30 s) instead. Letting pymongo enter it is timed too:
      forwarding over the stub, less forwarding over the plain stub, is what the proxy
      would pay for it that way.
    """
    plain: pymongo.MongoClient[Any] = pymongo.MongoClient(
        "localhost", 1, directConnection=True, connect=False
    )
    capped: pymongo.MongoClient[Any] = pymongo.MongoClient(
        "localhost", 1, directConnection=True, connect=False, timeoutMS=30000
    )
    stub = StubCollection(plain.blogs, "posts")
    applied = AppliedStubCollection(capped.blogs, "posts")
    plain_fn, applied_fn = stub.find_one, applied.find_one

    def forward(*args: Any, **kwargs: Any) -> Any:
        return plain_fn(*args, **kwargs)

    def forward_applied(*args: Any, **kwargs: Any) -> Any:
        return applied_fn(*args, **kwargs)

    namespace = {
        "stub": stub,
        "proxy": MongoProxy(stub),
        "applied": applied,
        "capped_proxy": MongoProxy(applied),
        "forward": forward,
        "forward_applied": forward_applied,
        "q": {"_id": 1},
    }

    def inside_caller_timeout() -> dict[str, float]:
        with pymongo.timeout(30.0):
            return interleaved_ns(
                {"raw": "stub.find_one(q)", "proxied": "proxy.find_one(q)"},
                namespace,
                runs=runs // 2,
            )

    # A fresh context: the caller's timeout stays inside it.
    inside = contextvars.Context().run(inside_caller_timeout)
    capped_best = interleaved_ns(
        {
            "raw": "applied.find_one(q)",
            "proxied": "capped_proxy.find_one(q)",
            "forward": "forward(q)",
            "forward_applied": "forward_applied(q)",
        },
        namespace,
        runs=runs // 2,
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  where pymongo already bounds the call (best of {runs // 2}; load average {load}):")
    added = inside["proxied"] - inside["raw"]
    print(
        f"    inside the caller's pymongo.timeout(30): bare {inside['raw']:5.0f} ns,"
        f" proxied {inside['proxied']:5.0f} ns, added {added:5.0f} ns"
        f"  (goal <= 1000 ns: {'met' if added <= 1000 else 'NOT met'})"
    )
    added = capped_best["proxied"] - capped_best["raw"]
    pymongo_enters = capped_best["forward_applied"] - capped_best["forward"]
    print(
        f"    client with timeoutMS=30000:            bare {capped_best['raw']:5.0f} ns,"
        f" proxied {capped_best['proxied']:5.0f} ns, added {added:5.0f} ns"
        f"  (goal <= 1000 ns: {'met' if added <= 1000 else 'NOT met'})"
    )
    print(
        f"      pymongo entering the client's timeoutMS itself: {pymongo_enters:5.0f} ns"
        " (what leaving it to pymongo would cost instead of the proxy's direct route)"
    )
    plain.close()
    capped.close()


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


def bench_round_trip(runs: int = 40, calls: int = 200) -> None:
    """A real find_one over TCP to mongosim in another process: this process's CPU per call."""
    try:
        import mongosim  # noqa: F401  (run below as ``python -m mongosim``)
    except ImportError:
        print("round trip: skipped (mongosim is not installed)")
        return
    import json

    server = subprocess.Popen(
        [sys.executable, "-m", "mongosim", "serve", "--members", "1", "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        uri = json.loads(server.stdout.readline())["uri"]
        client: pymongo.MongoClient[Any] = pymongo.MongoClient(uri)
        bare = client.bench.c
        bare.replace_one({"_id": 1}, {"_id": 1, "title": "x"}, upsert=True)
        proxied = MongoProxy(client).bench.c
        query = {"_id": 1}

        def loop(find_one: Any) -> None:
            for _ in range(calls):
                find_one(query)

        def under_deadline() -> None:
            # pymongo's own bookkeeping of a deadline (maxTimeMS, a socket timeout per
            # command), without the cost of entering it per call.
            with pymongo.timeout(600.0):
                loop(bare.find_one)

        timed = {
            "bare": lambda: loop(bare.find_one),
            "proxied": lambda: loop(proxied.find_one),
            "deadline": under_deadline,
        }
        best = dict.fromkeys(timed, float("inf"))
        for _ in range(runs):  # interleaved
            for name, run in timed.items():
                started = time.process_time()
                run()
                best[name] = min(best[name], (time.process_time() - started) / calls * 1e6)
        client.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nround trip: find_one over TCP to mongosim in another process, this process's CPU"
        f" time (best of {runs} interleaved runs of {calls}; load average {load})"
    )
    print(f"  bare find_one (anchor):          {best['bare']:7.1f} us/call")
    ratio = best["proxied"] / best["bare"]
    print(f"  proxied find_one:                {best['proxied']:7.1f} us/call  ratio {ratio:.3f}x")
    print(f"  bare, inside one pymongo.timeout(): {best['deadline']:5.1f} us/call")


PARTS = {
    "overhead": bench_overhead,
    "round-trip": bench_round_trip,
    "import": bench_import,
    "recovery": bench_recovery,
}

if __name__ == "__main__":
    # Optional arguments name the parts to run (e.g. ``overhead``), all by default.
    for part in sys.argv[1:] or list(PARTS):
        PARTS[part]()
