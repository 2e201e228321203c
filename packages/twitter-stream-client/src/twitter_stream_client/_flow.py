"""The I/O-free core both clients drive: every decision of a stream, in one generator.

`stream_flow` yields what it needs done and is sent what came of it, as httpx's auth
flows and tenacity's ``iter()`` work. `StreamClient` (requests, a watchdog thread) and
`AsyncStreamClient` (httpx, a timer on the event loop) are drivers that only move bytes,
sleep and yield; when to connect, what a body holds, when a connection has stalled or
ended, how long to wait, when to stop: all of that is decided here, once.

A driver is one loop over a `Flow` (see `StreamClient.__iter__`): it yields the messages
of each `Deliver` and hands every other step to the method of its I/O object that the
step's ``op`` names, sending back what that method returns:

==============  ==========  ========================================  ===================
yielded         ``op``      the driver's I/O object                   returns
==============  ==========  ========================================  ===================
`Connect`       connect     sends the request with ``params``         `Opened`, `Failed`,
                                                                      `Refused`, or None
                                                                      if stopped meanwhile
`Watch`         watch       starts its stall watchdog on ``stall``    None
`READ`          read        reads the next block of the body          the bytes (``b""``
                                                                      at its end), or the
                                                                      error it raised
`CLOSE`         close       stops the watchdog, closes the response   None
`Wait`          wait        sleeps ``seconds`` (a stop may cut it     None
                            short)
`Deliver`       (none)      the loop yields each of ``messages``      None
==============  ==========  ========================================  ===================

It ends when the client is stopped, and raises what ends the stream (a fatal answer,
`RetriesExhausted`, `StreamDisconnected`).
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator
from typing import IO, TYPE_CHECKING, Any

from twitter_stream_client._attempts import Failed, Outcome, Refused, StreamEnded
from twitter_stream_client._body import BodyFramer
from twitter_stream_client._messages import Message
from twitter_stream_client._reader import ConnectionReader
from twitter_stream_client._watchdog import StallClock

if TYPE_CHECKING:
    from twitter_stream_client._base import ClientBase

__all__ = [
    "CLOSE",
    "READ",
    "Connect",
    "Deliver",
    "Flow",
    "Opened",
    "Step",
    "Wait",
    "Watch",
    "stream_flow",
]

reconnect_logger = logging.getLogger("twitter_stream_client.reconnect")


# Plain slotted classes, not dataclasses: made at import, they would cost it milliseconds.
class Connect:
    """Send the stream request with this query."""

    __slots__ = ("params",)
    op = "connect"

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params


class Opened:
    """The endpoint answered 200; the body comes as raw ``chunked`` bytes in ``encoding``
    (the driver reads past its HTTP library), or decoded by the library."""

    __slots__ = ("chunked", "encoding")

    def __init__(self, chunked: bool, encoding: str = "identity") -> None:
        self.chunked = chunked
        self.encoding = encoding

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opened) and (self.chunked, self.encoding) == (
            other.chunked,
            other.encoding,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Opened(chunked={self.chunked!r}, encoding={self.encoding!r})"


class Watch:
    """Watch the connection: shut its socket down when ``stall`` says it stalled."""

    __slots__ = ("stall",)
    op = "watch"

    def __init__(self, stall: StallClock) -> None:
        self.stall = stall


class Deliver:
    """Yield these messages to the consumer, one by one."""

    __slots__ = ("messages",)
    op = "deliver"

    def __init__(self, messages: Iterator[Message]) -> None:
        self.messages = messages


class Wait:
    """Sleep before the next attempt."""

    __slots__ = ("seconds",)
    op = "wait"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class _Signal:
    __slots__ = ("name", "op")

    def __init__(self, name: str) -> None:
        self.name = name
        self.op = name.lower()

    def __repr__(self) -> str:
        return self.name


READ = _Signal("READ")
"""Read the next block of the body."""

CLOSE = _Signal("CLOSE")
"""The connection is over: stop watching it, close the response."""

Step = Connect | Watch | Deliver | Wait | _Signal


class Flow:
    """`stream_flow` as a driver iterates it: set ``reply`` to what a step came to.

    Examples
    --------
    >>> from twitter_stream_client import StreamClient
    >>> flow = Flow(StreamClient("http://127.0.0.1:9/stream", auth=None))
    >>> step = next(flow)
    >>> step.op, step.params
    ('connect', {})
    >>> flow.reply = None  # stopped before an answer came: the flow ends
    >>> next(flow, "over")
    'over'
    """

    __slots__ = ("_steps", "reply")

    def __init__(self, client: ClientBase) -> None:
        self._steps = stream_flow(client)
        self.reply: Any = None

    def __iter__(self) -> Flow:
        return self

    def __next__(self) -> Step:
        reply, self.reply = self.reply, None
        return self._steps.send(reply)

    def close(self) -> None:
        """End the flow early (closes its recording)."""
        self._steps.close()


def stream_flow(client: ClientBase) -> Generator[Step, Any, None]:
    """Every attempt of ``client``'s stream, until it is stopped or fails for good."""
    stopped = client._stop_event.is_set
    stats = client.stats
    record = client._open_record()
    try:
        tracker = client._tracker()
        while not stopped():
            answer = yield Connect(client._query())
            if answer is None:
                return
            outcome: Outcome
            if isinstance(answer, Opened):
                tracker.connected()
                stats.connections += 1
                outcome = yield from _connection(client, answer, record)
                yield CLOSE
            else:
                assert isinstance(answer, (Failed, Refused))
                outcome = answer
            if stopped():
                return
            decision = tracker.decide(outcome)
            stats.reconnects[decision.label] += 1
            level = logging.WARNING if decision.state is not None else logging.INFO
            reconnect_logger.log(level, decision.describe())
            if decision.delay:
                yield Wait(decision.delay)
    finally:
        if record is not None:
            record.close()


