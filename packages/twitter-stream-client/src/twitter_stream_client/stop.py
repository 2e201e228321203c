"""Stop strategies: ``stop(state) -> bool``; True makes the client raise ``RetriesExhausted``.

Combine with ``|`` (either) and ``&`` (both). Every failure counts, network errors
included (tweepy's ``max_retries`` counts only HTTP errors).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twitter_stream_client.reconnect import ReconnectState

__all__ = ["StopStrategy", "stop_after_attempt", "stop_after_delay", "stop_never"]

StopFunction = Callable[["ReconnectState"], bool]


class StopStrategy(abc.ABC):
    """Base of the stop strategies; ``a | b`` stops when either does, ``a & b`` when both do."""

    @abc.abstractmethod
    def __call__(self, state: ReconnectState) -> bool:
        """True to give up instead of reconnecting."""

    def __or__(self, other: StopStrategy | StopFunction) -> StopStrategy:
        return _stop_any(self, other)

    def __and__(self, other: StopStrategy | StopFunction) -> StopStrategy:
        return _stop_all(self, other)


class _stop_any(StopStrategy):
    def __init__(self, *parts: StopStrategy | StopFunction) -> None:
        self.parts = parts

    def __call__(self, state: ReconnectState) -> bool:
        return any(part(state) for part in self.parts)


class _stop_all(StopStrategy):
    def __init__(self, *parts: StopStrategy | StopFunction) -> None:
        self.parts = parts

    def __call__(self, state: ReconnectState) -> bool:
        return all(part(state) for part in self.parts)


class _stop_never(StopStrategy):
    """Never give up (the default): a stream should outlive any outage."""

    def __call__(self, state: ReconnectState) -> bool:
        return False


stop_never = _stop_never()


class stop_after_attempt(StopStrategy):
    """Give up at the ``attempts``-th consecutive failed connection attempt.

    Examples
    --------
    >>> from twitter_stream_client import make_state
    >>> stop = stop_after_attempt(3)
    >>> stop(make_state("network", 2)), stop(make_state("http", 3))
    (False, True)
    """

    def __init__(self, attempts: int) -> None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(f"`attempts` must be a positive int, got {attempts!r}")
        self.attempts = attempts

    def __call__(self, state: ReconnectState) -> bool:
        return state.failures >= self.attempts


class stop_after_delay(StopStrategy):
    """Give up once ``seconds`` have passed without a healthy connection.

    Examples
    --------
    >>> from twitter_stream_client import make_state
    >>> stop_after_delay(600)(make_state(seconds_since_healthy=601.0))
    True
    """

    def __init__(self, seconds: float) -> None:
        if not seconds >= 0:
            raise ValueError(f"`seconds` must be a non-negative number, got {seconds!r}")
        self.seconds = seconds

    def __call__(self, state: ReconnectState) -> bool:
        return state.seconds_since_healthy >= self.seconds
