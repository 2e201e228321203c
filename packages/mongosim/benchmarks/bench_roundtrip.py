"""mongosim through pymongo over loopback TCP, against mongomock in-process (the anchor).

Prints, each as a ratio to its anchor measured in the same run (interleaved, best of
several repeats, so machine load hits both alike):

1. a ``find_one`` by ``_id`` round trip (goal: under 1 ms);
2. an ``insert_many`` of 10,000 documents, and the cost per document at 1,000 and at
   10,000 documents (goal: O(1) per document, i.e. a ratio near 1 between the two);
3. ``python -X importtime -c "import mongosim"`` beside importing mongomock alone
   (goal: at most 1.5x).

    python benchmarks/bench_roundtrip.py [--calls 1000] [--docs 100] [--repeats 5]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import mongomock
import pymongo

import mongosim

Client = pymongo.MongoClient[dict[str, Any]]


def _seconds(call: Callable[[], object], calls: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def _interleaved(
    subject: Callable[[], float], anchor: Callable[[], float], repeats: int
) -> tuple[float, float]:
    """Best of ``repeats`` for each, one of each in turn."""
    subjects, anchors = [], []
    for _ in range(repeats):
        anchors.append(anchor())
        subjects.append(subject())
    return min(subjects), min(anchors)


def _find_one(client: Client, calls: int, docs: int, repeats: int) -> None:
    documents = [{"_id": i, "name": f"doc-{i}", "n": i} for i in range(docs)]
    key = docs // 2
    anchor_collection: mongomock.Collection[dict[str, Any]] = mongomock.MongoClient().db.c
    anchor_collection.insert_many([dict(d) for d in documents])
    collection = client.db.find
    collection.insert_many([dict(d) for d in documents])
    collection.find_one({"_id": key})  # warm the connection pool
    simulated, anchor = _interleaved(
        lambda: _seconds(lambda: collection.find_one({"_id": key}), calls),
        lambda: _seconds(lambda: anchor_collection.find_one({"_id": key}), calls),
        repeats,
    )
    ping = min(_seconds(lambda: client.admin.command("ping"), calls) for _ in range(repeats))
    print(f"find_one by _id, collection of {docs}, {calls} calls, best of {repeats}")
    print(f"  anchor  mongomock in-process : {anchor * 1e3:8.3f} ms")
    print(f"  mongosim round trip          : {simulated * 1e3:8.3f} ms  (goal < 1 ms)")
    print(f"  mongosim ping round trip     : {ping * 1e3:8.3f} ms")
    print(f"  ratio mongosim / anchor      : {simulated / anchor:8.2f}x")


def _insert_many(client: Client, count: int, repeats: int) -> tuple[float, float]:
    """Seconds per document for mongosim and the anchor, best of ``repeats``."""
    database = client.db

    def simulated() -> float:
        database.drop_collection("inserts")
        batch = [{"i": i, "payload": "x" * 32} for i in range(count)]
        return _seconds(lambda: database.inserts.insert_many(batch)) / count

    def anchor() -> float:
        collection: mongomock.Collection[dict[str, Any]] = mongomock.MongoClient().db.inserts
        batch = [{"i": i, "payload": "x" * 32} for i in range(count)]
        return _seconds(lambda: collection.insert_many(batch)) / count

    return _interleaved(simulated, anchor, repeats)


def _inserts(client: Client, repeats: int) -> None:
    small, small_anchor = _insert_many(client, 1_000, repeats)
    large, large_anchor = _insert_many(client, 10_000, max(2, repeats // 2))
    print(f"insert_many, best of {max(2, repeats // 2)}-{repeats}")
    print(
        f"  10,000 documents: mongosim {large * 1e4:6.2f} s"
        f" ({large * 1e6:6.1f} us/doc), anchor mongomock {large_anchor * 1e4:6.2f} s"
        f"  ratio {large / large_anchor:5.2f}x"
    )
    print(
        f"  1,000 documents : mongosim {small * 1e6:6.1f} us/doc,"
        f" anchor {small_anchor * 1e6:6.1f} us/doc  ratio {small / small_anchor:5.2f}x"
    )
    print(
        f"  cost per document at 10,000 / at 1,000: {large / small:5.2f}"
        " (1.0 = O(1) per document; goal < 1.5)"
    )


def _import_us(module: str) -> int:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    pattern = rf"^import time:\s*\d+\s*\|\s*(\d+)\s*\|\s*{re.escape(module)}$"
    match = re.search(pattern, result.stderr, flags=re.M)
    if match is None:
        raise RuntimeError(f"no import time for {module} in: {result.stderr[-300:]}")
    return int(match[1])


def _imports(repeats: int) -> None:
    ours, anchor = _interleaved(
        lambda: _import_us("mongosim"), lambda: _import_us("mongomock"), repeats
    )
    print(f"import (cumulative, best of {repeats})")
    print(f"  import mongosim : {ours / 1000:7.1f} ms")
    print(f"  import mongomock: {anchor / 1000:7.1f} ms (its heaviest dependency)")
    print(f"  ratio           : {ours / anchor:7.2f}x  (goal <= 1.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    versions = f"pymongo {pymongo.version}, mongosim {mongosim.__version__}"
    print(f"python {sys.version.split()[0]}, {versions}")
    with mongosim.ReplicaSet(members=3) as rs:
        client: Client = pymongo.MongoClient(rs.uri)
        try:
            _find_one(client, args.calls, args.docs, args.repeats)
            _inserts(client, args.repeats)
        finally:
            client.close()
    _imports(args.repeats)


if __name__ == "__main__":
    main()
