"""One connection's frames in, typed messages out: the part of reading both clients share.

Sans-I/O: `ConnectionReader.messages` takes the frames a `BodyFramer` cut from the body
and yields the messages among them, after JSON decoding, classification, duplicate
dropping (``recover=True``), counting and recording. It also decides, from a disconnect
message or a v2 error line, that the connection ends, and says how a connection ended.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import IO, Any

from twitter_stream_client import _json
from twitter_stream_client._attempts import StreamEnded
from twitter_stream_client._disconnects import Action, v1_action, v2_action
from twitter_stream_client._errors import StreamDisconnected
from twitter_stream_client._messages import (
    Disconnect,
    Message,
    StreamError,
    Tweet,
    parse_message,
)
from twitter_stream_client._recovery import Recovery
from twitter_stream_client._stats import StreamStats
from twitter_stream_client._watchdog import StallClock

__all__ = ["ConnectionReader", "write_record"]

logger = logging.getLogger("twitter_stream_client")


class ConnectionReader:
    """Turn one connection's frames into messages; say how the connection ended.

    Parameters
    ----------
    owner : client
        Its ``stats`` are updated, and its ``_halted`` flag (set by ``stop()``) ends a
        delivery before the next message.
    stall : StallClock
        Moved to each completed line.
    recovery : Recovery or None
        Drops already-delivered Tweets and notes the time of each line.
    """

    def __init__(self, owner: Any, stall: StallClock, recovery: Recovery | None = None) -> None:
        self.owner = owner
        self.stats: StreamStats = owner.stats
        self.stall = stall
        self.recovery = recovery
        self.healthy = False
        self.ending: StreamEnded | None = None

    def lines_arrived(self) -> None:
        """Complete lines arrived: the connection is healthy and the stall clock restarts."""
        self.healthy = True
        now = self.stats.last_message_at = self.stall.last_line = self.stall.clock()
        if self.recovery is not None:
            self.recovery.last_line_at = now

    def messages(self, frames: list[bytes], record: IO[bytes] | None = None) -> Iterator[Message]:
        """The messages among ``frames`` (keep-alives are ``b""``), decoded one at a time.

        Each is counted in ``stats.messages`` (and written to ``record``) as it is yielded;
        none after a stop. A message that ends the connection (``ending`` is set) is the
        last one.
        """
        stats = self.stats
        owner = self.owner
        recovery = self.recovery
        loads = _json.loads
        for frame in frames:
            if owner._halted:
                return
            if not frame:
                stats.keep_alives += 1
                continue
            try:
                raw = loads(frame)
            except (ValueError, RecursionError):  # the stdlib's answer to deep nesting
                raw = None
            if type(raw) is not dict:  # every message is a JSON object
                if frame.isspace():
                    stats.keep_alives += 1
                    continue
                stats.malformed += 1
                logger.warning("skipped a line that is not a JSON object: %r", frame[:80])
                continue
            # One message alive at a time, as the consumer takes them: decoding a whole
            # block first kept dozens of dicts alive and cost as much in garbage collection.
            message = parse_message(raw)
            if recovery is not None and recovery.is_duplicate(message):
                stats.duplicates += 1
                continue
            if record is not None:
                write_record(record, frame, raw)
            stats.messages += 1
            yield message
            if (
                type(message) is not Tweet
                and isinstance(message, (Disconnect, StreamError))
                and self._ends(message)
            ):
                return

    def ended(self, reason: str, error: BaseException | None = None) -> StreamEnded:
        """How the connection ended: the message that ended it, else ``reason``."""
        if self.ending is not None:
            return self.ending
        if reason == "stall" and error is None:
            error = TimeoutError(f"no complete line for {self.stall.timeout} s")
        return StreamEnded(reason, self.healthy, error)

    def _ends(self, message: Disconnect | StreamError) -> bool:
        action: Action | None
        if isinstance(message, Disconnect):
            action = v1_action(message.code)
            reason = f"disconnect code {message.code} {message.reason!r}".strip()
        else:
            action = v2_action(message.disconnect_type, message.connection_issue)
            reason = f"{message.disconnect_type or message.connection_issue}: {message.detail}"
        if action is None:
            return False
        error = StreamDisconnected(reason, message.raw) if action == "stop" else None
        self.ending = StreamEnded("disconnect", self.healthy, error, action)
        logger.warning("server disconnect (%s): %s", action, reason)
        return True


def write_record(record: IO[bytes], frame: bytes, raw: dict[str, Any]) -> None:
    """Append one message line to a recording (JSONL: one message per line)."""
    # A message with a raw newline (a pretty-printed warning in a length frame) is written
    # back compactly.
    line = json.dumps(raw, separators=(",", ":")).encode() if b"\n" in frame else frame
    record.write(line + b"\n")
    record.flush()
