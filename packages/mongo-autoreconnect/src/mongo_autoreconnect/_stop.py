"""Stop strategies: when to give up and raise the last error.

A stop strategy is any callable ``(RetryState) -> bool``; the classes here compose with
``|`` (stop when either says so) and ``&`` (stop when both do), as in tenacity.
"""

from __future__ import annotations

from collections.abc import Callable

from ._state import RetryState

__all__ = ["StopStrategy", "stop_after_attempt", "stop_after_delay", "stop_base"]

StopStrategy = Callable[[RetryState], bool]


class stop_base:
    """Base of the built-in stops: ``a | b`` stops when either does, ``a & b`` when both do."""

    # Lower-case class names read as phrases at the call site, as in tenacity.

    def __call__(self, state: RetryState) -> bool:
        raise NotImplementedError

    def __or__(self, other: StopStrategy) -> stop_base:
        return _stop_any(self, other)

    def __and__(self, other: StopStrategy) -> stop_base:
        return _stop_all(self, other)


class _stop_any(stop_base):
    def __init__(self, *stops: StopStrategy) -> None:
        self.stops = stops

    def __call__(self, state: RetryState) -> bool:
        return any(stop(state) for stop in self.stops)


class _stop_all(stop_base):
    def __init__(self, *stops: StopStrategy) -> None:
        self.stops = stops

    def __call__(self, state: RetryState) -> bool:
        return all(stop(state) for stop in self.stops)


class stop_after_delay(stop_base):
    """Stop once ``seconds`` have passed since the call started (the policy's deadline).

    Examples
    --------
    >>> from mongo_autoreconnect import OperationKind, RetryState, stop_after_delay
    >>> stop_after_delay(60)(RetryState("op", OperationKind.READ, False, start=0, now=61))
    True
    """

    def __init__(self, seconds: float) -> None:
        if not seconds > 0:
            raise ValueError(f"`seconds` must be > 0, got {seconds!r}")
        self.seconds = float(seconds)

    def __call__(self, state: RetryState) -> bool:
        return state.elapsed >= self.seconds


class stop_after_attempt(stop_base):
    """Stop after ``attempts`` attempts; combine with the deadline using ``|``.

    Examples
    --------
    >>> from mongo_autoreconnect import OperationKind, RetryState, stop_after_attempt
    >>> stop_after_attempt(3)(RetryState("op", OperationKind.READ, False, 0, 0, attempt=3))
    True
    """

    def __init__(self, attempts: int) -> None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(f"`attempts` must be an int >= 1, got {attempts!r}")
        self.attempts = attempts

    def __call__(self, state: RetryState) -> bool:
        return state.attempt >= self.attempts
