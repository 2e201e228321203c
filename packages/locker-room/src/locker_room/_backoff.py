"""How long a waiter sleeps between acquire attempts: capped exponential backoff, full jitter."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["FIRST_RETRY", "MAX_RETRY", "backoff"]

FIRST_RETRY = 0.01
MAX_RETRY = 1.0


def backoff(
    first: float = FIRST_RETRY,
    cap: float = MAX_RETRY,
    *,
    uniform: Callable[[], float] = random.random,
) -> Iterator[float]:
    """Yield delays ``uniform(0, min(cap, first * 2**n))`` for n = 0, 1, 2, ...

    Full jitter spreads waiters that started together (a crowd released by one hand-off)
    so they do not hit the server in step; the first retry comes within ``first`` seconds.

    Examples
    --------
    >>> delays = backoff(0.01, 1.0, uniform=lambda: 1.0)
    >>> [round(next(delays), 2) for _ in range(9)]
    [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.0, 1.0]
    """
    envelope = first
    while True:
        yield uniform() * envelope
        envelope = min(cap, envelope * 2)
