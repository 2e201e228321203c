"""Worker functions run in spawned processes (importable by name, as spawn requires)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pymongo

from locker_room import LockerRoom


def increment(
    uri: str, collection: str, counter: str, rounds: int, use_lock: bool, start: Any
) -> list[tuple[float, float, int]]:
    """Read-increment-write a counter file ``rounds`` times; return (start, end, token) holds.

    The window between read and write is widened by a short sleep so that, without the
    lock, updates are lost.
    """
    holds = []
    path = Path(counter)
    with pymongo.MongoClient(uri) as client:
        room = LockerRoom(client=client, db="locker_room_tests", collection=collection)
        start.wait()
        for _ in range(rounds):
            lease = room.lock("counter", timeout=60, ttl=10) if use_lock else None
            began = time.monotonic()
            value = int(path.read_text())
            time.sleep(0.0005)
            scratch = path.with_name(f"{path.name}.{os.getpid()}")
            scratch.write_text(str(value + 1))
            scratch.replace(path)  # atomic: a reader sees the old or the new value, never ''
            ended = time.monotonic()
            if lease is not None:
                holds.append((began, ended, lease.token))
                lease.release()
            else:
                holds.append((began, ended, 0))
        room.close()
    return holds


def hold_forever(uri: str, collection: str, ttl: float, ready: Any) -> None:
    """Take the lock with a short lease, report it, then hang until killed."""
    client = pymongo.MongoClient(uri)
    room = LockerRoom(client=client, db="locker_room_tests", collection=collection)
    lease = room.lock("crash", owner=f"doomed-{os.getpid()}", timeout=30, ttl=ttl)
    ready.put(lease.token)
    while True:
        signal.pause()


def is_join(event: Any) -> bool:
    """Whether a command-started event is a fair waiter joining the queue (or staying in it)."""
    return event.command_name == "findAndModify" and "$concatArrays" in repr(
        event.command.get("update")
    )


class _Joined(pymongo.monitoring.CommandListener):
    """Sets ``joined`` once this process's fair waiter has entered the queue."""

    def __init__(self, joined: Any) -> None:
        self.joined = joined
        self._joins: set[int] = set()

    def started(self, event: Any) -> None:
        if is_join(event):
            self._joins.add(event.request_id)

    def succeeded(self, event: Any) -> None:
        if event.request_id in self._joins:
            self.joined.set()

    def failed(self, event: Any) -> None:
        pass


def fair_waiter(uri: str, collection: str, index: int, go: Any, joined: Any) -> tuple[int, int]:
    """When told, queue for the lock fairly; hold it 10 ms; return (index, token)."""
    with pymongo.MongoClient(uri, event_listeners=[_Joined(joined)]) as client:
        room = LockerRoom(client=client, db="locker_room_tests", collection=collection)
        client.admin.command("ping")  # connected before the race starts
        go.wait()
        with room.lock("fair", owner=f"waiter-{index}", timeout=120, fair=True) as lease:
            time.sleep(0.01)
        room.close()
        return index, lease.token
