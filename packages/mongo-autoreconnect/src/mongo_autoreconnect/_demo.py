"""``python -m mongo_autoreconnect demo``: a write/read loop through a scripted failover."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any, TextIO

import pymongo
from pymongo.errors import ConfigurationError, PyMongoError

from ._policy import RetryPolicy
from ._proxy import MongoProxy
from ._redact import redact
from ._state import RetryState

__all__ = ["FAILED", "OK", "UNREACHABLE", "USAGE", "run_demo"]

#: Exit statuses of the command line.
OK, FAILED, USAGE, UNREACHABLE = 0, 1, 2, 3

# Short server selection so every attempt gives up quickly and the proxy's own loop shows.
CLIENT_OPTIONS: dict[str, Any] = {"serverSelectionTimeoutMS": 500, "heartbeatFrequencyMS": 500}
#: Seconds the demo waits for a server to answer before saying it cannot reach one.
REACH_TIMEOUT = 5.0


class _Unreachable(Exception):
    """No server to run the demo against (message: one line saying why)."""


@contextlib.contextmanager
def _server(uri: str | None, say: Any) -> Iterator[tuple[str, Any]]:
    """The URI to use and the simulated replica set (None for a real server)."""
    if uri:
        yield uri, None
        return
    try:
        import mongosim
    except ImportError:
        raise _Unreachable(
            "the demo needs a server: pip install mongosim (the replica-set simulator), or"
            " give one with --uri or MONGODB_URI"
        ) from None
    with mongosim.ReplicaSet(members=3) as replica_set:
        say(f"started the mongosim replica-set simulator at {replica_set.uri}")
        yield replica_set.uri, replica_set


def _reach(client: pymongo.MongoClient[Any], uri: str) -> None:
    """Raise `_Unreachable` unless a server answers within `REACH_TIMEOUT` seconds."""
    try:
        with pymongo.timeout(REACH_TIMEOUT):
            client.admin.command("ping")
    except PyMongoError as error:
        raise _Unreachable(
            f"no MongoDB server answered at {redact(uri)} within {REACH_TIMEOUT:g} s"
            f" ({type(error).__name__}); start one, or leave --uri and MONGODB_URI unset to"
            " use the mongosim simulator"
        ) from None


def _loop(collection: Any, replica_set: Any, rounds: int, say: Any) -> int:
    """Insert, $inc, read and count ``rounds`` times; fail over a third of the way in."""
    errors = 0
    for i in range(rounds):
        if replica_set is not None and i == rounds // 3:
            say("  -> primary steps down; no primary for 1.5 s")
            replica_set.step_down(no_primary_for=1.5)
        if replica_set is not None and i == rounds // 2:
            say("  -> the next update is applied but its reply is lost")
            replica_set.fail_next("update", "apply_then_hangup")
        scan = replica_set is not None and i == rounds * 2 // 3
        if scan:
            say("  -> a cursor's connection drops mid-iteration (getMore)")
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
            say(f"  error surfaced: {type(error).__name__}")
    return errors


def run_demo(
    out: TextIO,
    rounds: int = 60,
    uri: str | None = None,
    *,
    as_json: bool = False,
    err: TextIO | None = None,
) -> int:
    """Run the demo, printing to ``out``; return the exit status.

    ``uri`` (else ``$MONGODB_URI``) names a real server; without one the demo starts the
    mongosim simulator. With ``as_json`` the narrative goes to ``err`` (stderr) and ``out``
    gets one JSON object with the counts.
    """
    err = sys.stderr if err is None else err
    narrative = err if as_json else out

    def say(line: str) -> None:
        print(line, file=narrative)

    uri = uri or os.environ.get("MONGODB_URI") or None
    try:
        with _server(uri, say) as (server_uri, replica_set):
            try:
                raw: pymongo.MongoClient[Any] = pymongo.MongoClient(server_uri, **CLIENT_OPTIONS)
            except ConfigurationError as error:
                print(f"mongo_autoreconnect demo: bad URI: {error}", file=err)
                return USAGE
            try:
                _reach(raw, server_uri)
                if replica_set is None:
                    say(f"using {redact(server_uri)} (a real server): no failover is scripted;")
                    say("step the primary down yourself (rs.stepDown()) to see retries")
                summary = _compare(raw, replica_set, rounds, say)
            finally:
                raw.close()
    except _Unreachable as error:
        print(f"mongo_autoreconnect demo: {error}", file=err)
        return UNREACHABLE
    if as_json:
        print(json.dumps(summary), file=out)
    ok = summary["proxy_errors"] == 0 and summary["applied_once"]
    return OK if ok else FAILED


def _compare(
    raw: pymongo.MongoClient[Any], replica_set: Any, rounds: int, say: Any
) -> dict[str, Any]:
    """The loop with plain pymongo, then through the proxy; the counts."""
    database = f"mongo_autoreconnect_demo_{uuid.uuid4().hex[:8]}"

    def on_retry(state: RetryState) -> None:
        detail = "none" if state.error is None else type(state.error).__name__
        say(
            f"  retry {state.operation} attempt {state.attempt} after {detail},"
            f" {state.elapsed:.2f}s in, next in {state.delay:.2f}s"
        )

    try:
        say(f"\nplain pymongo, {rounds} rounds:")
        plain_errors = _loop(raw[database]["plain"], replica_set, rounds, say)
        proxy = MongoProxy(raw, RetryPolicy(deadline=20.0), on_retry=on_retry)
        say(f"\nthrough MongoProxy, {rounds} rounds:")
        started = time.monotonic()
        proxy_errors = _loop(proxy[database]["proxied"], replica_set, rounds, say)
        took = time.monotonic() - started
        docs = proxy[database]["proxied"]
        total = sum(doc["n"] for doc in docs.find({}, {"n": 1}))
        count = docs.count_documents({})
        say(
            f"\nplain pymongo: {plain_errors} errors surfaced"
            f"\nMongoProxy:    {proxy_errors} errors surfaced, {count}"
            f" documents, $inc total {total} (each applied once: {total == rounds}),"
            f" {took:.1f}s"
        )
    finally:
        with contextlib.suppress(PyMongoError):
            raw.drop_database(database)
    say(f"dropped the demo database {database}")
    return {
        "server": "mongosim" if replica_set is not None else "uri",
        "rounds": rounds,
        "plain_errors": plain_errors,
        "proxy_errors": proxy_errors,
        "documents": count,
        "inc_total": total,
        "applied_once": total == rounds and count == rounds,
        "seconds": round(took, 3),
    }
