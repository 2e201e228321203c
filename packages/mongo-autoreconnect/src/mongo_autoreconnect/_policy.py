"""The retry policy: capped exponential backoff with full jitter inside one deadline per call."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field, replace
from typing import Any, Literal

from pymongo.read_preferences import ReadPreference

from ._compat import ServerMode
from ._retry import RetryCondition, retry_if_safe
from ._state import RetryState
from ._strategies import stop_after_delay, wait_exponential, wait_random_exponential

__all__ = ["RetryPolicy", "StopStrategy", "WaitStrategy"]

WaitStrategy = Callable[[RetryState], float]
"""A wait: ``(RetryState) -> seconds``, a ``wait_*`` strategy or a plain function."""

StopStrategy = Callable[[RetryState], bool]
"""A stop: ``(RetryState) -> give up?``, a ``stop_*`` strategy or a plain function."""


async def _asyncio_sleep(seconds: float) -> None:
    """``asyncio.sleep``, imported on first use (``import mongo_autoreconnect`` stays light)."""
    import asyncio

    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How a proxy retries: one deadline per call, backoff between attempts, what is safe.

    Within ``deadline`` seconds of a call's start the proxy keeps retrying failures that
    ``retry`` accepts (by default: reads, writes the server refused, idempotent calls),
    sleeping ``wait`` between attempts. Each attempt runs inside
    ``pymongo.timeout(remaining)``, so pymongo itself retries single-statement writes with
    the same transaction number (the server de-duplicates) and stops selecting servers at the
    deadline. Past the deadline the last error is raised unchanged.

    Parameters
    ----------
    deadline : float, default=60.0
        Seconds one call may take, retries included (elections usually take seconds; a
        minute covers slow ones). It also bounds each attempt (pymongo's CSOT), so make it
        longer than your slowest operation.
    initial, maximum, exp_base : float, default=0.1, 5.0, 2.0
        Backoff: ``min(maximum, initial * exp_base ** (attempt - 1))``, that is
        ``wait_exponential(multiplier=initial, max=maximum, exp_base=exp_base)``. Every
        option after ``deadline`` is keyword-only.
    jitter : bool, default=True
        Sleep a uniformly random fraction of the backoff ("full jitter",
        `wait_random_exponential`) so clients that failed together do not retry together.
    read_fallback : pymongo read preference or None, default=None
        For reads while no primary is known: serve them with this read preference (e.g.
        ``ReadPreference.PRIMARY_PREFERRED``, stale-but-available data from a secondary)
        instead of waiting. Reported to the log and ``on_retry``.
    retry_writes : {"safe", "always"}, default="safe"
        ``"always"`` treats every write as idempotent: ambiguous failures of ``update_many``
        and friends are retried instead of raising ``AmbiguousWriteError``.
    wait, stop, retry : callable or None, default=None
        Override the strategies built from the knobs above (any ``(RetryState) -> float`` /
        ``-> bool`` callable, or the ``wait_*`` / ``stop_*`` / ``retry_if_*`` classes
        composed with ``+ | &``). ``deadline`` still bounds each attempt.
    sleep, async_sleep, clock : callable
        Injected time: ``time.sleep``, ``asyncio.sleep`` and ``time.monotonic`` by default
        (``clock`` also paces the retry warnings).

    Raises
    ------
    ValueError
        A knob is out of range (the message names it).
    TypeError
        ``read_fallback`` is not a pymongo read preference.

    Examples
    --------
    >>> from pymongo import ReadPreference
    >>> from mongo_autoreconnect import RetryPolicy
    >>> policy = RetryPolicy(deadline=30.0, read_fallback=ReadPreference.PRIMARY_PREFERRED)
    >>> policy.with_changes(deadline=5.0).deadline
    5.0
    """

    deadline: float = 60.0
    _: KW_ONLY
    initial: float = 0.1
    maximum: float = 5.0
    exp_base: float = 2.0
    jitter: bool = True
    read_fallback: ServerMode | None = None
    retry_writes: Literal["safe", "always"] = "safe"
    wait: WaitStrategy | None = None
    stop: StopStrategy | None = None
    retry: RetryCondition | None = None
    sleep: Callable[[float], Any] = field(default=time.sleep, repr=False)
    async_sleep: Callable[[float], Awaitable[Any]] = field(default=_asyncio_sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _wait: WaitStrategy = field(init=False, repr=False, compare=False)
    _stop: StopStrategy = field(init=False, repr=False, compare=False)
    _retry: RetryCondition = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.deadline, bool) or not (
            isinstance(self.deadline, (int, float)) and 0 < self.deadline < math.inf
        ):
            raise ValueError(
                f"`deadline` must be a finite number of seconds > 0, got {self.deadline!r}"
            )
        if self.retry_writes not in ("safe", "always"):
            raise ValueError(
                f'`retry_writes` must be "safe" or "always", got {self.retry_writes!r}'
            )
        if self.read_fallback is not None:
            if not isinstance(self.read_fallback, ServerMode):
                raise TypeError(
                    "`read_fallback` must be a pymongo read preference such as "
                    f"ReadPreference.PRIMARY_PREFERRED, got {self.read_fallback!r}"
                )
            if self.read_fallback == ReadPreference.PRIMARY:
                raise ValueError("`read_fallback` must allow secondaries; PRIMARY is no fallback")
        # Build (and so validate) the backoff even when `wait` overrides it.
        for name in ("initial", "maximum", "exp_base"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"`{name}` must be a number, got {value!r}")
        if not self.initial >= 0:
            raise ValueError(f"`initial` must be >= 0, got {self.initial!r}")
        if not self.maximum >= self.initial:
            raise ValueError(
                f"`maximum` must be >= `initial` ({self.initial!r}), got {self.maximum!r}"
            )
        if not self.exp_base >= 1:
            raise ValueError(f"`exp_base` must be >= 1, got {self.exp_base!r}")
        backoff = (wait_random_exponential if self.jitter else wait_exponential)(
            multiplier=self.initial, max=self.maximum, exp_base=self.exp_base
        )
        strategies = {
            "_wait": self.wait or backoff,
            "_stop": self.stop or stop_after_delay(self.deadline),
            "_retry": self.retry or retry_if_safe,
        }
        for name, strategy in strategies.items():
            object.__setattr__(self, name, strategy)

    def with_changes(self, **changes: Any) -> RetryPolicy:
        """A copy with some knobs changed (like tenacity's ``retry_with``)."""
        return replace(self, **changes)

    def should_retry(self, state: RetryState) -> bool:
        """Whether ``state.error`` may be retried at all (ignoring the deadline)."""
        return bool(self._retry(state))

    def should_stop(self, state: RetryState) -> bool:
        """Whether to give up now and raise the last error."""
        return bool(self._stop(state))

    def next_wait(self, state: RetryState) -> float:
        """Seconds to sleep before the next attempt, never past the deadline."""
        remaining = self.deadline - state.elapsed
        return max(0.0, min(float(self._wait(state)), remaining))
