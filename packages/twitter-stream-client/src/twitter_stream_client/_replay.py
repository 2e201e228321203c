"""Replay a recording made with `StreamClient.record_to`, offline."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from twitter_stream_client._errors import MalformedRecording
from twitter_stream_client._messages import Message, parse_message

__all__ = ["replay"]

logger = logging.getLogger(__name__)
_BAD = object()


def _timestamp(raw: Any) -> float | None:
    """Seconds since the epoch when the message was created, if it says so."""
    if not isinstance(raw, dict):
        return None
    for holder in (raw, *(v for v in raw.values() if isinstance(v, dict))):
        stamp = holder.get("timestamp_ms")
        if isinstance(stamp, (str, int)) and str(stamp).isdigit():
            return int(stamp) / 1000.0
        created = holder.get("created_at")
        if isinstance(created, str) and created.endswith("Z"):
            try:
                return datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
    return None


def replay(
    path: str | Path,
    speed: float | None = None,
    *,
    errors: Literal["raise", "skip"] = "raise",
    max_message_bytes: int = 1_048_576,
    sleep: Callable[[float], object] = time.sleep,
) -> Iterator[Message]:
    """Yield the typed messages of a JSONL recording, as the live client would.

    Parameters
    ----------
    path : str or Path
        A file written by `StreamClient.record_to` (one JSON message per line).
    speed : float, optional
        None replays as fast as possible. Otherwise messages are spaced as their
        ``timestamp_ms`` (v1.1) or ``created_at`` (v2) says, divided by ``speed``
        (2.0 is twice as fast); messages without a time, or older than one already
        replayed, are not delayed.
    errors : {"raise", "skip"}, default="raise"
        What a line that is not a JSON object (or is longer than ``max_message_bytes``) does:
        raise `MalformedRecording` naming the file and line, or be logged and skipped
        (as the live client skips such lines).
    max_message_bytes : int, default=1_048_576
        The longest line read; a longer one is malformed (never read whole into memory).
    sleep : callable, default=time.sleep
        Injected for tests.

    Raises
    ------
    MalformedRecording
        At the first bad line, with ``errors="raise"``, after the messages before it.
    ValueError
        If ``speed`` is not positive or ``errors`` is not one of its values.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tweets.jsonl"
    >>> _ = path.write_text('{"limit": {"track": 3}}\\n')
    >>> list(replay(path))
    [Limit(track=3)]
    """
    if speed is not None and not speed > 0:
        raise ValueError(f"`speed` must be a positive number or None, got {speed!r}")
    if errors not in ("raise", "skip"):
        raise ValueError(f"`errors` must be 'raise' or 'skip', got {errors!r}")
    previous: float | None = None
    with Path(path).open("rb") as lines:
        number = 0
        while line := lines.readline(max_message_bytes + 2):
            number += 1
            raw: Any = _BAD
            if line.endswith(b"\n") or len(line) < max_message_bytes + 2:
                if not line.strip():
                    continue
                with contextlib.suppress(ValueError, RecursionError):  # deep nesting: the latter
                    raw = json.loads(line)
                if type(raw) is not dict:  # a message is a JSON object, never a bare value
                    raw = _BAD
            else:  # too long: skip the rest of the line without holding it
                while (rest := lines.readline(65536)) and not rest.endswith(b"\n"):
                    pass
            if raw is _BAD:
                if errors == "raise":
                    raise MalformedRecording(str(path), number, line)
                logger.warning("%s:%d is not a JSON message; skipped", path, number)
                continue
            if speed is not None:
                stamp = _timestamp(raw)
                # Paced by the latest time seen: Tweets arrive slightly out of order and a
                # backfill brings older ones after newer ones.
                if stamp is not None and (previous is None or stamp > previous):
                    if previous is not None:
                        sleep((stamp - previous) / speed)
                    previous = stamp
            yield parse_message(raw)
