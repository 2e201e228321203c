"""The CLI demo: worker processes increment a shared counter under one lock."""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from pymongo import MongoClient
from pymongo.errors import ConfigurationError, PyMongoError

from locker_room._room import LockerRoom

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pymongo.collection import Collection

__all__ = ["DemoUnavailable", "run_demo", "server_for_demo"]

WORKERS = 4
ROUNDS = 10
DB = "locker_room_demo"
# How long the demo waits for a server to answer before saying it cannot reach it.
REACH = 5.0


class DemoUnavailable(RuntimeError):
    """The demo has no MongoDB to run against (``unreachable``: one was named but is down)."""

    def __init__(self, message: str, *, unreachable: bool) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def _client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, serverSelectionTimeoutMS=round(REACH * 1000))


@contextlib.contextmanager
def server_for_demo(uri: str | None) -> Iterator[tuple[str, str]]:
    """Yield ``(uri, where)``: ``uri`` if given, else a mongosim replica set started here.

    Raises
    ------
    DemoUnavailable
        ``uri`` does not answer within `REACH` seconds, or no ``uri`` and no mongosim.
    """
    if uri:
        try:
            with _client(uri) as client:
                client.admin.command("ping")
        except (PyMongoError, ValueError) as error:
            reason = str(error).split(", Timeout: ")[0].split(" (configured timeouts")[0]
            raise DemoUnavailable(
                f"cannot reach MongoDB at {uri} within {REACH:g} s: {reason}",
                unreachable=not isinstance(error, ConfigurationError | ValueError),
            ) from None
        yield uri, f"the server at {uri} (the counter stays in database {DB!r})"
        return
    try:
        import mongosim  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise DemoUnavailable(
            "the demo needs a MongoDB: set MONGODB_URI (or --uri), or `pip install mongosim`",
            unreachable=False,
        ) from None
    with mongosim.ReplicaSet(members=3) as replica_set:
        yield replica_set.uri, "a 3-member mongosim replica set on loopback (gone when it ends)"


def _work(uri: str, worker: int, rounds: int, start: Any) -> list[tuple[float, float, int, int]]:
    holds = []
    client: MongoClient[dict[str, Any]]
    with _client(uri) as client:
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
    with _client(uri) as client:
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
