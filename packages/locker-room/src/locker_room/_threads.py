"""What the thread half does its own way: who is calling, the renewal thread, sleeping.

The asyncio counterparts are in ``_tasks.py``.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from locker_room._lease import Lease

__all__ = ["Renewals", "caller", "default_sleep"]

_log_renew = logging.getLogger("locker_room.renew")

default_sleep = time.sleep


def caller() -> tuple[object, str]:
    """The current thread (a key for per-caller state) and a label for owner names.

    The thread object, not its identifier: a new thread may reuse a finished one's id.
    """
    return threading.current_thread(), str(threading.get_ident())


class Renewals:
    """One daemon thread per room that renews each of its leases every ``ttl / 3``.

    It holds only weak references: a lease nobody references any more stops being
    renewed and expires. (The room itself keeps every lease of ``lock()`` until it is
    released, so that ``locker.release(name)`` finds it: dropping one does not end it.)
    The thread ends when no lease is left and starts again with the next one. Renewals
    run one after another; each may take until its lease's local bound.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._due: list[tuple[float, int, weakref.ref[Lease]]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, lease: Lease) -> None:
        """Renew ``lease`` a third of its ttl from now (and then again, while it lasts)."""
        entry = (self._clock() + lease.ttl / 3, next(self._order), weakref.ref(lease))
        with self._wake:
            heapq.heappush(self._due, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="locker-room-renewer", daemon=True
                )
                self._thread.start()
            elif self._due[0] is entry:  # due before what the thread sleeps for
                self._wake.notify()

    def discard(self, lease: Lease) -> None:
        """Stop renewing ``lease`` (a released lease is skipped when it comes due)."""

    def _run(self) -> None:
        while True:
            with self._wake:
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
