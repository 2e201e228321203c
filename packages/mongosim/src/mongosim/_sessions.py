"""Retryable writes: the server's transaction table, one entry per logical session.

A write carrying ``lsid`` + ``txnNumber`` is a retryable write. The server remembers, for
the session's latest ``txnNumber``, every statement it executed (a statement is one
document of an ``insert``, one entry of ``updates``/``deletes``, or the ``findAndModify``;
its ``stmtId`` is its index). A retry with the same ``txnNumber`` skips the statements
already executed and reports their results from this record, so a write whose reply was
lost is applied exactly once, even one interrupted half-way; a statement of an
incompatible kind gets the server's error instead of a stale result. An older
``txnNumber`` gets TransactionTooOld (225).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

from mongosim._command_error import CommandError

__all__ = ["SessionTable", "StatementLog", "check_retryable_write", "check_session_arguments"]

_RETRYABLE = frozenset({"insert", "update", "delete", "findAndModify"})


@dataclass
class StatementLog:
    """The statements one ``txnNumber`` of one session has executed: stmtId -> (kind, result).

    Kinds: ``"insert"``, ``"update"``, ``"upsert"``, ``"delete"``, and for a
    ``findAndModify`` ``"findAndModify:update"``, ``"findAndModify:upsert"`` or
    ``"findAndModify:delete"``.
    """

    txn_number: int
    statements: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def result(self, stmt_id: int, request: str) -> dict[str, Any] | None:
        """The recorded result of ``stmt_id``, if it ran, checked against the retried request.

        ``request`` is what the retry asks for: ``"insert"``, ``"update"``, ``"delete"``,
        ``"findAndModify:update"``, ``"findAndModify:upsert"`` (update with upsert) or
        ``"findAndModify:remove"``.

        Raises
        ------
        CommandError
            The codes mongod uses when the retried statement cannot be the one recorded:
            40638 for an update retrying a delete; 40606 for a findAndModify update
            retrying a delete; 40608 for a findAndModify remove retrying an update or
            insert; 40609 for a findAndModify without upsert retrying an upsert.
        """
        recorded = self.statements.get(stmt_id)
        if recorded is None:
            return None
        kind, result = recorded
        kind_name = kind.split(":")[-1].replace("upsert", "insert")
        if request == "update" and kind_name not in ("update", "insert"):
            raise CommandError(
                40638,
                "Location40638",
                "update retry request is not compatible with previous write in the"
                f" transaction of type: {kind_name}",
            )
        if request == "update" and kind == "insert":
            # mongod reads an insert in the history of an update as that update's upsert.
            return {"n": 0, "nModified": 0, "upserted": result["_id"]}
        if request.startswith("findAndModify"):
            remove = request.endswith("remove")
            if kind_name == "delete" and not remove:
                raise _find_and_modify_mismatch(40606, kind_name)
            if kind_name != "delete" and remove:
                raise _find_and_modify_mismatch(40608, kind_name)
            if kind_name == "insert" and request != "findAndModify:upsert":
                raise _find_and_modify_mismatch(40609, kind_name)
        return copy.deepcopy(result)

    def record(self, stmt_id: int, kind: str, result: dict[str, Any]) -> None:
        """``stmt_id`` was executed with this result (a copy is kept)."""
        self.statements[stmt_id] = (kind, copy.deepcopy(result))


def _find_and_modify_mismatch(code: int, kind: str) -> CommandError:
    return CommandError(
        code,
        f"Location{code}",
        "findAndModify retry request is not compatible with previous write in the transaction"
        f" of type: {kind}",
    )


def check_session_arguments(body: dict[str, Any]) -> None:
    """Refuse a ``txnNumber`` without ``lsid``, or a negative one, as mongod does first.

    Raises
    ------
    CommandError
        InvalidOptions (72).
    """
    txn_number = body.get("txnNumber")
    if txn_number is None:
        return
    if not isinstance(body.get("lsid"), dict):
        raise CommandError(
            72, "InvalidOptions", "Transaction number requires a session ID to also be specified"
        )
    if isinstance(txn_number, bool) or not isinstance(txn_number, int) or txn_number < 0:
        raise CommandError(72, "InvalidOptions", "Transaction number cannot be negative")


def check_retryable_write(name: str, body: dict[str, Any]) -> None:
    """Refuse what mongod refuses in a retryable write (``txnNumber`` outside transactions).

    Raises
    ------
    CommandError
        InvalidOptions (72) for an update with ``multi: true`` or a delete with
        ``limit: 0``; NotARetryableWriteCommand (50768) for a command that is no
        retryable write.
    """
    if body.get("txnNumber") is None or "autocommit" in body:
        return
    if name not in _RETRYABLE:
        raise CommandError(
            50768,
            "NotARetryableWriteCommand",
            f"It is illegal to provide a txnNumber for command {name}",
        )
    if name == "update" and any(
        isinstance(statement, dict) and statement.get("multi")
        for statement in body.get("updates", [])
    ):
        raise CommandError(
            72, "InvalidOptions", "Cannot use (or request) retryable writes with multi=true"
        )
    if name == "delete" and any(
        isinstance(statement, dict) and statement.get("limit", 0) == 0
        for statement in body.get("deletes", [])
    ):
        raise CommandError(
            72, "InvalidOptions", "Cannot use (or request) retryable writes with limit=0"
        )


class SessionTable:
    """The latest ``txnNumber`` of every session that made a retryable write. Thread-safe.

    Examples
    --------
    >>> table = SessionTable()
    >>> log = table.begin(b"session", 1)
    >>> log.record(0, "insert", {"n": 1})
    >>> table.begin(b"session", 1).result(0, "insert")
    {'n': 1}
    >>> table.begin(b"session", 2).result(0, "insert") is None
    True
    """

    def __init__(self) -> None:
        self._logs: dict[bytes, StatementLog] = {}
        self.lock = threading.RLock()

    def begin(self, session: bytes, txn_number: int) -> StatementLog:
        """The statement log of ``txn_number`` (a new one if it is newer than the last).

        Raises
        ------
        CommandError
            TransactionTooOld (225) if the session has already used a higher number.
        """
        with self.lock:
            log = self._logs.get(session)
            if log is not None and log.txn_number > txn_number:
                raise CommandError(
                    225,
                    "TransactionTooOld",
                    f"txnNumber {txn_number} is less than last txnNumber {log.txn_number} seen"
                    " in this session",
                )
            if log is None or log.txn_number < txn_number:
                log = StatementLog(txn_number)
                self._logs[session] = log
            return log
