"""Counters a running client keeps: `StreamStats`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["StreamStats"]


@dataclass
class StreamStats:
    """What a client has seen so far; read it from any thread (values may lag by one message).

    Attributes
    ----------
    messages : int
        Messages yielded (keep-alives, malformed and oversize lines excluded).
    keep_alives : int
        Blank keep-alive lines received.
    bytes : int
        Body bytes received after gzip decoding.
    malformed : int
        Lines that were not a JSON object (logged and skipped).
    oversize : int
        Messages longer than ``max_message_bytes`` (dropped unread).
    duplicates : int
        Tweets and compliance events dropped because they were already delivered
        (``recover=True`` only).
    connections : int
        Connections that answered HTTP 200.
    reconnects : collections.Counter
        Reconnects by cause: ``closed`` (the server ended the body), ``stall``,
        ``disconnect`` (a disconnect message or v2 error line), ``network``, ``http``,
        ``rate_limit``.
    last_message_at : float or None
        The client's clock when the last message or keep-alive arrived.
    """

    messages: int = 0
    keep_alives: int = 0
    bytes: int = 0
    malformed: int = 0
    oversize: int = 0
    duplicates: int = 0
    connections: int = 0
    reconnects: Counter[str] = field(default_factory=Counter)
    last_message_at: float | None = None

    def as_dict(self) -> dict[str, object]:
        """The counters as plain JSON-ready values (what ``stream --json`` prints)."""
        return {
            "messages": self.messages,
            "keep_alives": self.keep_alives,
            "bytes": self.bytes,
            "malformed": self.malformed,
            "oversize": self.oversize,
            "duplicates": self.duplicates,
            "connections": self.connections,
            "reconnects": dict(self.reconnects),
        }
