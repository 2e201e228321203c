"""Retry conditions: which failures are safe to retry.

A retry condition is any callable ``(RetryState) -> bool``; the classes here compose with
``|`` and ``&``. Only pymongo's ``AutoReconnect`` and its subclasses (``NotPrimaryError``,
``NetworkTimeout``, ``ServerSelectionTimeoutError``) are ever candidates: ``OperationFailure``
(``DuplicateKeyError``, validation, auth, a ``WriteConcernError``) and
``WaitQueueTimeoutError`` are answers, not outages.
"""

from __future__ import annotations

from collections.abc import Callable

from pymongo.errors import AutoReconnect

from ._outcome import proves_not_applied
from ._state import OperationKind, RetryState

__all__ = [
    "RetryCondition",
    "retry_base",
    "retry_if_idempotent",
    "retry_if_not_applied",
    "retry_if_read",
    "retry_if_safe",
]

RetryCondition = Callable[[RetryState], bool]
"""A retry condition: ``(RetryState) -> retry?``, a ``retry_if_*`` or a plain function."""


class retry_base:
    """Base of the built-in conditions: ``a | b`` retries when either does, ``a & b`` both."""

    # Lower-case class names read as phrases at the call site, as in tenacity.

    def __call__(self, state: RetryState) -> bool:
        raise NotImplementedError

    def __or__(self, other: RetryCondition) -> retry_base:
        return _retry_any(self, other)

    def __and__(self, other: RetryCondition) -> retry_base:
        return _retry_all(self, other)


class _retry_any(retry_base):
    def __init__(self, *conditions: RetryCondition) -> None:
        self.conditions = conditions

    def __call__(self, state: RetryState) -> bool:
        return any(condition(state) for condition in self.conditions)


class _retry_all(retry_base):
    def __init__(self, *conditions: RetryCondition) -> None:
        self.conditions = conditions

    def __call__(self, state: RetryState) -> bool:
        return all(condition(state) for condition in self.conditions)


class _retry_if_read(retry_base):
    """Retry a read after any AutoReconnect-family error: reading twice changes nothing."""

    def __call__(self, state: RetryState) -> bool:
        return state.kind is OperationKind.READ and isinstance(state.error, AutoReconnect)


class _retry_if_not_applied(retry_base):
    """Retry when the error proves the call was not applied.

    Proof is a refusal before the command ran (10107 NotWritablePrimary, 13435
    NotPrimaryNoSecondaryOk, 13436 NotPrimaryOrSecondary) of a write that pymongo sends
    once (``state.pymongo_retries`` false, no ``RetryableWriteError`` label: pymongo raises
    only the last error of its own retries, and an earlier attempt may have been applied),
    or a ``ServerSelectionTimeoutError`` (nothing was sent). The rest of the not-primary
    family (11602, 11600, 189, 91) interrupts a command that may have started. A refusal
    proves nothing for a call that sends several commands (``state.several_commands``):
    earlier ones may have been applied.
    """

    def __call__(self, state: RetryState) -> bool:
        error = state.error
        return error is not None and proves_not_applied(
            error,
            several_commands=state.several_commands,
            pymongo_retries=state.pymongo_retries,
        )


class _retry_if_idempotent(retry_base):
    """Retry any AutoReconnect-family error of a call the caller marked idempotent."""

    def __call__(self, state: RetryState) -> bool:
        return state.idempotent and isinstance(state.error, AutoReconnect)


retry_if_read = _retry_if_read()
retry_if_not_applied = _retry_if_not_applied()
retry_if_idempotent = _retry_if_idempotent()


class _retry_if_safe(_retry_any):
    """The default: reads, writes proven not applied, and idempotent calls.

    ``retry_if_read | retry_if_not_applied | retry_if_idempotent``.
    """

    def __init__(self) -> None:
        super().__init__(retry_if_read, retry_if_not_applied, retry_if_idempotent)


retry_if_safe = _retry_if_safe()
