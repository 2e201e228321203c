"""One connection's frames in, typed messages out: the part of reading both clients share.

Sans-I/O: `ConnectionReader.messages` takes the frames a `BodyFramer` cut from the body
and returns the messages among them, after JSON decoding, classification, duplicate
dropping (``recover=True``) and counting. It also decides, from a disconnect message or a
v2 error line, that the connection ends, and says how a connection ended.
"""

from __future__ import annotations

import json
import logging
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
    stats : StreamStats
        Counters to update.
    stall : StallClock
        Moved to each completed line.
    recording : bool
        Keep each message's line in ``lines`` (for ``record_to``).
    recovery : Recovery or None
        Drops already-delivered Tweets and notes the time of each line.
    """

    def __init__(
        self,
        *,
        stats: StreamStats,
        stall: StallClock,
        recording: bool = False,
        recovery: Recovery | None = None,
    ) -> None:
        self.stats = stats
        self.stall = stall
        self.recovery = recovery
        self.lines: list[bytes] | None = [] if recording else None
        self.healthy = False
        self.ending: StreamEnded | None = None

    def messages(self, frames: list[bytes]) -> list[Message]:
        """The messages among ``frames`` (keep-alives are ``b""``).

        Once a message ends the connection (``ending`` is set), later frames are not
        read. ``lines`` then holds the line of each message returned, if recording.
        """
        stats = self.stats
        stall = self.stall
        self.healthy = True
        now = stats.last_message_at = stall.last_line = stall.clock()
        recovery = self.recovery
        if recovery is not None:
            recovery.last_line_at = now
        lines = self.lines
        if lines is not None:
            lines.clear()
        loads = _json.loads
        messages: list[Message] = []
        append = messages.append
        for frame in frames:
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
            message = parse_message(raw)
            if recovery is not None and recovery.is_duplicate(message):
                stats.duplicates += 1
                continue
            append(message)
            if lines is not None:
                lines.append(frame)
            if type(message) is Tweet:
                continue
            if isinstance(message, (Disconnect, StreamError)) and self._ends(message):
                break
        return messages

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
