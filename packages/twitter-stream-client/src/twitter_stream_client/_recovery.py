"""Gap-free reconnects (``recover=True``): backfill the measured gap, drop what came twice.

Twitter's v2 streams replay up to 5 minutes on request (``backfill_minutes``) but do not
deduplicate: a 90 s outage recovered with 2 minutes brings 30 s of Tweets again. So the
client measures the gap (from the last complete line to the reconnect), asks for that
many minutes, rounded up and capped at 5, and remembers a bounded set of recent ids.
"""

from __future__ import annotations

import collections
import json
import math
from typing import Any

from twitter_stream_client._messages import ComplianceEvent, Message, Tweet

__all__ = ["MAX_BACKFILL_MINUTES", "RECENT_IDS", "Recovery", "backfill_minutes"]

MAX_BACKFILL_MINUTES = 5
"""The longest backfill Twitter serves."""

RECENT_IDS = 100_000
"""How many recently delivered ids are remembered; at the 1% sample stream's rate this is
more than 5 minutes of Tweets, at about 10 MB."""


def backfill_minutes(gap_seconds: float) -> int:
    """Minutes of backfill that cover a gap: rounded up, at least 1, at most 5.

    Examples
    --------
    >>> [backfill_minutes(s) for s in (0.2, 60.0, 61.0, 299.0, 3600.0)]
    [1, 1, 2, 5, 5]
    """
    return max(1, min(MAX_BACKFILL_MINUTES, math.ceil(gap_seconds / 60.0)))


def _key(message: Message) -> Any:
    if type(message) is Tweet:
        return message.id
    if type(message) is ComplianceEvent:
        # The whole event: several events may share action, subject and time (a deleted
        # Post brings one more delete per quote of it, with a quote_tweet_id; a profile
        # edit is one event per field). Sorted keys: a replay may order them differently.
        return json.dumps(message.raw, sort_keys=True, separators=(",", ":"))
    return None


class Recovery:
    """The state of ``recover=True`` for one client: the last line's time and recent ids."""

    def __init__(self, max_ids: int = RECENT_IDS) -> None:
        self.max_ids = max_ids
        self.last_line_at: float | None = None
        self._order: collections.deque[Any] = collections.deque()
        self._seen: set[Any] = set()

    def backfill(self, now: float) -> int | None:
        """``backfill_minutes`` for a connection opened at ``now``; None before any line."""
        if self.last_line_at is None:
            return None
        return backfill_minutes(now - self.last_line_at)

    def is_duplicate(self, message: Message) -> bool:
        """True if this Tweet (same id) or compliance event (same content) was already
        delivered; else remember it."""
        key = _key(message)
        if key is None:
            return False
        if key in self._seen:
            return True
        self._seen.add(key)
        self._order.append(key)
        if len(self._order) > self.max_ids:
            self._seen.discard(self._order.popleft())
        return False
