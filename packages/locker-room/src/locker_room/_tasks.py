"""What the asyncio half does its own way: who is calling, renewal tasks, sleeping.

The thread counterparts are in ``_threads.py``; the rest of the async half is the same code
as the sync half (see ``tests/synchro.py``).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from locker_room._async_lease import AsyncLease

__all__ = ["Renewals", "caller", "default_sleep"]

_log_renew = logging.getLogger("locker_room.renew")

default_sleep = asyncio.sleep


def caller() -> tuple[object, str]:
    """The current asyncio task (a key for per-caller state) and a label for owner names."""
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("AsyncLockerRoom must be used from within an asyncio task")
    return task, f"task-{id(task):x}"


class Renewals:
    """One task per lease that renews it every ``ttl / 3`` until it is released or lost."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._running: weakref.WeakKeyDictionary[
            AsyncLease, tuple[asyncio.Event, asyncio.Task[None]]
        ] = weakref.WeakKeyDictionary()

    def add(self, lease: AsyncLease) -> None:
        """Start renewing ``lease``."""
        stop = asyncio.Event()
        task = asyncio.get_running_loop().create_task(
            _renew_forever(weakref.ref(lease), stop, lease.ttl / 3),
            name=f"locker-room-renew:{lease.name}",
        )
        # The event loop keeps only a weak reference to a task: keep it here.
        self._running[lease] = (stop, task)

    def discard(self, lease: AsyncLease) -> None:
        """Stop renewing ``lease``."""
        running = self._running.pop(lease, None)
        if running is not None:
            running[0].set()


async def _renew_forever(
    ref: weakref.ref[AsyncLease], stop: asyncio.Event, interval: float
) -> None:
    while True:
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except asyncio.TimeoutError:
            pass
        else:
            return
        lease = ref()
        if lease is None:
            return
        try:
            renewed = await lease.renew()
        except Exception as error:  # a bug must not leave the lease "valid"
            _log_renew.exception("renewal of %r raised", lease.name)
            lease.mark_lost(f"renewal raised {error!r}")
            return
        if not renewed:
            return
        del lease
