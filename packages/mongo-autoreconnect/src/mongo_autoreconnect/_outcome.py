"""What an error says about a write: proven not applied, or possibly applied.

Only three server codes prove that a command was refused before it ran: 10107
NotWritablePrimary, 13435 NotPrimaryNoSecondaryOk and 13436 NotPrimaryOrSecondary. pymongo
raises the same ``NotPrimaryError`` for the "node is recovering" family (11602
InterruptedDueToReplStateChange, 11600 InterruptedAtShutdown, 189 PrimarySteppedDown, 91
ShutdownInProgress), which a server returns after it started the command: a multi-document
update interrupted that way may have changed part of its documents. The codes prove
something only as the command's own answer (``NotPrimaryError``): a ``writeConcernError``
with one of them comes after the write was applied. A ``ServerSelectionTimeoutError``
means nothing was sent (pymongo raises the previous error instead when it times out
selecting a server for a retry).

A refusal proves something only about the command that received it. A write that pymongo
retries itself (a retryable write: its command carries a ``txnNumber`` and a 4.4+ server
labels the error ``RetryableWriteError``) may have been applied by an earlier attempt whose
reply was lost; pymongo raises the last error only, labelled or not. So a refusal of a
retryable write proves nothing, and neither does a refusal of a call that sends several
commands (``insert_many``, a ``bulk_write`` of several items): an earlier command may have
been applied. A server
selection timeout still proves it for those: pymongo selects the server once before the
first command.
"""

from __future__ import annotations

from collections.abc import Mapping

from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ClientBulkWriteException,
    ExecutionTimeout,
    NotPrimaryError,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WriteConcernError,
)

__all__ = ["REFUSED_BEFORE_RUNNING", "ambiguity", "error_code", "proves_not_applied"]

#: Server codes that prove the command was refused before it ran.
REFUSED_BEFORE_RUNNING = frozenset({10107, 13435, 13436})


def error_code(error: BaseException) -> int | None:
    """The server's error code of a command error (pymongo's not-primary errors included)."""
    if isinstance(error, OperationFailure):
        return error.code
    details = getattr(error, "details", None)
    code = details.get("code") if isinstance(details, Mapping) else None
    return code if isinstance(code, int) else None


def proves_not_applied(
    error: BaseException, *, several_commands: bool = False, pymongo_retries: bool = False
) -> bool:
    """Whether ``error`` proves that the write it ended was not applied at all.

    ``several_commands``: the call may send several write commands; ``pymongo_retries``:
    pymongo retries the write itself (a retryable write on a client with retryWrites on).
    """
    if isinstance(error, ServerSelectionTimeoutError):
        return True
    # Only a command's own refusal (pymongo raises it as NotPrimaryError) proves anything:
    # a writeConcernError with the same code comes after the write was applied.
    if not isinstance(error, NotPrimaryError):
        return False
    if several_commands or pymongo_retries or error_code(error) not in REFUSED_BEFORE_RUNNING:
        return False
    # pymongo retried a labelled error itself; an earlier attempt may have been applied.
    return not (isinstance(error, PyMongoError) and error.has_error_label("RetryableWriteError"))


def ambiguity(
    error: BaseException, *, several_commands: bool = False, pymongo_retries: bool = False
) -> str | None:
    """Why a write that ended with ``error`` may have been applied, or None if it says so.

    None for errors that are answers (a duplicate key, a validation failure: the server
    says what happened) and for errors that prove nothing was applied.
    """
    if proves_not_applied(
        error, several_commands=several_commands, pymongo_retries=pymongo_retries
    ):
        return None
    if isinstance(error, WriteConcernError) or (
        isinstance(error, (BulkWriteError, ClientBulkWriteException))
        and error.details.get("writeConcernErrors")
    ):
        return "the write was applied on the primary but its write concern was not satisfied"
    if isinstance(error, ClientBulkWriteException):
        # MongoClient.bulk_write wraps the error that ended it, whatever it was.
        if not isinstance(error.error, PyMongoError):
            return None  # per-operation write errors: answers
        return ambiguity(
            error.error, several_commands=several_commands, pymongo_retries=pymongo_retries
        )
    if isinstance(error, ExecutionTimeout):
        # The server's maxTimeMS may stop a multi-document write part-way; pymongo's own
        # "would exceed time limit" may end a retry whose earlier attempt was applied.
        return "its time ran out after it may have started"
    if not isinstance(error, AutoReconnect):
        return None
    if error_code(error) in REFUSED_BEFORE_RUNNING and several_commands:
        return "it sends several commands and an earlier one may have been applied"
    if error_code(error) in REFUSED_BEFORE_RUNNING:
        return (
            "pymongo retries it itself with the same transaction number and raises only its"
            " last attempt's refusal: an earlier attempt may have been applied"
        )
    if error_code(error) is not None:
        return "the server interrupted it after it may have started"
    return "the connection failed after it may have been sent"
