"""``python -m mongo_autoreconnect demo``: a write/read loop through a scripted failover."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any, TextIO

import pymongo
from pymongo.errors import PyMongoError

from ._policy import RetryPolicy
from ._proxy import MongoProxy
from ._state import RetryState

__all__ = ["run_demo"]

# Short server selection so every attempt gives up quickly and the proxy's own loop shows.
CLIENT_OPTIONS: dict[str, Any] = {"serverSelectionTimeoutMS": 500, "heartbeatFrequencyMS": 500}


@contextlib.contextmanager
def _server(out: TextIO) -> Iterator[tuple[str, Any]]:
    """The URI to use and the simulated replica set (None for a real server)."""
    uri = os.environ.get("MONGODB_URI")
    if uri:
        print("using MONGODB_URI (a real server): no failover is scripted; step the", file=out)
        print("primary down yourself (rs.stepDown()) while the loop runs to see retries", file=out)
        yield uri, None
        return
    try:
        import mongosim
    except ImportError:
        raise SystemExit(
            "the demo needs a server: set MONGODB_URI, or install the mongosim simulator"
            " (tools/mongosim in the sixpack repository)"
        ) from None
    with mongosim.ReplicaSet(members=3) as replica_set:
        print(f"started the mongosim replica-set simulator at {replica_set.uri}", file=out)
        yield replica_set.uri, replica_set


def _loop(collection: Any, replica_set: Any, rounds: int, out: TextIO) -> int:
    """Insert, $inc, read and count ``rounds`` times; fail over a third of the way in."""
    errors = 0
    for i in range(rounds):
        if replica_set is not None and i == rounds // 3:
            print("  -> primary steps down; no primary for 1.5 s", file=out)
            replica_set.step_down(no_primary_for=1.5)
        if replica_set is not None and i == rounds // 2:
            print("  -> the next update is applied but its reply is lost", file=out)
            replica_set.fail_next("update", "apply_then_hangup")
        scan = replica_set is not None and i == rounds * 2 // 3
        if scan:
            print("  -> a cursor's connection drops mid-iteration (getMore)", file=out)
            replica_set.fail_next("getMore", "hangup")
        try:
            collection.insert_one({"_id": i, "n": 0})
            collection.update_one({"_id": i}, {"$inc": {"n": 1}})
            collection.find_one({"_id": i})
            collection.count_documents({})
            if scan:
                seen = [doc["_id"] for doc in collection.find().sort("_id").batch_size(5)]
                if seen != list(range(i + 1)):
                    raise RuntimeError(f"documents were skipped or repeated: {seen}")
        except PyMongoError as error:
            errors += 1
            print(f"  error surfaced: {type(error).__name__}", file=out)
    return errors


def run_demo(out: TextIO, rounds: int = 60) -> int:
    """Run the demo, printing to ``out``; returns the exit status."""
    with _server(out) as (uri, replica_set):
        database = f"mongo_autoreconnect_demo_{uuid.uuid4().hex[:8]}"

        def on_retry(state: RetryState) -> None:
            detail = "none" if state.error is None else type(state.error).__name__
            print(
                f"  retry {state.operation} attempt {state.attempt} after {detail},"
                f" {state.elapsed:.2f}s in, next in {state.delay:.2f}s",
                file=out,
            )

        raw = pymongo.MongoClient(uri, **CLIENT_OPTIONS)
        try:
            print(f"\nplain pymongo, {rounds} rounds:", file=out)
            plain_errors = _loop(raw[database]["plain"], replica_set, rounds, out)
            proxy = MongoProxy(raw, RetryPolicy(deadline=20.0), on_retry=on_retry)
            print(f"\nthrough MongoProxy, {rounds} rounds:", file=out)
            started = time.monotonic()
            proxy_errors = _loop(proxy[database]["proxied"], replica_set, rounds, out)
            took = time.monotonic() - started
            docs = proxy[database]["proxied"]
            total = sum(doc["n"] for doc in docs.find({}, {"n": 1}))
            print(
                f"\nplain pymongo: {plain_errors} errors surfaced"
                f"\nMongoProxy:    {proxy_errors} errors surfaced, {docs.count_documents({})}"
                f" documents, $inc total {total} (each applied once: {total == rounds}),"
                f" {took:.1f}s",
                file=out,
            )
            raw.drop_database(database)
        finally:
            raw.close()
    return 0 if proxy_errors == 0 else 1
