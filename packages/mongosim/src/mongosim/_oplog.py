"""The replica set's oplog: every write, in order, with its cluster time.

It belongs to the replica set, not to a member: every member reads the one log, so a
change stream resumed on a new primary after a failover continues from its resume token.
Each entry gets a cluster time (a BSON ``Timestamp`` of the simulated clock's seconds and an
increment), strictly increasing, which is also what replies report as ``operationTime``
and ``$clusterTime``. Readers block on a condition variable until an entry newer than the
one they have seen is appended (``getMore`` with ``awaitData``), so they wake as soon as a
write happens, never on a timer.

The log keeps the newest ``capacity`` entries, like MongoDB's capped oplog: a change stream
resumed from a token older than that gets ChangeStreamHistoryLost (286).
"""

from __future__ import annotations

import datetime
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bson import Binary, Int64, Timestamp

if TYPE_CHECKING:
    from collections.abc import Callable

    from mongosim.clock import Clock

__all__ = ["DEFAULT_CAPACITY", "Entry", "Oplog"]

_EPOCH = datetime.datetime(1970, 1, 1)

DEFAULT_CAPACITY = 200_000
"""Entries kept before the oldest are dropped."""


@dataclass(frozen=True)
class Entry:
    """One write as the oplog holds it.

    Attributes
    ----------
    sequence : int
        Position in the log (1, 2, ...), unique for the life of the replica set.
    cluster_time : Timestamp
        When it happened, in cluster time.
    wall_time : datetime
        When it happened, on the simulated clock.
    operation : str
        ``insert``, ``update``, ``replace``, ``delete``, ``drop``, ``rename``,
        ``dropDatabase``, ``create``, ``createIndexes``, ``dropIndexes`` or ``modify``.
    db, coll : str
        The namespace (``coll`` is None for ``dropDatabase``).
    before, after : dict or None
        The document before and after the write (document operations only).
    description : dict
        Operation-specific fields: ``updateDescription``, ``to``, ``operationDescription``,
        and whether pre- and post-images were recorded (``images``).
    """

    sequence: int
    cluster_time: Timestamp
    wall_time: datetime.datetime
    operation: str
    db: str
    coll: str | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    description: dict[str, Any] = field(default_factory=dict)


class Oplog:
    """The ordered log of writes of one replica set, with cluster time.

    Examples
    --------
    >>> from mongosim.clock import Clock
    >>> oplog = Oplog(Clock())
    >>> first = oplog.append("insert", "db", "c", after={"_id": 1})
    >>> second = oplog.append("delete", "db", "c", before={"_id": 1})
    >>> second.cluster_time > first.cluster_time, [e.sequence for e in oplog.after(0)]
    (True, [1, 2])
    """

    def __init__(self, clock: Clock, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity!r}")
        self._clock = clock
        self._entries: deque[Entry] = deque(maxlen=capacity)
        self._sequence = 0
        self._time = Timestamp(int(clock.time()), 1)
        self._last_write = (self._time, clock.now())
        self._condition = threading.Condition()
        self._closed = False

    # -- cluster time -------------------------------------------------------------------------

    def _tick(self, now: float) -> Timestamp:
        """The next cluster time at clock time ``now`` (called with the condition held)."""
        seconds = int(now)
        if seconds > self._time.time:
            self._time = Timestamp(seconds, 1)
        else:
            self._time = Timestamp(self._time.time, self._time.inc + 1)
        return self._time

    def cluster_time(self) -> Timestamp:
        """The newest cluster time: the ``operationTime`` of a read now."""
        with self._condition:
            return self._time

    def last_write(self) -> tuple[Timestamp, datetime.datetime]:
        """Cluster time and wall time of the newest write (``hello``'s ``lastWrite``)."""
        with self._condition:
            return self._last_write

    def gossip(self) -> dict[str, Any]:
        """``$clusterTime`` as a reply carries it (unsigned: the simulator has no keys)."""
        return {
            "clusterTime": self.cluster_time(),
            "signature": {"hash": Binary(bytes(20)), "keyId": Int64(0)},
        }

    # -- writing ------------------------------------------------------------------------------

    def append(
        self,
        operation: str,
        db: str,
        coll: str | None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        description: dict[str, Any] | None = None,
    ) -> Entry:
        """Log one write and wake every reader waiting for it."""
        now = self._clock.time()
        wall = _EPOCH + datetime.timedelta(milliseconds=math.floor(now * 1000))
        with self._condition:
            self._sequence += 1
            entry = Entry(
                self._sequence,
                self._tick(now),
                wall,
                operation,
                db,
                coll,
                before,
                after,
                description or {},
            )
            self._entries.append(entry)
            self._last_write = (entry.cluster_time, entry.wall_time)
            self._condition.notify_all()
        return entry

    def close(self) -> None:
        """Wake every waiting reader for good (the replica set is closing)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    # -- reading ------------------------------------------------------------------------------

    @property
    def last_sequence(self) -> int:
        """The sequence of the newest entry (0 while the log is empty)."""
        with self._condition:
            return self._sequence

    def oldest_sequence(self) -> int:
        """The sequence of the oldest entry still kept (``last_sequence + 1`` when empty)."""
        with self._condition:
            return self._entries[0].sequence if self._entries else self._sequence + 1

    def after(self, sequence: int, limit: int | None = None) -> list[Entry]:
        """The entries newer than ``sequence``, oldest first (at most ``limit``)."""
        with self._condition:
            return self._after(sequence, limit)

    def _after(self, sequence: int, limit: int | None) -> list[Entry]:
        if not self._entries or self._entries[-1].sequence <= sequence:
            return []
        start = max(0, sequence - self._entries[0].sequence + 1)
        stop = len(self._entries) if limit is None else min(len(self._entries), start + limit)
        return [self._entries[i] for i in range(start, stop)]

    def entries_after(self, cluster_time: Timestamp) -> list[Entry] | None:
        """The entries newer than ``cluster_time``, oldest first; None if the log no longer
        reaches back to it (older entries were dropped).
        """
        with self._condition:
            dropped = bool(self._entries) and self._entries[0].sequence > 1
            if dropped and self._entries[0].cluster_time > cluster_time:
                return None
            return [entry for entry in self._entries if entry.cluster_time > cluster_time]

    def sequence_at(self, cluster_time: Timestamp) -> int:
        """The sequence after which entries have a cluster time >= ``cluster_time``."""
        with self._condition:
            for entry in self._entries:
                if entry.cluster_time >= cluster_time:
                    return entry.sequence - 1
            return self._sequence

    def wait_after(
        self,
        sequence: int,
        timeout: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> bool:
        """Block until an entry newer than ``sequence`` exists, at most ``timeout`` seconds.

        True if there is one; False on timeout or when the log is closed.
        """
        deadline = monotonic() + max(0.0, timeout)
        with self._condition:
            while self._sequence <= sequence and not self._closed:
                remaining = deadline - monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
            return self._sequence > sequence
