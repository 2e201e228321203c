"""The CLI demo: worker processes increment a shared counter under one lock."""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from pymongo import MongoClient

from locker_room._room import LockerRoom

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pymongo.collection import Collection

__all__ = ["run_demo", "server_for_demo"]

WORKERS = 4
ROUNDS = 10
DB = "locker_room_demo"


@contextlib.contextmanager
def server_for_demo() -> Iterator[tuple[str, str]]:
    """Yield ``(uri, where)``: $MONGODB_URI, else a mongosim replica set started here.

    Raises
    ------
    RuntimeError
        Neither $MONGODB_URI is set nor mongosim installed.
    """
    uri = os.environ.get("MONGODB_URI")
    if uri:
        yield uri, "the server in $MONGODB_URI"
        return
    try:
        import mongosim  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise RuntimeError(
            "the demo needs a MongoDB: set MONGODB_URI, or install the mongosim simulator"
        ) from None
    with mongosim.ReplicaSet(members=3) as replica_set:
        yield replica_set.uri, "a 3-member mongosim replica set on loopback"


def _work(uri: str, worker: int, rounds: int, start: Any) -> list[tuple[float, float, int, int]]:
    holds = []
    client: MongoClient[dict[str, Any]]
    with MongoClient(uri) as client:
        counter: Collection[dict[str, Any]] = client[DB]["counter"]
        room = LockerRoom(client=client, db=DB, collection="locks")
        start.wait()
        for _ in range(rounds):
            with room.lock_and_release("counter", timeout=30, ttl=5) as lease:
                began = time.monotonic()
                value = counter.find_one({"_id": "counter"})["value"]  # type: ignore[index]
                counter.update_one({"_id": "counter"}, {"$set": {"value": value + 1}})
                holds.append((began, time.monotonic(), lease.token, worker))
    return holds


def run_demo(uri: str, say: Callable[[str], object] = print) -> bool:
    """Run the workers against ``uri``, print every hold and hand-off; True if all held."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(uri) as client:
        client[DB]["counter"].replace_one({"_id": "counter"}, {"value": 0}, upsert=True)
        context = multiprocessing.get_context("spawn")
        with (
            context.Manager() as manager,
            ProcessPoolExecutor(WORKERS, mp_context=context) as pool,
        ):
            start = manager.Event()
            futures = [pool.submit(_work, uri, w, ROUNDS, start) for w in range(WORKERS)]
            start.set()
            holds = sorted(hold for future in futures for hold in future.result(timeout=300))
        final = client[DB]["counter"].find_one({"_id": "counter"})
    previous_end: float | None = None
    for began, ended, token, worker in holds:
        handoff = (
            "" if previous_end is None else f", hand-off {1000 * (began - previous_end):.1f} ms"
        )
        say(f"worker {worker} holds token {token} for {1000 * (ended - began):.1f} ms{handoff}")
        previous_end = ended
    tokens = [token for _, _, token, _ in holds]
    increasing = all(a < b for a, b in itertools.pairwise(tokens))
    value: int | None = None if final is None else final["value"]
    say(f"counter = {value} (expected {WORKERS * ROUNDS}); tokens increasing: {increasing}")
    return value == WORKERS * ROUNDS and increasing
