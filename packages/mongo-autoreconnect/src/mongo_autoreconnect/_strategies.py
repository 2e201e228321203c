"""Wait and stop strategies with tenacity's names and meanings, for any retry loop.

A strategy is a small callable of a retry state that has two attributes:
``attempt_number`` (attempts made so far: 1 after the first failure) and
``seconds_since_start``. A wait returns the seconds to sleep before the next attempt and
adds with ``+`` (``sum([wait_fixed(1), wait_fixed(2)])`` works too); a stop returns whether
to give up and combines with ``|`` (either) and ``&`` (both). Plain functions of the state
are accepted wherever a strategy is. Where a name is tenacity's, so are its parameters and
its numbers: ``wait_exponential(multiplier=0.5, max=8, exp_base=2)`` waits ``0.5, 1, 2, 4,
8, 8, ...`` seconds (``multiplier`` scales, ``exp_base`` grows). Random strategies take
``random=``, a function returning uniform floats in [0, 1), so tests can fix the draws.

This file is kept byte-identical in each package of its repository that retries
(packages never import each other); a repository test fails when the copies drift apart.
"""

from __future__ import annotations

import abc
import datetime
import math
import random as _random
import sys
from collections.abc import Callable
from typing import Any, Protocol

__all__ = [
    "StopFunction",
    "StrategyState",
    "WaitFunction",
    "stop_after_attempt",
    "stop_after_delay",
    "stop_all",
    "stop_any",
    "stop_base",
    "stop_never",
    "wait_base",
    "wait_chain",
    "wait_combine",
    "wait_exponential",
    "wait_fixed",
    "wait_incrementing",
    "wait_none",
    "wait_random",
    "wait_random_exponential",
]

# tenacity's "no maximum": large, but finite so that comparisons and sums stay floats.
_MAX_WAIT = sys.maxsize / 2


class StrategyState(Protocol):
    """What a strategy reads from a retry state, and nothing else."""

    @property
    def attempt_number(self) -> int:
        """Attempts made so far (1 after the first failure)."""

    @property
    def seconds_since_start(self) -> float:
        """Seconds from the first attempt's start to now."""


#: A plain function used as a wait: ``(state) -> seconds``.
WaitFunction = Callable[[Any], float]
#: A plain function used as a stop: ``(state) -> give up?``.
StopFunction = Callable[[Any], bool]


def _seconds(name: str, value: Any, *, minimum: float = 0.0) -> float:
    """``value`` (a number or a ``timedelta``) as float seconds >= ``minimum``."""
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"`{name}` must be a number of seconds or a timedelta, got {value!r}")
    if not (math.isfinite(value) and value >= minimum):
        raise ValueError(f"`{name}` must be a finite number >= {minimum:g}, got {value!r}")
    return float(value)


def _callable(name: str, strategy: Any) -> None:
    if not callable(strategy):
        raise TypeError(
            f"`{name}` must be a strategy or a function of the state, got {strategy!r}"
        )


# -- waits ----------------------------------------------------------------------------------
class wait_base(abc.ABC):
    """Base of the wait strategies: ``a + b`` waits for the sum of both."""

    # Lower-case class names read as phrases at the call site, as in tenacity.

    @abc.abstractmethod
    def __call__(self, state: StrategyState) -> float:
        """Seconds to sleep before the next attempt."""

    def __add__(self, other: wait_base | WaitFunction) -> wait_combine:
        if not callable(other):
            return NotImplemented
        return wait_combine(self, other)

    def __radd__(self, other: wait_base | WaitFunction | int) -> wait_base:
        # sum() starts from the int 0: adding a strategy to it is the strategy itself.
        if isinstance(other, int) and not isinstance(other, bool):
            return self if other == 0 else NotImplemented
        if not callable(other):
            return NotImplemented
        return wait_combine(other, self)


class wait_combine(wait_base):
    """The sum of several waits (what ``+`` builds).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> state = SimpleNamespace(attempt_number=3, seconds_since_start=1.0)
    >>> wait_combine(wait_fixed(1), wait_incrementing(start=0, increment=0.5))(state)
    2.0
    >>> sum([wait_fixed(1), wait_fixed(2)])(state)
    3.0
    """

    def __init__(self, *strategies: wait_base | WaitFunction) -> None:
        for strategy in strategies:
            _callable("strategies", strategy)
        self.strategies = strategies

    def __call__(self, state: StrategyState) -> float:
        return float(sum(strategy(state) for strategy in self.strategies))


