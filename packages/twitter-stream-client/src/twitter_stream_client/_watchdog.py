"""The stall watchdog: shut the socket down once no complete line came for a while.

The stream's core checks the deadline (`StallClock`) at every read too, but a drip keeps
a read blocked until its next byte: only someone else can end that read. Time the
consumer spends on a message (``paused``) does not count. `ThreadWatchdog` serves the
requests client, `LoopWatchdog` (a timer on the event loop, re-armed once per period, not
per line) the asyncio one.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twitter_stream_client._transport import shutdown

if TYPE_CHECKING:
    import asyncio

__all__ = ["LoopWatchdog", "StallClock", "ThreadWatchdog"]


class StallClock:
    """When a connection stalls: ``timeout`` after its last complete line, unless paused.

    Pure: the stream's core moves ``last_line`` and ``paused`` (time the consumer spends
    on messages does not count); a watchdog reads `remaining` and sets ``fired``.
    """

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

    def stalled(self) -> bool:
        """True once no line completed for ``timeout`` seconds (bytes may have come)."""
        return self.remaining() <= 0


class ThreadWatchdog:
    """A daemon thread per connection that shuts ``sock`` down at the stall deadline."""

    def __init__(self, sock: socket.socket | None, stall: StallClock) -> None:
        self._done = threading.Event()
        threading.Thread(
            target=self._watch,
            args=(sock, stall),
            name="twitter-stream-client stall watchdog",
            daemon=True,
        ).start()

    def _watch(self, sock: socket.socket | None, stall: StallClock) -> None:
        wait = stall.timeout
        while not self._done.wait(wait):
            wait = stall.remaining()
            if wait <= 0:
                stall.fired = True
                if sock is not None:
                    shutdown(sock)
                return

    def cancel(self) -> None:
        """The connection is over: stop watching."""
        self._done.set()


class LoopWatchdog:
    """A timer on the event loop that shuts ``sock`` down at the stall deadline."""

    def __init__(
        self, sock: socket.socket | None, stall: StallClock, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._sock = sock
        self._stall = stall
        self._loop = loop
        self._handle: Any = loop.call_later(stall.timeout, self._check)

    def _check(self) -> None:
        wait = self._stall.remaining()
        if wait > 0:
            self._handle = self._loop.call_later(wait, self._check)
            return
        self._stall.fired = True
        self._handle = None
        if self._sock is not None:
            shutdown(self._sock)

    def cancel(self) -> None:
        """The connection is over: stop watching."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
