"""The retry loop's decisions, shared by the sync and async proxies and cursors.

Heard, not silent: the first retry of a call is logged at WARNING with its error and the
call's deadline; while the call keeps failing, a WARNING at most every `WARNING_INTERVAL`
seconds (by the policy's clock) says so, and every other retry goes to DEBUG.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from pymongo.errors import PyMongoError

from ._compat import csot_remaining
from ._errors import AmbiguousWriteError
from ._outcome import ambiguity
from ._policy import RetryPolicy
from ._redact import redact
from ._state import OperationKind, RetryState

__all__ = ["WARNING_INTERVAL", "OnRetry", "Retrier"]

OnRetry = Callable[[RetryState], Any]

#: Seconds between two WARNINGs about one call that keeps failing (and between two about
#: reads served by the read fallback). Also the longest single wait for a server.
WARNING_INTERVAL = 5.0

_DEFAULT_LOGGER = logging.getLogger("mongo_autoreconnect.retry")
_monotonic = time.monotonic


class Retrier:
    """A policy plus where to report retries (logger, ``on_retry``) and what to redact."""

    __slots__ = (
        "cap",
        "clock",
        "deadline",
        "fallback_warned_at",
        "first_timeout",
        "logger",
        "on_retry",
        "policy",
        "secrets",
    )

    def __init__(
        self,
        policy: RetryPolicy,
        logger: logging.Logger | None,
        on_retry: OnRetry | None,
        secrets: Iterable[str],
        cap: float | None = None,
    ) -> None:
        self.policy = policy
        self.logger = logger if logger is not None else _DEFAULT_LOGGER
        self.on_retry = on_retry
        self.secrets = tuple(secrets)
        self.deadline = policy.deadline
        self.clock = policy.clock
        # A client's own timeoutMS still bounds each attempt: the proxy's pymongo.timeout()
        # would otherwise replace it.
        self.cap = cap
        self.first_timeout = self.deadline if cap is None else min(self.deadline, cap)
        self.fallback_warned_at: float | None = None

    def start(
        self,
        operation: str,
        kind: OperationKind,
        idempotent: bool,
        start: float,
        several_commands: bool = False,
        pymongo_retries: bool = False,
    ) -> RetryState:
        """The state of a call that began at ``start`` (built only once something failed)."""
        return RetryState(
            operation,
            kind,
            idempotent or self.policy.retry_writes == "always",
            start=start,
            now=start,
            attempt=0,
            several_commands=several_commands,
            pymongo_retries=pymongo_retries,
        )

    def started(self, entered: float) -> float:
        """The policy clock's reading when a call entered its first attempt at ``entered``.

        ``entered`` is a ``time.monotonic()`` reading: the fast path reads only that clock
        (pymongo's), and asks the policy's clock only once an attempt failed. An injected
        clock is charged the real time the first attempt took.
        """
        clock = self.clock
        if clock is _monotonic:
            return entered
        return clock() - (_monotonic() - entered)

    def remaining(self, state: RetryState) -> float:
        """Seconds left before the call's deadline, or the caller's ``pymongo.timeout()``."""
        left = self.deadline - (self.clock() - state.start)
        caller = _caller_remaining()
        return left if caller is None else min(left, caller)

    def attempt_timeout(self, remaining: float) -> float:
        """The ``pymongo.timeout()`` of the next attempt: what is left, within timeoutMS."""
        return remaining if self.cap is None else min(remaining, self.cap)

    def wait_slice(self, remaining: float) -> float:
        """How long to wait for a server before reporting that none came (at most 5 s)."""
        return min(self.attempt_timeout(remaining), WARNING_INTERVAL)

    def after_failure(
        self,
        state: RetryState,
        error: PyMongoError,
        no_primary: Callable[[], bool] | None = None,
        *,
        waited: bool = False,
    ) -> float:
        """Record ``error`` in ``state``; return the sleep before the next attempt, or raise.

        Raises the error itself (unchanged) when it is not retryable or the deadline has
        passed, and `AmbiguousWriteError` for a write that may have been applied.
        ``no_primary`` (reads with a ``read_fallback`` only) tells whether to redirect the
        next attempt to the fallback read preference instead of waiting. ``waited``: the
        failure was a wait for a server, which was the pause already.
        """
        state.attempt += 1
        state.error = error
        state.now = self.clock()
        policy = self.policy
        if not policy.should_retry(state):
            why = None
            if state.kind is OperationKind.WRITE:
                why = ambiguity(
                    error,
                    several_commands=state.several_commands,
                    pymongo_retries=state.pymongo_retries,
                )
            if why is not None:
                raise AmbiguousWriteError(
                    state.operation,
                    error,
                    state.attempt,
                    self.redact(f"{_describe(error)} ({why})"),
                ) from error
            raise error
        if policy.should_stop(state):
            raise error
        caller = _caller_remaining()
        if caller is not None and caller <= 0:
            # The caller's own pymongo.timeout() block has expired: every further attempt
            # would fail at once until the policy's deadline.
            raise error
        if (
            state.kind is OperationKind.READ
            and policy.read_fallback is not None
            and no_primary is not None
            and no_primary()
        ):
            state.read_preference = policy.read_fallback
            state.delay = 0.0
        else:
            state.read_preference = None
            state.delay = 0.0 if waited else policy.next_wait(state)
        self.report(state)
        return state.delay

    def report(self, state: RetryState) -> None:
        """Log one retry (or read fallback) and call ``on_retry``.

        WARNING for a call's first retry and then at most every `WARNING_INTERVAL` seconds
        (the rest at DEBUG); reads served by the fallback at most every `WARNING_INTERVAL`
        seconds per proxied client.
        """
        error = state.error
        cause = "no primary known" if error is None else self.redact(_describe(error))
        if state.read_preference is not None:
            last = self.fallback_warned_at
            level = logging.DEBUG
            if last is None or state.now - last >= WARNING_INTERVAL:
                self.fallback_warned_at = state.now
                level = logging.WARNING
            self.logger.log(
                level,
                "%s: %s; read with %s (may be stale data), attempt %d, %.3fs elapsed",
                state.operation,
                cause,
                state.read_preference.mongos_mode,
                state.attempt,
                state.elapsed,
            )
        elif state.warned_at is None:
            state.warned_at = state.now
            self.logger.warning(
                "%s failed (%s); retrying until its %gs deadline, %.1fs from now"
                " (attempt %d, next in %.3fs)",
                state.operation,
                cause,
                self.deadline,
                self.deadline - state.elapsed,
                state.attempt,
                state.delay,
            )
        elif state.now - state.warned_at >= WARNING_INTERVAL:
            state.warned_at = state.now
            self.logger.warning(
                "%s still failing after %.1fs and %d attempts (%s); %.1fs left of its %gs"
                " deadline, next attempt in %.3fs",
                state.operation,
                state.elapsed,
                state.attempt,
                cause,
                self.deadline - state.elapsed,
                self.deadline,
                state.delay,
            )
        else:
            self.logger.debug(
                "%s: attempt %d failed after %.3fs (%s); retrying in %.3fs",
                state.operation,
                state.attempt,
                state.elapsed,
                cause,
                state.delay,
            )
        if self.on_retry is not None:
            # A snapshot: the loop keeps updating its own state.
            self.on_retry(replace(state))

    def redact(self, text: str) -> str:
        """``text`` without passwords."""
        return redact(text, self.secrets)


def _caller_remaining() -> float | None:
    """Seconds left in a ``pymongo.timeout()`` block around the proxied call, if any.

    Read between attempts, outside the proxy's own ``pymongo.timeout()``.
    """
    return csot_remaining()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
