"""find_one by _id through mongosim (pymongo over loopback TCP) vs in-process mongomock.

Goal: a simple round trip under 1 ms. The anchor is the same find_one on an in-process
mongomock collection (no network, no wire protocol): the ratio is what the socket, the
protocol and the replica-set front end add.

    python benchmarks/bench_roundtrip.py [--calls 2000] [--docs 100]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import mongomock
import pymongo

import mongosim


def _per_call_ms(call: Callable[[], object], calls: int, repeats: int = 5) -> float:
    """Median over ``repeats`` runs of the mean time per call, in milliseconds."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        runs.append((time.perf_counter() - start) / calls * 1e3)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--docs", type=int, default=100)
    args = parser.parse_args()
    docs = [{"_id": i, "name": f"doc-{i}", "n": i} for i in range(args.docs)]
    key = args.docs // 2

    anchor_collection: mongomock.Collection[dict[str, Any]] = mongomock.MongoClient().db.c
    anchor_collection.insert_many([dict(d) for d in docs])
    anchor = _per_call_ms(lambda: anchor_collection.find_one({"_id": key}), args.calls)

    with mongosim.ReplicaSet(members=3) as rs:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(rs.uri)
        collection = client.db.c
        collection.insert_many([dict(d) for d in docs])
        collection.find_one({"_id": key})  # warm the connection pool
        before = rs.commands()
        simulated = _per_call_ms(lambda: collection.find_one({"_id": key}), args.calls)
        ping = _per_call_ms(lambda: client.admin.command("ping"), args.calls)
        finds = (rs.commands() - before)["find"]
        client.close()

    print(f"collection of {args.docs} documents, {args.calls} calls x 5 runs (median)")
    print(f"anchor   mongomock find_one in-process : {anchor:.3f} ms")
    print(f"mongosim find_one by _id round trip    : {simulated:.3f} ms  (goal < 1 ms)")
    print(f"mongosim ping round trip               : {ping:.3f} ms")
    print(f"ratio mongosim / mongomock find_one    : {simulated / anchor:.2f}x")
    print(f"server saw {finds} find commands (expected {args.calls * 5})")
    print("goal met" if simulated < 1.0 else "goal NOT met")


if __name__ == "__main__":
    main()
