"""What a reconnect strategy reads: `ReconnectState`, one per failed connection attempt."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

__all__ = ["Cause", "ReconnectState"]


class Cause(str, enum.Enum):
    """Why a connection attempt failed; Twitter prescribes one backoff per cause."""

    NETWORK = "network"
    """TCP/TLS error, refused connection, broken chunk, or a 200 that ended before a line."""
    HTTP = "http"
    """An HTTP status worth retrying (5xx, a first 401, other non-fatal statuses)."""
    RATE_LIMIT = "rate_limit"
    """HTTP 420 (v1.1) or 429 (v2), or a v2 ``TooManyConnections`` error line."""


@dataclass(frozen=True, slots=True)
class ReconnectState:
    """Everything a wait or stop strategy may look at, for one failed attempt.

    The wait and stop strategies read only tenacity's two names, ``attempt_number`` and
    ``seconds_since_start``; `wait_by_cause` hands each cause's strategy the state with
    ``attempt_number`` counting that cause only.

    Attributes
    ----------
    cause : Cause
        Why this attempt failed.
    attempt_number : int
        Consecutive failed attempts, of any cause, since the last healthy connection
        (1 after the first failure).
    cause_attempt : int
        Consecutive failures of this cause since the last healthy connection.
    seconds_since_start : float
        Seconds since the last healthy connection ended (or since the client started).
    status_code : int or None
        The HTTP status, for ``Cause.HTTP`` and ``Cause.RATE_LIMIT`` answers.
    error : BaseException or None
        The exception, for ``Cause.NETWORK``.

    Examples
    --------
    >>> from twitter_stream_client.testing import make_state
    >>> make_state("http", 2, status_code=503).describe()
    'http error #2 (HTTP 503)'
    """

    cause: Cause
    attempt_number: int
    cause_attempt: int
    seconds_since_start: float = 0.0
    status_code: int | None = None
    error: BaseException | None = dataclasses.field(default=None, compare=False)

    def describe(self) -> str:
        """One line for logs: cause, attempt and status or error type (never a body)."""
        if self.status_code is not None:
            detail = f"HTTP {self.status_code}"
        elif self.error is not None:
            detail = type(self.error).__name__
        else:
            detail = "no detail"
        return f"{self.cause.value} error #{self.cause_attempt} ({detail})"

    def for_cause(self) -> ReconnectState:
        """This state with ``attempt_number`` counting only failures of its cause."""
        return dataclasses.replace(self, attempt_number=self.cause_attempt)
