"""Wait strategies: ``wait(state) -> seconds`` before the next connection attempt.

Each is a tiny callable of a :class:`~twitter_stream_client.ReconnectState`; add two
with ``+`` (for example a backoff plus jitter). Plain functions work wherever a
strategy is accepted.
"""

from __future__ import annotations

import abc
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twitter_stream_client.reconnect import ReconnectState

__all__ = [
    "WaitStrategy",
    "wait_by_cause",
    "wait_exponential",
    "wait_linear",
    "wait_random",
]

WaitFunction = Callable[["ReconnectState"], float]


class WaitStrategy(abc.ABC):
    """Base of the wait strategies; ``a + b`` waits the sum of both."""

    @abc.abstractmethod
    def __call__(self, state: ReconnectState) -> float:
        """Seconds to wait before the next attempt."""

    def __add__(self, other: WaitStrategy | WaitFunction) -> WaitStrategy:
        return _wait_sum(self, other)

    def __radd__(self, other: WaitStrategy | WaitFunction) -> WaitStrategy:
        return _wait_sum(other, self)


class _wait_sum(WaitStrategy):
    def __init__(self, *parts: WaitStrategy | WaitFunction) -> None:
        self.parts = parts

    def __call__(self, state: ReconnectState) -> float:
        return float(sum(part(state) for part in self.parts))


def _check_non_negative(name: str, value: float) -> None:
    if not value >= 0:
        raise ValueError(f"`{name}` must be a non-negative number of seconds, got {value!r}")


class wait_linear(WaitStrategy):
    """``step * attempt`` seconds, at most ``maximum``: Twitter's rule for network errors.

    Examples
    --------
    >>> from twitter_stream_client import make_state
    >>> [wait_linear(0.25, maximum=16.0)(make_state("network", n)) for n in (1, 2, 64, 65)]
    [0.25, 0.5, 16.0, 16.0]
    """

    def __init__(self, step: float, *, maximum: float) -> None:
        _check_non_negative("step", step)
        _check_non_negative("maximum", maximum)
        self.step = step
        self.maximum = maximum

    def __call__(self, state: ReconnectState) -> float:
        return float(min(self.step * state.attempt, self.maximum))


class wait_exponential(WaitStrategy):
    """``initial * multiplier ** (attempt - 1)`` seconds, at most ``maximum``.

    Twitter's rule for HTTP errors (5 s doubling to 320 s) and for 420/429 (60 s
    doubling). Add :class:`wait_random` when many clients share one server.

    Examples
    --------
    >>> from twitter_stream_client import make_state
    >>> [wait_exponential(5.0, maximum=320.0)(make_state("http", n)) for n in (1, 2, 3, 7, 8)]
    [5.0, 10.0, 20.0, 320.0, 320.0]
    """

    def __init__(self, initial: float, *, maximum: float, multiplier: float = 2.0) -> None:
        _check_non_negative("initial", initial)
        _check_non_negative("maximum", maximum)
        if not multiplier >= 1:
            raise ValueError(f"`multiplier` must be at least 1, got {multiplier!r}")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier

    def __call__(self, state: ReconnectState) -> float:
        exponent = max(state.attempt - 1, 0)
        try:
            delay = self.initial * self.multiplier**exponent
        except OverflowError:
            return float(self.maximum)
        return float(min(delay, self.maximum))


class wait_random(WaitStrategy):
    """A uniform random wait in ``[minimum, maximum]``: jitter to add to a backoff.

    Examples
    --------
    >>> from twitter_stream_client import make_state
    >>> 0.0 <= wait_random(0.0, 1.0)(make_state()) <= 1.0
    True
    """

    def __init__(self, minimum: float, maximum: float) -> None:
        _check_non_negative("minimum", minimum)
        if not maximum >= minimum:
            raise ValueError(f"`maximum` must be at least `minimum`, got {maximum!r}")
        self.minimum = minimum
        self.maximum = maximum

    def __call__(self, state: ReconnectState) -> float:
        return random.uniform(self.minimum, self.maximum)


class wait_by_cause(WaitStrategy):
    """Pick the strategy for the state's cause: network, HTTP or rate limit.

    Examples
    --------
    >>> from twitter_stream_client import make_state
    >>> wait = wait_by_cause(network=lambda s: 1.0, http=lambda s: 2.0, rate_limit=lambda s: 3.0)
    >>> wait(make_state("rate_limit"))
    3.0
    """

    def __init__(
        self,
        *,
        network: WaitStrategy | WaitFunction,
        http: WaitStrategy | WaitFunction,
        rate_limit: WaitStrategy | WaitFunction,
    ) -> None:
        self.strategies = {"network": network, "http": http, "rate_limit": rate_limit}

    def __call__(self, state: ReconnectState) -> float:
        return float(self.strategies[state.cause.value](state))
