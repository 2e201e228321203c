"""Writes applied one document at a time, all through one place.

A MongoDB server applies a multi-document update or delete document by document: a
step-down in the middle interrupts it with some documents changed and the rest not, and
each changed document is one oplog entry (one change-stream event). The simulator does the
same. Every document an ``insert``, ``update``, ``delete`` or ``findAndModify`` writes goes
through a `WriteRun`: its `step` is where a scripted interruption stops the command
("after k documents") and where the ``onPrimaryTransactionalWrite`` fail point acts, and its
`record` is where observers (the change-stream oplog) see each document's before and after
images. A retryable write also keeps its statements' results there (`statement_result`,
`statement_done`), so that a retry skips what was already executed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mongosim._collation import Collation, matching_documents
from mongosim._store import delete_stored, insert_stored, replace_stored, stored_document
from mongosim._updates import apply_update, classify, upsert_seed, whole_paths

if TYPE_CHECKING:
    from collections.abc import Callable

    import mongomock

    from mongosim._sessions import StatementLog

    _Collection = mongomock.Collection[dict[str, Any]]

__all__ = [
    "ConnectionDropped",
    "DocumentChange",
    "DocumentWrites",
    "WriteInterrupted",
    "WriteRun",
    "delete_documents",
    "update_documents",
]


class ConnectionDropped(Exception):
    """The member ends the connection here: the client gets no reply (a fail point)."""


class WriteInterrupted(Exception):
    """A scripted step-down stopped the command after ``applied`` documents."""

    def __init__(self, applied: int) -> None:
        super().__init__(f"interrupted after {applied} documents")
        self.applied = applied


@dataclass(frozen=True)
class DocumentChange:
    """One document written: what it was and what it became (``None`` when absent).

    ``operation`` is ``"insert"``, ``"update"``, ``"replace"`` or ``"delete"``; an upsert
    is an ``"insert"``. ``whole`` names the paths an update operator set as a whole (a
    change event's ``updateDescription`` reports them as one field).
    """

    operation: str
    namespace: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    whole: frozenset[str] = frozenset()


@dataclass
class _Interruption:
    command: str
    after: int
    action: Callable[[], None]


class WriteRun:
    """The documents one command writes, in order.

    Handlers call `step` before writing each document and `record` after it.
    """

    def __init__(
        self,
        command: str,
        interruption: _Interruption | None,
        observers: tuple[Callable[[DocumentChange], None], ...],
        *,
        statements: StatementLog | None = None,
        before_write: Callable[[WriteRun], None] | None = None,
    ) -> None:
        self.command = command
        self.applied = 0
        self.close_after_statement = False
        self._interruption = interruption
        self._observers = observers
        self._statements = statements
        self._before_write = before_write

    @property
    def observed(self) -> bool:
        """Whether anyone looks at the images (if not, handlers need not copy documents)."""
        return bool(self._observers)

    def step(self) -> None:
        """About to write one more document: stop here if the script says so.

        Raises
        ------
        WriteInterrupted
            When the scripted number of documents has been written: the step-down's action
            has run, and the command must end with InterruptedDueToReplStateChange.
        """
        interruption = self._interruption
        if interruption is not None and self.applied >= interruption.after:
            self._interruption = None
            interruption.action()
            raise WriteInterrupted(self.applied)
        if self._before_write is not None:
            self._before_write(self)

    def record(self, change: DocumentChange) -> None:
        """One document was written."""
        self.applied += 1
        for observer in self._observers:
            observer(change)

    def statement_result(self, stmt_id: int, request: str) -> dict[str, Any] | None:
        """The recorded result of statement ``stmt_id`` of a retried retryable write, if any.

        ``request`` names what the statement asks for (see `StatementLog.result`).
        """
        if self._statements is None:
            return None
        return self._statements.result(stmt_id, request)

    def statement_done(self, stmt_id: int, kind: str, result: dict[str, Any]) -> None:
        """Statement ``stmt_id`` of a retryable write was executed with ``result``.

        Raises
        ------
        ConnectionDropped
            When a fail point closes the connection once this statement is written.
        """
        if self._statements is not None:
            self._statements.record(stmt_id, kind, result)
        if self.close_after_statement:
            raise ConnectionDropped

    def finish(self) -> None:
        """The command ended without reaching its scripted interruption: step down now."""
        interruption, self._interruption = self._interruption, None
        if interruption is not None:
            interruption.action()


class DocumentWrites:
    """Per backend: who observes document writes, and the next scripted interruption."""

    def __init__(self) -> None:
        self._observers: list[Callable[[DocumentChange], None]] = []
        self._interruption: _Interruption | None = None
        self._lock = threading.Lock()

    def observe(self, observer: Callable[[DocumentChange], None]) -> None:
        """Call ``observer(change)`` for every document written from now on."""
        with self._lock:
            self._observers.append(observer)

    def interrupt_next(self, command: str, after: int, action: Callable[[], None]) -> None:
        """The next ``command`` runs ``action`` and stops once it has written ``after`` documents.

        A command that writes ``after`` documents or fewer completes, then ``action`` runs.
        """
        with self._lock:
            self._interruption = _Interruption(command, after, action)

    def cancel_interruption(self) -> None:
        """Forget a scripted interruption that has not happened yet."""
        with self._lock:
            self._interruption = None

    def begin(
        self,
        command: str,
        *,
        statements: StatementLog | None = None,
        before_write: Callable[[WriteRun], None] | None = None,
    ) -> WriteRun:
        """A run for one command, carrying the interruption if it is this command's.

        ``statements`` is the record of a retryable write's ``txnNumber``;
        ``before_write(run)`` is called before each document is written.
        """
        with self._lock:
            interruption = self._interruption
            if interruption is not None and interruption.command == command:
                self._interruption = None
            else:
                interruption = None
            return WriteRun(
                command,
                interruption,
                tuple(self._observers),
                statements=statements,
                before_write=before_write,
            )


@dataclass
class UpdateOutcome:
    """What an update statement did, as the ``update`` reply counts it."""

    matched: int = 0
    modified: int = 0
    upserted_id: Any = None
    upserted: bool = False  # the upserted _id may itself be None


def _targets(
    collection: _Collection, query: dict[str, Any], collation: Collation | None
) -> list[Any]:
    """The ``_id`` of each document a statement writes, in natural order."""
    if collation is None:
        return [document["_id"] for document in collection.find(query, {"_id": 1})]
    return [document["_id"] for document in matching_documents(collection, query, collation)]


def _unchanged(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether an update left the document as it was (then mongod does not write it)."""
    return before == after and _same_types(before, after)


def _same_types(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return all(_same_types(x, y) for x, y in zip(a, b, strict=True))
    return True


def update_documents(
    run: WriteRun,
    collection: _Collection,
    namespace: str,
    query: dict[str, Any],
    update: Any,
    *,
    replacement: bool,
    multi: bool,
    upsert: bool,
    options: dict[str, Any],
) -> UpdateOutcome:
    """Apply one update statement document by document.

    The documents matching ``query`` are chosen first (all of them, or the first one when
    not ``multi``), then each is updated on its own by
    [`apply_update`][mongosim._updates.apply_update] (``query`` resolves a positional ``$``)
    and stored again if it changed. With ``upsert`` and no match, one document is inserted,
    built from the filter's equality conditions. ``replacement`` must agree with the form
    of ``update``; ``options`` may hold ``array_filters``.
    """
    outcome = UpdateOutcome()
    kind = classify(update)
    if replacement != (kind == "replacement"):
        raise ValueError(f"replacement={replacement!r} but the update is of kind {kind!r}")
    array_filters = options.get("array_filters")
    operation = "replace" if kind == "replacement" else "update"
    whole = whole_paths(update) if kind == "operators" else frozenset()
    targets = _targets(collection, query, options.get("collation"))
    if not multi:
        targets = targets[:1]
    for document_id in targets:
        run.step()
        # The stored document itself: apply_update copies it, and once replaced in the store
        # nothing else refers to it, so the change may keep it without another copy.
        before = stored_document(collection, document_id)
        if before is None:
            continue
        after = apply_update(before, update, query=query, array_filters=array_filters)
        outcome.matched += 1
        if _unchanged(before, after):
            continue
        replace_stored(collection, namespace, before, after, options.get("validate"))
        outcome.modified += 1
        run.record(DocumentChange(operation, namespace, before, after, whole))
    if targets or not upsert:
        return outcome
    run.step()
    seed = upsert_seed(query)
    if kind == "replacement":
        seed = {"_id": seed["_id"]} if "_id" in seed else {}
    document = apply_update(seed, update, query=query, array_filters=array_filters, inserting=True)
    stored = insert_stored(collection, namespace, document, options.get("validate"))
    outcome.upserted_id = stored["_id"]
    outcome.upserted = True
    run.record(DocumentChange("insert", namespace, None, stored))
    return outcome


def delete_documents(
    run: WriteRun,
    collection: _Collection,
    namespace: str,
    query: dict[str, Any],
    *,
    multi: bool,
    collation: Collation | None = None,
) -> int:
    """Delete the documents matching ``query`` (or the first one) one by one; how many."""
    targets = _targets(collection, query, collation)
    if not multi:
        targets = targets[:1]
    deleted = 0
    for document_id in targets:
        run.step()
        before = stored_document(collection, document_id)
        if delete_stored(collection, document_id):
            deleted += 1
            run.record(DocumentChange("delete", namespace, before, None))
    return deleted
