"""How each connection attempt ended, and what follows: the reconnect rules in one table.

Pure: no sockets, no sleeping. Both clients report every attempt's `Outcome` to an
`AttemptTracker`, which answers with a `Decision` (reconnect at once, or wait this many
seconds) or raises the error that ends the stream. Tested without a server.

The rule, in one place: when a *healthy* connection ends (it answered 200 and delivered
at least one complete line, keep-alives included), the client reconnects at once and
every backoff starts over. A failed attempt waits ``policy.wait(state)`` first.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from twitter_stream_client._disconnects import Action
from twitter_stream_client._errors import (
    AuthenticationError,
    FatalResponseError,
    RetriesExhausted,
)
from twitter_stream_client._policy import ReconnectPolicy
from twitter_stream_client._state import Cause, ReconnectState

__all__ = [
    "OUTCOME_RULES",
    "AttemptTracker",
    "Decision",
    "Failed",
    "Outcome",
    "Refused",
    "Rule",
    "StreamEnded",
]


class Rule(enum.Enum):
    """What an outcome leads to."""

    AT_ONCE = "reconnect at once, every backoff starts over"
    NETWORK = "network backoff"
    HTTP = "HTTP backoff"
    HTTP_ONCE = "HTTP backoff the first time before any 200; AuthenticationError the second"
    RATE_LIMIT = "rate-limit backoff"
    FATAL = "raise: retrying cannot help"


@dataclass(frozen=True)
class Failed:
    """The request failed before any HTTP answer (refused, DNS, TLS, reset, timeout)."""

    error: BaseException


@dataclass(frozen=True)
class Refused:
    """The endpoint answered with a status other than 200."""

    status_code: int
    body: str = ""


@dataclass(frozen=True)
class StreamEnded:
    """A 200 stream ended.

    ``reason`` is ``closed`` (end of body), ``stall``, ``network`` or ``disconnect`` (a
    disconnect message or v2 error line, whose ``action`` is then ``reconnect``, ``stop``
    or ``rate_limit``); ``healthy`` says whether a complete line had arrived.
    """

    reason: str
    healthy: bool
    error: BaseException | None = None
    action: Action = "reconnect"


Outcome = Failed | Refused | StreamEnded

OUTCOME_RULES: dict[str, Rule] = {
    "healthy stream ended": Rule.AT_ONCE,  # EOF, reset, stall, reconnect-type disconnect
    "stream ended before its first line": Rule.NETWORK,
    "network error": Rule.NETWORK,
    "HTTP 420": Rule.RATE_LIMIT,
    "HTTP 429": Rule.RATE_LIMIT,
    "TooManyConnections line": Rule.RATE_LIMIT,
    "HTTP 401": Rule.HTTP_ONCE,
    "other HTTP 4xx": Rule.FATAL,
    "other HTTP status": Rule.HTTP,
    "stop-type disconnect": Rule.FATAL,
}
"""Every outcome, named as `outcome_key` names it, and its rule."""

_CAUSES = {Rule.NETWORK: Cause.NETWORK, Rule.HTTP: Cause.HTTP, Rule.HTTP_ONCE: Cause.HTTP}
_CAUSES[Rule.RATE_LIMIT] = Cause.RATE_LIMIT


def outcome_key(outcome: Outcome) -> str:
    """The row of `OUTCOME_RULES` that an outcome falls under."""
    if isinstance(outcome, Failed):
        return "network error"
    if isinstance(outcome, Refused):
        status = outcome.status_code
        if status in (420, 429, 401):
            return f"HTTP {status}"
        return "other HTTP 4xx" if 400 <= status < 500 else "other HTTP status"
    if outcome.action == "stop":
        return "stop-type disconnect"
    if outcome.action == "rate_limit":
        return "TooManyConnections line"
    return "healthy stream ended" if outcome.healthy else "stream ended before its first line"


@dataclass(frozen=True)
class Decision:
    """Reconnect after ``delay`` seconds (0 at once); ``state`` is None after a healthy end.

    ``label`` is the stats counter the reconnect counts under (``closed``, ``stall``,
    ``disconnect``, ``network``, ``http``, ``rate_limit``); ``describe()`` says why and
    how long, for logs and the CLI.
    """

    delay: float
    label: str
    state: ReconnectState | None = None

    def describe(self) -> str:
        """One line: the wait and the cause."""
        if self.state is None:
            return f"reconnecting at once: the stream ended ({self.label})"
        return f"reconnecting in {self.delay:.2f} s: {self.state.describe()}"


class AttemptTracker:
    """Count failures since the last healthy connection and decide each next attempt.

    Parameters
    ----------
    policy : ReconnectPolicy
        The waits and the stop rule.
    clock : callable
        Monotonic seconds (for ``seconds_since_start``).

    Examples
    --------
    >>> tracker = AttemptTracker(ReconnectPolicy(), clock=lambda: 0.0)
    >>> [tracker.decide(Refused(503)).delay for _ in range(3)]
    [5.0, 10.0, 20.0]
    >>> tracker.decide(StreamEnded("closed", healthy=True)).delay
    0.0
    """

    def __init__(self, policy: ReconnectPolicy, clock: Callable[[], float]) -> None:
        self.policy = policy
        self.clock = clock
        self.attempts: Counter[Cause] = Counter()
        self.failures = 0
        self.unauthorized = 0
        self.healthy_at = clock()

    def connected(self) -> None:
        """An attempt answered 200: a later 401 is again a first one."""
        self.unauthorized = 0

    def decide(self, outcome: Outcome) -> Decision:
        """The wait before the next attempt, or raise what ends the stream.

        Raises
        ------
        FatalResponseError, AuthenticationError, StreamDisconnected
            When the outcome's rule is fatal.
        RetriesExhausted
            When the policy's stop strategy gives up.
        """
        rule = OUTCOME_RULES[outcome_key(outcome)]
        if rule is Rule.AT_ONCE:
            assert isinstance(outcome, StreamEnded)
            self.attempts.clear()
            self.failures = 0
            self.healthy_at = self.clock()
            return Decision(0.0, outcome.reason)
        if rule is Rule.FATAL:
            if isinstance(outcome, Refused):
                raise FatalResponseError(outcome.status_code, outcome.body)
            assert isinstance(outcome, StreamEnded)
            assert outcome.error is not None
            raise outcome.error
        if rule is Rule.HTTP_ONCE:
            assert isinstance(outcome, Refused)
            self.unauthorized += 1
            if self.unauthorized >= 2:
                raise AuthenticationError(outcome.status_code, outcome.body)
        cause = _CAUSES[rule]
        self.attempts[cause] += 1
        self.failures += 1
        state = ReconnectState(
            cause=cause,
            attempt_number=self.failures,
            cause_attempt=self.attempts[cause],
            seconds_since_start=self.clock() - self.healthy_at,
            status_code=outcome.status_code if isinstance(outcome, Refused) else None,
            error=outcome.error if not isinstance(outcome, Refused) else None,
        )
        if self.policy.stop(state):
            raise RetriesExhausted(state)
        return Decision(float(self.policy.wait(state)), cause.value, state)
