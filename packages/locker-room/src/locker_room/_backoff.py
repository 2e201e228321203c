"""How long a waiter sleeps between acquire attempts: capped exponential backoff, full jitter."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["FIRST_RETRY", "GROWTH", "MAX_RETRY", "backoff"]

FIRST_RETRY = 0.01
MAX_RETRY = 1.0
# Doubling would leave a waiter that has waited W seconds sleeping up to ~2 W between
# tries; growing by half keeps that near W, so a release is noticed sooner, at the cost
# of more tries (each a single failed upsert) in the first seconds of a wait.
GROWTH = 1.5


def backoff(
    first: float = FIRST_RETRY,
    cap: float = MAX_RETRY,
    *,
    uniform: Callable[[], float] = random.random,
) -> Iterator[float]:
    """Yield delays ``uniform(0, min(cap, first * GROWTH**n))`` for n = 0, 1, 2, ...

    Full jitter spreads waiters that started together (a crowd released by one hand-off)
    so they do not hit the server in step; the first retry comes within ``first`` seconds.

    Examples
    --------
    >>> delays = backoff(0.01, 1.0, uniform=lambda: 1.0)
    >>> [round(next(delays), 3) for _ in range(14)]
    [0.01, 0.015, 0.022, 0.034, 0.051, 0.076, 0.114, 0.171, 0.256, 0.384, 0.577, 0.865, 1.0, 1.0]
    """
    envelope = first
    while True:
        yield uniform() * envelope
        envelope = min(cap, envelope * GROWTH)