def _connection(
    client: ClientBase, opened: Opened, record: IO[bytes] | None
) -> Generator[Step, Any, StreamEnded]:
    """One 200 connection, read to its end: how it ended."""
    stall = StallClock(client.stall_timeout, client._clock)
    body = BodyFramer(
        chunked=opened.chunked,
        encoding=opened.encoding,
        length_framing=client._length_framing,
        max_bytes=client.max_message_bytes,
    )
    reader = ConnectionReader(client, stall, client._recovery)
    stats = client.stats
    stopped = client._stop_event.is_set
    read_timeouts = client._read_timeouts
    yield Watch(stall)
    while True:
        data = yield READ
        if type(data) is not bytes:  # the read failed
            if stall.fired or isinstance(data, read_timeouts):
                return reader.ended("stall")
            return reader.ended("network", data)
        if not data:  # the end of the body
            if stall.fired:
                return reader.ended("stall")
            error = body.end_error()
            return reader.ended("network", error) if error else reader.ended("closed")
        frames = body.feed(data)
        stats.bytes += body.decoded
        body.decoded = 0
        if body.dropped:
            stats.oversize += body.dropped
            reader.stall.last_line = stall.clock()
            _log_dropped(body.dropped, client.max_message_bytes)
            body.dropped = 0
        if frames:
            reader.lines_arrived()
            stall.paused = True
            yield Deliver(reader.messages(frames, record))
            stall.paused = False
            stall.last_line = stall.clock()
            if reader.ending is not None:
                return reader.ending
        elif stall.stalled():
            return reader.ended("stall")
        if body.error is not None:
            return reader.ended("network", body.error)
        if body.finished:
            return reader.ended("closed")
        if stopped():
            return reader.ended("closed")


def _log_dropped(count: int, limit: int) -> None:
    logging.getLogger("twitter_stream_client").warning(
        "dropped %d message(s) over %d bytes", count, limit
    )