class wait_chain(wait_base):
    """The first strategy after the first attempt, the second after the second, and so on.

    The last one is used for every attempt after that.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> wait = wait_chain(wait_fixed(1), wait_fixed(1), wait_fixed(5))
    >>> [wait(SimpleNamespace(attempt_number=n, seconds_since_start=0)) for n in (1, 2, 3, 9)]
    [1.0, 1.0, 5.0, 5.0]
    """

    def __init__(self, *strategies: wait_base | WaitFunction) -> None:
        if not strategies:
            raise ValueError("wait_chain() needs at least one strategy")
        for strategy in strategies:
            _callable("strategies", strategy)
        self.strategies = strategies

    def __call__(self, state: StrategyState) -> float:
        index = min(max(state.attempt_number, 1), len(self.strategies)) - 1
        return float(self.strategies[index](state))


class wait_fixed(wait_base):
    """Always the same pause.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> wait_fixed(0.5)(SimpleNamespace(attempt_number=7, seconds_since_start=3.0))
    0.5
    """

    def __init__(self, wait: float | datetime.timedelta) -> None:
        self.wait = _seconds("wait", wait)

    def __call__(self, state: StrategyState) -> float:
        return self.wait


class wait_none(wait_fixed):
    """No pause at all.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> wait_none()(SimpleNamespace(attempt_number=1, seconds_since_start=0.0))
    0.0
    """

    def __init__(self) -> None:
        super().__init__(0)


