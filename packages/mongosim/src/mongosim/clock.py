"""The simulator's clock: the time behind ``$$NOW``, ``$currentDate`` and ``hello.localTime``."""

from __future__ import annotations

import datetime
import math
import threading
import time

__all__ = ["Clock"]


class Clock:
    """Wall-clock time plus an offset that tests can move forward.

    Every member of a [`ReplicaSet`][mongosim.ReplicaSet] reads this one clock, as the members of
    a real replica set share (roughly) one time. Scheduled actions and ``delay:`` faults run
    on real time; only what the server *reports* as the time moves with `advance`.

    Examples
    --------
    >>> clock = Clock()
    >>> before = clock.now()
    >>> clock.advance(60)
    >>> (clock.now() - before).total_seconds() >= 60
    True
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Seconds since the epoch, as the simulated server sees them."""
        with self._lock:
            return time.time() + self._offset

    def now(self) -> datetime.datetime:
        """The server's current time as BSON stores it: naive UTC, millisecond precision."""
        milliseconds = math.floor(self.time() * 1000)
        return datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=milliseconds)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (a finite, non-negative number).

        Raises
        ------
        ValueError
            If ``seconds`` is negative, infinite or NaN.
        """
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        with self._lock:
            self._offset += seconds

    @property
    def offset(self) -> float:
        """Seconds the clock has been advanced in total."""
        with self._lock:
            return self._offset
