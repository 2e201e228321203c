"""Retry conditions: which failures are safe to retry.

A retry condition is any callable ``(RetryState) -> bool``; the classes here compose with
``|`` and ``&``. Only :class:`pymongo.errors.AutoReconnect` and its subclasses
(``NotPrimaryError``, ``NetworkTimeout``, ``ServerSelectionTimeoutError``) are ever candidates:
``OperationFailure`` (``DuplicateKeyError``, validation, auth) and ``WaitQueueTimeoutError``
are answers, not outages.
"""

from __future__ import annotations

from collections.abc import Callable

from pymongo.errors import AutoReconnect, NotPrimaryError, ServerSelectionTimeoutError

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

    ``NotPrimaryError`` is the server refusing the command; ``ServerSelectionTimeoutError``
    means no server was selected, so nothing was sent. Neither proves it for a call that
    sends several commands (``state.several_commands``): earlier ones may have been applied.
    """

    def __call__(self, state: RetryState) -> bool:
        return not state.several_commands and isinstance(
            state.error, (NotPrimaryError, ServerSelectionTimeoutError)
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
