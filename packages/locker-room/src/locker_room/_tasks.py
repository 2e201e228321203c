"""What the asyncio half does its own way: who is calling, renewal tasks, sleeping.

The thread counterparts are in ``_threads.py``; the rest of the async half is the same code
as the sync half (see ``tests/synchro.py``).

Fork: the tasks belong to the parent's event loop, which never runs them in a child made by
``os.fork()``; each instance forgets them there (``_fork.py``), so that the
child neither waits on them when its room closes nor stops the parent's renewals.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import TYPE_CHECKING

from locker_room._fork import reset_in_child

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from locker_room._async_lease import AsyncLease

__all__ = ["Background", "Renewals", "caller", "default_sleep"]

_log_renew = logging.getLogger("locker_room.renew")
_log_background = logging.getLogger("locker_room")

default_sleep = asyncio.sleep


def caller() -> tuple[object, str]:
    """The current asyncio task (a key for per-caller state) and a label for owner names."""
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("AsyncLockerRoom must be used from within an asyncio task")
    return task, f"task-{id(task):x}"


class Background:
    """Clean-up work (closing a change stream) run off the caller's path, as tasks."""

    def __init__(self) -> None:
        # The event loop keeps only a weak reference to a task: keep them here.
        self._running: set[asyncio.Task[object]] = set()
        reset_in_child(self)

    def _reset_after_fork(self) -> None:
        self._running = set()

    def run_soon(self, job: Callable[[], Awaitable[object]]) -> None:
        """Start ``job()`` in a task of the running loop; its errors are only logged."""
        task = asyncio.get_running_loop().create_task(_quietly(job))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the jobs started so far."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout)


async def _quietly(job: Callable[[], Awaitable[object]]) -> object:
    try:
        return await job()
    except Exception:  # clean-up must not surface as "Task exception was never retrieved"
        _log_background.exception("background clean-up failed")
        return None


class Renewals:
    """One task per lease that renews it every ``ttl / 3`` until it is released or lost."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._running: weakref.WeakKeyDictionary[
            AsyncLease, tuple[asyncio.Event, asyncio.Task[None]]
        ] = weakref.WeakKeyDictionary()
        reset_in_child(self)

    def _reset_after_fork(self) -> None:
        self._running = weakref.WeakKeyDictionary()

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

    def end_idle(self) -> None:
        """Nothing to do: each lease's task ends with the lease (the threads' `Renewals`
        lingers)."""


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
