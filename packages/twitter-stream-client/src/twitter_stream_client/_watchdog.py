"""The stall watchdog: shut the socket down once no complete line came for a while.

The read loops check the deadline at every read too, but a drip inside one HTTP chunk
keeps urllib3 in a single read until the chunk is complete: only someone else can end
that read. Time the consumer spends on a message (``paused``) does not count.
`ThreadWatchdog` serves the requests client, `LoopWatchdog` (a timer on the event loop,
re-armed once per period, not per line) the asyncio one.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twitter_stream_client._transport import shutdown

if TYPE_CHECKING:
    import asyncio

__all__ = ["LoopWatchdog", "ThreadWatchdog"]


class _Deadline:
    """When the watchdog fires: ``timeout`` after the last complete line, unless paused."""

    def __init__(self, timeout: float, clock: Callable[[], float]) -> None:
        self.timeout = timeout
        self.clock = clock
        self.last_line = clock()
        self.paused = False
        self.fired = False

    def remaining(self) -> float:
        """Seconds to the deadline (a full period while paused)."""
        if self.paused:
            return self.timeout
        return self.last_line + self.timeout - self.clock()


class ThreadWatchdog(_Deadline):
    """A daemon thread per connection that shuts ``sock`` down at the deadline."""

    def __init__(
        self, sock: socket.socket | None, timeout: float, clock: Callable[[], float]
    ) -> None:
        super().__init__(timeout, clock)
        self._done = threading.Event()
        threading.Thread(
            target=self._watch,
            args=(sock,),
            name="twitter-stream-client stall watchdog",
            daemon=True,
        ).start()

    def _watch(self, sock: socket.socket | None) -> None:
        wait = self.timeout
        while not self._done.wait(wait):
            wait = self.remaining()
            if wait <= 0:
                self.fired = True
                if sock is not None:
                    shutdown(sock)
                return

    def cancel(self) -> None:
        """The connection is over: stop watching."""
        self._done.set()


class LoopWatchdog(_Deadline):
    """A timer on the event loop that shuts ``sock`` down at the deadline."""

    def __init__(
        self,
        sock: socket.socket | None,
        timeout: float,
        clock: Callable[[], float],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        super().__init__(timeout, clock)
        self._sock = sock
        self._loop = loop
        self._handle: Any = loop.call_later(timeout, self._check)

    def _check(self) -> None:
        wait = self.remaining()
        if wait > 0:
            self._handle = self._loop.call_later(wait, self._check)
            return
        self.fired = True
        self._handle = None
        if self._sock is not None:
            shutdown(self._sock)

    def cancel(self) -> None:
        """The connection is over: stop watching."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