class wait_random(wait_base):
    """A uniformly random pause between ``min`` and ``max`` seconds (jitter to add).

    Parameters
    ----------
    min, max : float or timedelta, default=0, 1
        The bounds of the pause.
    random : callable, default=random.random
        Uniform floats in [0, 1); pass a seeded ``random.Random(...).random`` in tests.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> wait = wait_random(1, 3, random=lambda: 0.25)
    >>> wait(SimpleNamespace(attempt_number=1, seconds_since_start=0.0))
    1.5
    """

    def __init__(
        self,
        min: float | datetime.timedelta = 0,
        max: float | datetime.timedelta = 1,
        *,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.min = _seconds("min", min)
        self.max = _seconds("max", max)
        if not self.max >= self.min:
            raise ValueError(f"`max` must be >= `min` ({self.min!r}), got {self.max!r}")
        self.random = random

    def __call__(self, state: StrategyState) -> float:
        return self.min + self.random() * (self.max - self.min)


class wait_incrementing(wait_base):
    """``start + increment * (attempt_number - 1)`` seconds, within ``[0, max]``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> wait = wait_incrementing(start=1, increment=2, max=6)
    >>> [wait(SimpleNamespace(attempt_number=n, seconds_since_start=0)) for n in (1, 2, 3, 4)]
    [1.0, 3.0, 5.0, 6.0]
    """

    def __init__(
        self,
        start: float | datetime.timedelta = 0,
        increment: float | datetime.timedelta = 100,
        max: float | datetime.timedelta = _MAX_WAIT,
    ) -> None:
        self.start = _seconds("start", start, minimum=-math.inf)
        self.increment = _seconds("increment", increment, minimum=-math.inf)
        self.max = _seconds("max", max)

    def __call__(self, state: StrategyState) -> float:
        result = self.start + self.increment * (state.attempt_number - 1)
        return float(max(0.0, min(result, self.max)))


class wait_exponential(wait_base):
    """Exponential backoff: ``multiplier * exp_base ** (attempt_number - 1)``, within bounds.

    ``multiplier`` is the first pause and scales every pause; ``exp_base`` is the growth per
    attempt. The pauses are deterministic: when many clients fail at the same moment (an
    election does that) prefer `wait_random_exponential`, which spreads them.

    Parameters
    ----------
    multiplier : float, default=1
        The first pause, in seconds.
    max : float or timedelta, default=no limit
        The longest pause.
    exp_base : float, default=2
        The growth per attempt (at least 1).
    min : float or timedelta, default=0
        The shortest pause.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> wait = wait_exponential(multiplier=0.1, max=5.0)
    >>> [wait(SimpleNamespace(attempt_number=n, seconds_since_start=0)) for n in (1, 2, 3, 9)]
    [0.1, 0.2, 0.4, 5.0]
    """

    def __init__(
        self,
        multiplier: float = 1,
        max: float | datetime.timedelta = _MAX_WAIT,
        exp_base: float = 2,
        min: float | datetime.timedelta = 0,
    ) -> None:
        self.multiplier = _seconds("multiplier", multiplier)
        self.max = _seconds("max", max)
        self.exp_base = _seconds("exp_base", exp_base, minimum=1)
        self.min = _seconds("min", min)
        if not self.max >= self.min:
            raise ValueError(f"`max` must be >= `min` ({self.min!r}), got {self.max!r}")

    def __call__(self, state: StrategyState) -> float:
        try:
            result = self.multiplier * self.exp_base ** (state.attempt_number - 1)
        except OverflowError:
            result = self.max
        return float(max(self.min, min(result, self.max)))


class wait_random_exponential(wait_exponential):
    """A uniformly random pause between ``min`` and what `wait_exponential` would wait.

    "Full jitter": clients that failed together retry at spread-out times, so the server
    that comes back is not hit by all of them at once. Same parameters as
    `wait_exponential`, plus ``random``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> wait = wait_random_exponential(multiplier=1, max=8, random=lambda: 0.5)
    >>> [wait(SimpleNamespace(attempt_number=n, seconds_since_start=0)) for n in (1, 3, 9)]
    [0.5, 2.0, 4.0]
    """

    def __init__(
        self,
        multiplier: float = 1,
        max: float | datetime.timedelta = _MAX_WAIT,
        exp_base: float = 2,
        min: float | datetime.timedelta = 0,
        *,
        random: Callable[[], float] = _random.random,
    ) -> None:
        super().__init__(multiplier, max, exp_base, min)
        self.random = random

    def __call__(self, state: StrategyState) -> float:
        high = super().__call__(state)
        return self.min + (high - self.min) * self.random()


# -- stops ----------------------------------------------------------------------------------
class stop_base(abc.ABC):
    """Base of the stop strategies: ``a | b`` stops when either does, ``a & b`` when both do."""

    @abc.abstractmethod
    def __call__(self, state: StrategyState) -> bool:
        """Whether to give up instead of attempting again."""

    def __or__(self, other: stop_base | StopFunction) -> stop_any:
        if not callable(other):
            return NotImplemented
        return stop_any(self, other)

    def __ror__(self, other: stop_base | StopFunction) -> stop_any:
        if not callable(other):
            return NotImplemented
        return stop_any(other, self)

    def __and__(self, other: stop_base | StopFunction) -> stop_all:
        if not callable(other):
            return NotImplemented
        return stop_all(self, other)

    def __rand__(self, other: stop_base | StopFunction) -> stop_all:
        if not callable(other):
            return NotImplemented
        return stop_all(other, self)


class stop_any(stop_base):
    """Stop when any of the stops says so (what ``|`` builds).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> stop = stop_any(stop_after_attempt(5), stop_after_delay(30))
    >>> stop(SimpleNamespace(attempt_number=2, seconds_since_start=31.0))
    True
    """

    def __init__(self, *stops: stop_base | StopFunction) -> None:
        for stop in stops:
            _callable("stops", stop)
        self.stops = stops

    def __call__(self, state: StrategyState) -> bool:
        return any(stop(state) for stop in self.stops)


class stop_all(stop_base):
    """Stop only when every stop says so (what ``&`` builds).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> stop = stop_all(stop_after_attempt(5), stop_after_delay(30))
    >>> stop(SimpleNamespace(attempt_number=2, seconds_since_start=31.0))
    False
    """

    def __init__(self, *stops: stop_base | StopFunction) -> None:
        for stop in stops:
            _callable("stops", stop)
        self.stops = stops

    def __call__(self, state: StrategyState) -> bool:
        return all(stop(state) for stop in self.stops)


class _stop_never(stop_base):
    """Never give up."""

    def __call__(self, state: StrategyState) -> bool:
        return False


#: Never give up (combine with another stop, or rely on the caller's own deadline).
stop_never = _stop_never()


class stop_after_attempt(stop_base):
    """Stop once ``max_attempt_number`` attempts have been made.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> stop = stop_after_attempt(3)
    >>> [stop(SimpleNamespace(attempt_number=n, seconds_since_start=0)) for n in (2, 3)]
    [False, True]
    """

    def __init__(self, max_attempt_number: int) -> None:
        if (
            isinstance(max_attempt_number, bool)
            or not isinstance(max_attempt_number, int)
            or max_attempt_number < 1
        ):
            raise ValueError(
                f"`max_attempt_number` must be an int >= 1, got {max_attempt_number!r}"
            )
        self.max_attempt_number = max_attempt_number

    def __call__(self, state: StrategyState) -> bool:
        return state.attempt_number >= self.max_attempt_number


class stop_after_delay(stop_base):
    """Stop once ``max_delay`` seconds have passed since the first attempt started.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> stop = stop_after_delay(60)
    >>> [stop(SimpleNamespace(attempt_number=1, seconds_since_start=t)) for t in (59.9, 60)]
    [False, True]
    """

    def __init__(self, max_delay: float | datetime.timedelta) -> None:
        self.max_delay = _seconds("max_delay", max_delay)

    def __call__(self, state: StrategyState) -> bool:
        return state.seconds_since_start >= self.max_delay
