"""The reconnect policy: how long to wait before each new attempt, and when to give up.

The strategies themselves are the shared tenacity vocabulary of `_strategies`
(``wait_exponential(multiplier=5, max=320)`` waits 5, 10, 20, ... seconds). This module
adds the one Twitter-specific piece, `wait_by_cause`, and `TWITTER_WAIT`, the backoff
Twitter documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from twitter_stream_client._state import Cause, ReconnectState
from twitter_stream_client._strategies import (
    stop_never,
    wait_base,
    wait_exponential,
    wait_incrementing,
)

__all__ = [
    "RATE_LIMIT_CAP",
    "TWITTER_WAIT",
    "ReconnectPolicy",
    "StopStrategy",
    "WaitStrategy",
    "wait_by_cause",
]

WaitStrategy = Callable[[ReconnectState], float]
"""A wait: ``(ReconnectState) -> seconds``, a ``wait_*`` strategy or a plain function."""

StopStrategy = Callable[[ReconnectState], bool]
"""A stop: ``(ReconnectState) -> give up?``, a ``stop_*`` strategy or a plain function."""


class wait_by_cause(wait_base):
    """Pick the wait for the state's cause: network, HTTP or rate limit.

    Each strategy sees the state with ``attempt_number`` counting only failures of its
    own cause, so a 503 after three network errors still waits the first HTTP pause.

    Examples
    --------
    >>> from twitter_stream_client import wait_fixed
    >>> from twitter_stream_client.testing import make_state
    >>> wait = wait_by_cause(network=wait_fixed(1), http=wait_fixed(2), rate_limit=wait_fixed(3))
    >>> wait(make_state("rate_limit"))
    3.0
    """

    def __init__(
        self,
        *,
        network: WaitStrategy | wait_base,
        http: WaitStrategy | wait_base,
        rate_limit: WaitStrategy | wait_base,
    ) -> None:
        for name, strategy in (("network", network), ("http", http), ("rate_limit", rate_limit)):
            if not callable(strategy):
                raise TypeError(f"`{name}` must be a wait strategy or a function of the state")
        self.strategies: dict[Cause, WaitStrategy | wait_base] = {
            Cause.NETWORK: network,
            Cause.HTTP: http,
            Cause.RATE_LIMIT: rate_limit,
        }

    def __call__(self, state: ReconnectState) -> float:  # type: ignore[override]
        return float(self.strategies[state.cause](state.for_cause()))


RATE_LIMIT_CAP = 900.0
"""Cap of the 420/429 backoff in seconds. Twitter states none; 15 minutes is the v2
rate-limit window, after which the connection-attempt count has started over."""

TWITTER_WAIT = wait_by_cause(
    network=wait_incrementing(start=0.25, increment=0.25, max=16.0),
    http=wait_exponential(multiplier=5.0, max=320.0),
    rate_limit=wait_exponential(multiplier=60.0, max=RATE_LIMIT_CAP),
)
"""Twitter's documented backoff: network +0.25 s to 16 s, HTTP 5 s doubling to 320 s,
420/429 60 s doubling (capped at `RATE_LIMIT_CAP`)."""


@dataclass(frozen=True)
class ReconnectPolicy:
    """How long to wait before each reconnect, and when to give up.

    Parameters
    ----------
    wait : callable, default=TWITTER_WAIT
        ``wait(state) -> seconds``; compose the ``wait_*`` strategies with ``+``.
    stop : callable, default=stop_never
        ``stop(state) -> bool``; True raises `RetriesExhausted`. Compose with ``|`` and
        ``&``. Every failed attempt counts, network errors included.

    Examples
    --------
    >>> from twitter_stream_client import stop_after_attempt
    >>> from twitter_stream_client.testing import make_state
    >>> policy = ReconnectPolicy(stop=stop_after_attempt(10))
    >>> policy.wait(make_state("rate_limit", 2))
    120.0
    """

    wait: WaitStrategy | wait_base = TWITTER_WAIT
    stop: StopStrategy | Callable[[ReconnectState], bool] = stop_never

    def __post_init__(self) -> None:
        if not callable(self.wait):
            raise TypeError(f"`wait` must be a wait strategy or a function, got {self.wait!r}")
        if not callable(self.stop):
            raise TypeError(f"`stop` must be a stop strategy or a function, got {self.stop!r}")
