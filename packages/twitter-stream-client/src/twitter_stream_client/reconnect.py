"""What a reconnect policy sees and holds: :class:`ReconnectState` and :class:`ReconnectPolicy`.

The client builds one state per failed connection attempt; wait and stop strategies
are pure functions of it (like tenacity's ``RetryCallState``), so they are tested by
building states with :func:`make_state` and never sleep.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from twitter_stream_client.stop import StopStrategy, stop_never
from twitter_stream_client.wait import (
    WaitStrategy,
    wait_by_cause,
    wait_exponential,
    wait_linear,
)

__all__ = [
    "RATE_LIMIT_CAP",
    "TWITTER_WAIT",
    "Cause",
    "ReconnectPolicy",
    "ReconnectState",
    "make_state",
]


class Cause(str, enum.Enum):
    """Why a connection attempt failed; Twitter prescribes one backoff per cause."""

    NETWORK = "network"
    """TCP/TLS error, refused connection, broken chunk, stall, or 200 without a line."""
    HTTP = "http"
    """An HTTP status worth retrying (5xx, a first 401, other non-fatal statuses)."""
    RATE_LIMIT = "rate_limit"
    """HTTP 420 (v1.1) or 429 (v2), or a v2 ``TooManyConnections`` error line."""


@dataclass(frozen=True)
class ReconnectState:
    """Everything a wait or stop strategy may look at, for one failed attempt.

    Attributes
    ----------
    cause : Cause
        Why this attempt failed.
    attempt : int
        Consecutive failures of this cause since the last healthy connection (1-based).
    failures : int
        Consecutive failures of any cause since the last healthy connection.
    seconds_since_healthy : float
        Time since the last healthy connection ended (or since the client started).
    status_code : int or None
        The HTTP status, for ``Cause.HTTP`` and ``Cause.RATE_LIMIT``.
    error : BaseException or None
        The exception, for ``Cause.NETWORK``.
    """

    cause: Cause
    attempt: int
    failures: int
    seconds_since_healthy: float = 0.0
    status_code: int | None = None
    error: BaseException | None = field(default=None, compare=False)

    def describe(self) -> str:
        """One line for logs: cause, attempt and status or error type (never a body)."""
        detail = (
            f"HTTP {self.status_code}"
            if self.status_code is not None
            else type(self.error).__name__
            if self.error is not None
            else "no detail"
        )
        return f"{self.cause.value} error #{self.attempt} ({detail})"


def make_state(
    cause: Cause | str = Cause.NETWORK,
    attempt: int = 1,
    *,
    failures: int | None = None,
    seconds_since_healthy: float = 0.0,
    status_code: int | None = None,
    error: BaseException | None = None,
) -> ReconnectState:
    """Build a :class:`ReconnectState` for testing a strategy.

    Examples
    --------
    >>> TWITTER_WAIT(make_state("http", 3))
    20.0
    """
    return ReconnectState(
        cause=Cause(cause),
        attempt=attempt,
        failures=attempt if failures is None else failures,
        seconds_since_healthy=seconds_since_healthy,
        status_code=status_code,
        error=error,
    )


RATE_LIMIT_CAP = 900.0
"""Cap of the 420/429 backoff in seconds. Twitter states none; 15 minutes is the v2
rate-limit window, after which the connection-attempt count has started over."""

TWITTER_WAIT: WaitStrategy = wait_by_cause(
    network=wait_linear(0.25, maximum=16.0),
    http=wait_exponential(5.0, maximum=320.0),
    rate_limit=wait_exponential(60.0, maximum=RATE_LIMIT_CAP),
)
"""Twitter's documented backoff: network +0.25 s to 16 s, HTTP 5 s doubling to 320 s,
420/429 60 s doubling (capped at :data:`RATE_LIMIT_CAP`)."""


@dataclass(frozen=True)
class ReconnectPolicy:
    """How long to wait before each reconnect, and when to give up.

    Parameters
    ----------
    wait : callable, default=TWITTER_WAIT
        ``wait(state) -> seconds``; compose built-ins with ``+``.
    stop : callable, default=stop_never
        ``stop(state) -> bool``; True raises :class:`RetriesExhausted`. Compose with
        ``|`` and ``&``.

    Examples
    --------
    >>> from twitter_stream_client import stop_after_attempt
    >>> policy = ReconnectPolicy(stop=stop_after_attempt(10))
    >>> policy.wait(make_state("rate_limit", 2))
    120.0
    """

    wait: WaitStrategy | Callable[[ReconnectState], float] = TWITTER_WAIT
    stop: StopStrategy | Callable[[ReconnectState], bool] = stop_never
