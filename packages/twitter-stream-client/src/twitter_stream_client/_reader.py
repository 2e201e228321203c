"""One connection's body, bytes in, typed messages out: the part both clients share.

Sans-I/O: `ConnectionReader.feed` takes the chunks a client read (however the server
split them) and returns the messages they complete, after framing, JSON decoding,
classification, recording, duplicate dropping (``recover=True``) and counting. It also
decides, from a disconnect message or a v2 error line, that the connection ends.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import IO, Any

from twitter_stream_client import _json
from twitter_stream_client._attempts import StreamEnded
from twitter_stream_client._disconnects import Action, v1_action, v2_action
from twitter_stream_client._errors import StreamDisconnected
from twitter_stream_client._framing import FramingError, LengthFramer, LineFramer
from twitter_stream_client._messages import Disconnect, Message, StreamError, Tweet, parse_message
from twitter_stream_client._recovery import Recovery
from twitter_stream_client._stats import StreamStats

__all__ = ["ConnectionReader"]

logger = logging.getLogger("twitter_stream_client")


class ConnectionReader:
    """Turn one connection's body chunks into messages; say how the connection ended.

    Parameters
    ----------
    length_framing : bool
        ``delimited=length`` frames instead of ``\\r\\n`` lines.
    max_message_bytes : int
        Longer messages are dropped while their bytes stream past.
    stats : StreamStats
        Counters to update.
    clock : callable
        Monotonic seconds.
    stall_timeout : float
        Seconds without a complete line before `stalled` says so.
    record : binary file or None
        Where to append each message line.
    recovery : Recovery or None
        Drops already-delivered Tweets and notes the time of each line.
    """

    def __init__(
        self,
        *,
        length_framing: bool,
        max_message_bytes: int,
        stats: StreamStats,
        clock: Callable[[], float],
        stall_timeout: float,
        record: IO[bytes] | None = None,
        recovery: Recovery | None = None,
    ) -> None:
        framer = LengthFramer if length_framing else LineFramer
        self.framer: LineFramer | LengthFramer = framer(max_message_bytes)
        self.max_message_bytes = max_message_bytes
        self.stats = stats
        self.clock = clock
        self.stall_timeout = stall_timeout
        self.record = record
        self.recovery = recovery
        self.healthy = False
        self.last_line = clock()
        self.ending: StreamEnded | None = None

    def feed(self, chunk: bytes) -> list[Message] | None:
        """The messages ``chunk`` completes; None if it completed no line at all.

        Once a message ends the connection (``ending`` is set), later lines of the chunk
        are not returned. A chunk out of step with length framing sets ``ending`` too.
        """
        stats = self.stats
        stats.bytes += len(chunk)
        framer = self.framer
        try:
            frames = framer.feed(chunk)
        except FramingError as exc:
            self.ending = StreamEnded("network", self.healthy, exc)
            return []
        if framer.dropped:
            stats.oversize += framer.dropped
            logger.warning(
                "dropped %d message(s) over %d bytes", framer.dropped, self.max_message_bytes
            )
            framer.dropped = 0
            self.last_line = self.clock()
        if not frames:
            return None
        self.healthy = True
        now = stats.last_message_at = self.clock()
        recovery = self.recovery
        if recovery is not None:
            recovery.last_line_at = now
        loads = _json.loads
        record = self.record
        messages: list[Message] = []
        append = messages.append
        for frame in frames:
            if not frame:
                stats.keep_alives += 1
                continue
            try:
                raw = loads(frame)
            except ValueError:
                stats.malformed += 1
                logger.warning("skipped a line that is not JSON: %r", frame[:80])
                continue
            message = parse_message(raw)
            kind = type(message)
            if kind is not Tweet:
                if recovery is not None and recovery.is_duplicate(message):
                    stats.duplicates += 1
                    continue
                if record is not None:
                    _record(record, frame, raw)
                append(message)
                if (kind is Disconnect or kind is StreamError) and self._ends(message):  # type: ignore[arg-type]
                    break
                continue
            if recovery is not None and recovery.is_duplicate(message):
                stats.duplicates += 1
                continue
            if record is not None:
                _record(record, frame, raw)
            append(message)
        stats.messages += len(messages)
        return messages

    def line_done(self) -> None:
        """The consumer has handled the messages of a line: the stall timer starts again."""
        self.last_line = self.clock()

    def stalled(self) -> bool:
        """True if no line completed for ``stall_timeout`` seconds (bytes may have come)."""
        return self.clock() - self.last_line >= self.stall_timeout

    def ended(self, reason: str, error: BaseException | None = None) -> StreamEnded:
        """How the connection ended: the message that ended it, else ``reason``."""
        if self.ending is not None:
            return self.ending
        if reason == "stall" and error is None:
            error = TimeoutError(f"no complete line for {self.stall_timeout} s")
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


def _record(record: IO[bytes], frame: bytes, raw: Any) -> None:
    # JSONL needs one message per line: re-serialise the rare multi-line message.
    line = json.dumps(raw, separators=(",", ":")).encode() if b"\n" in frame else frame
    record.write(line + b"\n")
    record.flush()
