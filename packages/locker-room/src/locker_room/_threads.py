"""What the thread half does its own way: who is calling, the renewal thread, sleeping.

The asyncio counterparts are in ``_tasks.py``.

Fork: a child made by ``os.fork()`` inherits these objects but not their threads, and a
thread of the parent may have held their condition's lock at that moment. Each instance
is reset in the child (``_fork.py``): a new lock, no thread (the next job or lease starts
one), and none of the parent's jobs or leases, which are not the child's to renew or clean up.
"""

from __future__ import annotations

import collections
import heapq
import itertools
import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING

from locker_room._fork import reset_in_child

if TYPE_CHECKING:
    from collections.abc import Callable

    from locker_room._lease import Lease

__all__ = ["LINGER", "Background", "Renewals", "caller", "default_sleep"]

_log_renew = logging.getLogger("locker_room.renew")
_log_background = logging.getLogger("locker_room")

default_sleep = time.sleep

LINGER = 5.0
"""Seconds an idle background thread waits for more work before it ends."""


def caller() -> tuple[object, str]:
    """The current thread (a key for per-caller state) and a label for owner names.

    The thread object, not its identifier: a new thread may reuse a finished one's id.
    """
    return threading.current_thread(), str(threading.get_ident())


class Background:
    """Clean-up work (closing a change stream) run off the caller's path, in a daemon thread.

    The thread lingers `LINGER` seconds for more work, so that a burst of hand-offs does not
    start one thread each (starting a thread waits for it to run, which a busy machine delays).
    """

    def __init__(self) -> None:
        self._jobs: collections.deque[Callable[[], object]] = collections.deque()
        self._busy = False
        self._ending = False  # the room closed: an idle thread ends now, not after LINGER
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        reset_in_child(self)

    def _reset_after_fork(self) -> None:
        # The parent's jobs close the parent's change streams: not the child's to run.
        self._jobs = collections.deque()
        self._busy = False
        self._ending = False
        self._wake = threading.Condition()
        self._thread = None

    def run_soon(self, job: Callable[[], object]) -> None:
        """Run ``job()`` in the background thread; its errors are only logged."""
        with self._wake:
            self._jobs.append(job)
            self._ending = False
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="locker-room-cleanup", daemon=True
                )
                self._thread.start()
            else:
                self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._jobs and not self._ending:
                    self._wake.wait(LINGER)
                if not self._jobs:
                    self._thread = None
                    return
                job = self._jobs.popleft()
                self._busy = True
            try:
                job()
            except Exception:  # clean-up must not surface as an unhandled thread exception
                _log_background.exception("background clean-up failed")
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the jobs given so far; then the idle thread ends."""
        with self._wake:
            self._wake.wait_for(lambda: not self._jobs and not self._busy, timeout)
            self._ending = True
            self._wake.notify_all()


class Renewals:
    """One daemon thread per room that renews each of its leases every ``ttl / 3``.

    It holds only weak references: a lease nobody references any more stops being
    renewed and expires. (The room itself keeps every lease of ``lock()`` until it is
    released, so that ``locker.release(name)`` finds it: dropping one does not end it.)
    The thread ends `LINGER` seconds after the last lease is gone and starts again with the
    next one. Renewals run one after another; each may take until its lease's local bound.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._due: list[tuple[float, int, weakref.ref[Lease]]] = []
        self._order = itertools.count()
        self._ending = False  # the room closed: with no lease left the thread ends now
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        reset_in_child(self)

    def _reset_after_fork(self) -> None:
        # The leases due are the parent's: renewing them from the child would extend a hold
        # the child does not have (and outlive the parent's end).
        self._due = []
        self._ending = False
        self._wake = threading.Condition()
        self._thread = None

    def add(self, lease: Lease) -> None:
        """Renew ``lease`` a third of its ttl from now (and then again, while it lasts)."""
        entry = (self._clock() + lease.ttl / 3, next(self._order), weakref.ref(lease))
        with self._wake:
            heapq.heappush(self._due, entry)
            self._ending = False
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="locker-room-renewer", daemon=True
                )
                self._thread.start()
            elif self._due[0] is entry:  # due before what the thread sleeps for
                self._wake.notify()

    def discard(self, lease: Lease) -> None:
        """Stop renewing ``lease``; with no lease left, the thread lingers from now."""
        with self._wake:
            kept = [entry for entry in self._due if entry[2]() is not lease]
            if len(kept) < len(self._due):
                heapq.heapify(kept)
                self._due = kept
                self._wake.notify_all()

    def end_idle(self) -> None:
        """End the thread now if it has no lease to renew, instead of `LINGER` seconds later."""
        with self._wake:
            self._ending = True
            self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._due and not self._ending:
                    self._wake.wait(LINGER)  # the next lock soon: no new thread for it
                if not self._due:
                    self._thread = None
                    return
                due, _, ref = self._due[0]
                delay = due - self._clock()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._due)
            lease = ref()
            if lease is not None and self._renew(lease):
                self.add(lease)
            del lease

    @staticmethod
    def _renew(lease: Lease) -> bool:
        try:
            return lease.renew()
        except Exception as error:  # a bug in one renewal must not stop the others
            _log_renew.exception("renewal of %r raised", lease.name)
            lease.mark_lost(f"renewal raised {error!r}")
            return False
