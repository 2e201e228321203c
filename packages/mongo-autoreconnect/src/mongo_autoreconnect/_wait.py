"""Wait strategies: how long to sleep before the next attempt.

A wait strategy is any callable ``(RetryState) -> float``; the classes here add ``+``
(sum of two waits), as in tenacity.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable

from ._state import RetryState

__all__ = ["WaitStrategy", "wait_base", "wait_exponential", "wait_fixed", "wait_full_jitter"]

WaitStrategy = Callable[[RetryState], float]


class wait_base:
    """Base of the built-in waits: ``a + b`` waits for the sum of both."""

    # Lower-case class names read as phrases at the call site, as in tenacity.

    def __call__(self, state: RetryState) -> float:
        raise NotImplementedError

    def __add__(self, other: WaitStrategy) -> wait_base:
        return _wait_sum(self, other)

    def __radd__(self, other: WaitStrategy) -> wait_base:
        return _wait_sum(other, self)


class _wait_sum(wait_base):
    def __init__(self, *waits: WaitStrategy) -> None:
        self.waits = waits

    def __call__(self, state: RetryState) -> float:
        return sum(wait(state) for wait in self.waits)


class wait_fixed(wait_base):
    """Always the same pause; add it to a jittered wait for a floor.

    Examples
    --------
    >>> from mongo_autoreconnect import OperationKind, RetryState, wait_fixed
    >>> wait_fixed(0.5)(RetryState("op", OperationKind.READ, False, 0, 0))
    0.5
    """

    def __init__(self, seconds: float) -> None:
        if not seconds >= 0:
            raise ValueError(f"`seconds` must be >= 0, got {seconds!r}")
        self.seconds = float(seconds)

    def __call__(self, state: RetryState) -> float:
        return self.seconds


class wait_exponential(wait_base):
    """Capped exponential backoff: ``min(maximum, initial * multiplier ** (attempt - 1))``.

    Deterministic; wrap it in :class:`wait_full_jitter` when many clients retry at once (an
    election makes every client fail at the same moment).

    Examples
    --------
    >>> from mongo_autoreconnect import OperationKind, RetryState, wait_exponential
    >>> wait = wait_exponential(initial=0.1, maximum=5.0, multiplier=2.0)
    >>> [wait(RetryState("op", OperationKind.READ, False, 0, 0, attempt=n)) for n in (1, 2, 3)]
    [0.1, 0.2, 0.4]
    """

    def __init__(
        self, initial: float = 0.1, maximum: float = 5.0, multiplier: float = 2.0
    ) -> None:
        if not initial >= 0:
            raise ValueError(f"`initial` must be >= 0, got {initial!r}")
        if not maximum >= initial:
            raise ValueError(f"`maximum` must be >= `initial` ({initial!r}), got {maximum!r}")
        if not multiplier >= 1:
            raise ValueError(f"`multiplier` must be >= 1, got {multiplier!r}")
        self.initial = float(initial)
        self.maximum = float(maximum)
        self.multiplier = float(multiplier)

    def __call__(self, state: RetryState) -> float:
        try:
            grown = self.initial * self.multiplier ** max(state.attempt - 1, 0)
        except OverflowError:
            return self.maximum
        return min(self.maximum, grown)


class wait_full_jitter(wait_base):
    """A uniformly random pause between 0 and what ``inner`` would wait ("full jitter").

    Spreads the retries of many clients so the new primary is not hit by all of them at once.

    Parameters
    ----------
    inner : callable
        The wait that bounds the pause, usually :class:`wait_exponential`.
    random : callable, default=random.random
        Source of uniform numbers in [0, 1); inject a fixed one in tests.

    Examples
    --------
    >>> from mongo_autoreconnect import OperationKind, RetryState
    >>> from mongo_autoreconnect import wait_exponential, wait_full_jitter
    >>> wait = wait_full_jitter(wait_exponential(1.0, 8.0), random=lambda: 0.5)
    >>> wait(RetryState("op", OperationKind.READ, False, 0, 0, attempt=3))
    2.0
    """

    def __init__(self, inner: WaitStrategy, random: Callable[[], float] = _random.random) -> None:
        self.inner = inner
        self.random = random

    def __call__(self, state: RetryState) -> float:
        return self.inner(state) * self.random()
