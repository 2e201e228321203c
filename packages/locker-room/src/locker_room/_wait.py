"""How a blocked acquire waits: what it knows of the hold, what to do next, until when.

Pure bookkeeping, shared by the sync and async rooms (the clock is injected; nothing
here does I/O or sleeps).
"""

from __future__ import annotations

import enum
import random
from typing import TYPE_CHECKING

from locker_room._backoff import backoff
from locker_room._errors import LockError, LockTimeout, ServerUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from locker_room._protocol import Document

__all__ = ["AWAIT", "RECHECK", "Turn", "Wait"]

AWAIT = 0.2
"""Seconds one read of the change stream may block on the server (``maxAwaitTimeMS``)."""

RECHECK = 5.0
"""Longest wait on the change stream before reading the lock again: a server clock that
jumped, or an event lost while the stream was re-established, cannot delay a waiter longer."""


class Turn(enum.Enum):
    """What a waiter does after reading the lock document."""

    TRY = "try"  # free, expired, or our turn: send the acquire again now
    MINE = "mine"  # a release handed the lock to us (fair queue)
    JOIN = "join"  # fair waiter not (or no longer) in the queue: join it
    WAIT = "wait"  # held: wait for an event or for the time the hold can end


class Wait:
    """The state of one blocked acquire: deadline, what was seen, when to look again.

    Parameters
    ----------
    timeout : float or None
        Seconds the caller waits at most; None waits as long as the lock is held.
    clock : callable
        Local seconds (monotonic).
    uniform : callable, default=random.random
        Draws in [0, 1) for the polling backoff's jitter.

    Examples
    --------
    >>> now = [0.0]
    >>> wait = Wait(2.0, lambda: now[0], uniform=lambda: 1.0)
    >>> wait.read({"locked": True, "owner": "bob", "remaining_ms": 1500, "queue": []},
    ...           sent=0.0, owner="me", attempt="a1", fair=False)
    <Turn.WAIT: 'wait'>
    >>> wait.until()  # the lease read ends 1.5 s after the read was sent
    1.5
    >>> now[0] = 1.49
    >>> round(wait.poll_delay(), 3)  # never past the lease's end
    0.01
    """

    def __init__(
        self,
        timeout: float | None,
        clock: Callable[[], float],
        *,
        uniform: Callable[[], float] = random.random,
    ) -> None:
        self.timeout = timeout
        self._clock = clock
        start = clock()
        self.deadline = None if timeout is None else start + timeout
        self._delays = backoff(uniform=uniform)
        self.seen_held = False
        self.holder: str | None = None
        self.expires_at: datetime | None = None
        self.wake_at: float | None = None
        self.refresh_at: float | None = None
        self.last_error: BaseException | None = None
        self.unsettled_since: float | None = None

    def timed_out(self) -> bool:
        """True once the deadline has passed."""
        return self.deadline is not None and self._clock() >= self.deadline

    def held(self) -> None:
        """The acquire found the lock held by someone else."""
        self.seen_held = True

    def unsettled(self, error: BaseException, sent: float) -> None:
        """An acquire sent at ``sent`` may or may not have been applied."""
        self.last_error = error
        if self.unsettled_since is None:
            self.unsettled_since = sent

    def failed(self, error: BaseException) -> None:
        """A read of the waiter failed; its error explains a later give-up."""
        self.last_error = error

    def sent_at(self, sent: float) -> float:
        """When the write that a lease rests on left: the earliest unsettled one, if any."""
        return sent if self.unsettled_since is None else self.unsettled_since

    def read(
        self, info: Document | None, *, sent: float, owner: str, attempt: str, fair: bool
    ) -> Turn:
        """Take in the lock as ``wait_pipeline`` read it (sent at ``sent``); say what to do."""
        if info is None:
            self.wake_at = None
            return Turn.TRY
        queue = info.get("queue") or []
        owners = [entry.get("owner") for entry in queue]
        if info.get("locked"):
            self.seen_held = True
            self.holder = info.get("owner")
            self.expires_at = info.get("expires_at")
            if fair and info.get("owner") == owner and info.get("attempt") == attempt:
                return Turn.MINE
        ends = [info["remaining_ms"]] if info.get("locked") else []
        if fair:
            ahead = owners.index(owner) if owner in owners else len(owners)
            ends += [entry["remaining_ms"] for entry in queue[:ahead]]
        self.wake_at = sent + max(0.0, min(ends)) / 1000 if ends else None
        if not info.get("locked") and (not fair or not owners or owners[0] == owner):
            return Turn.TRY
        if fair and owner not in owners:
            return Turn.JOIN
        return Turn.WAIT

    def queued(self, ttl: float) -> None:
        """The waiter (re)joined the fair queue: renew its entry after a third of ``ttl``."""
        self.refresh_at = self._clock() + ttl / 3

    def refresh_due(self) -> bool:
        """True when the waiter's queue entry must be renewed."""
        return self.refresh_at is not None and self._clock() >= self.refresh_at

    def knows_when(self) -> bool:
        """True while the end of the hold read last is still ahead (no need to read again)."""
        return self.wake_at is not None and self._clock() < self.wake_at

    def until(self, *, recheck: float = RECHECK) -> float:
        """Local time to stop waiting for an event: the deadline, the hold's end, or a recheck."""
        bounds = [self._clock() + recheck]
        bounds += [t for t in (self.deadline, self.wake_at, self.refresh_at) if t is not None]
        return min(bounds)

    def hard_until(self) -> float | None:
        """Local time a wait must end by (the deadline, the hold's end, renewing the queue
        entry), None if only a recheck is due: a read of the change stream may run past a
        recheck, not past this."""
        bounds = [t for t in (self.deadline, self.wake_at, self.refresh_at) if t is not None]
        return min(bounds) if bounds else None

    def poll_delay(self) -> float:
        """Seconds to sleep before polling again: backoff with jitter, capped by ``until``."""
        return max(0.0, min(next(self._delays), self.until() - self._clock()))

    def give_up(self, name: str) -> LockError:
        """The error for a wait that ends unsuccessfully now.

        `LockTimeout` if the lock was seen held, else `ServerUnavailable` naming the last error.
        """
        if self.seen_held or self.last_error is None:
            return LockTimeout(name, self.holder, self.expires_at, self.timeout or 0.0)
        return ServerUnavailable(name, self.last_error, "lock")
