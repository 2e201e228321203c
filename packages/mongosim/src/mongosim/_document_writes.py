"""Writes applied one document at a time, all through one place.

A MongoDB server applies a multi-document update or delete document by document: a
step-down in the middle interrupts it with some documents changed and the rest not, and
each changed document is one oplog entry (one change-stream event). The simulator does the
same. Every document an ``insert``, ``update``, ``delete`` or ``findAndModify`` writes goes
through a `WriteRun`: its `step` is where a scripted interruption stops the command
("after k documents"), and its `record` is where observers (the change-stream oplog) see
each document's before and after images.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mongomock import helpers as mongomock_helpers

if TYPE_CHECKING:
    from collections.abc import Callable

    import mongomock

    _Collection = mongomock.Collection[dict[str, Any]]

__all__ = [
    "DocumentChange",
    "DocumentWrites",
    "WriteInterrupted",
    "WriteRun",
    "delete_documents",
    "update_documents",
]


class WriteInterrupted(Exception):
    """A scripted step-down stopped the command after ``applied`` documents."""

    def __init__(self, applied: int) -> None:
        super().__init__(f"interrupted after {applied} documents")
        self.applied = applied


@dataclass(frozen=True)
class DocumentChange:
    """One document written: what it was and what it became (``None`` when absent).

    ``operation`` is ``"insert"``, ``"update"``, ``"replace"`` or ``"delete"``; an upsert
    is an ``"insert"``.
    """

    operation: str
    namespace: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


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
    ) -> None:
        self.command = command
        self.applied = 0
        self._interruption = interruption
        self._observers = observers

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

    def record(self, change: DocumentChange) -> None:
        """One document was written."""
        self.applied += 1
        for observer in self._observers:
            observer(change)

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

    def begin(self, command: str) -> WriteRun:
        """A run for one command, carrying the interruption if it is this command's."""
        with self._lock:
            interruption = self._interruption
            if interruption is not None and interruption.command == command:
                self._interruption = None
            else:
                interruption = None
            return WriteRun(command, interruption, tuple(self._observers))


def _image(collection: _Collection, document_id: Any) -> dict[str, Any] | None:
    key = mongomock_helpers.hashdict(document_id) if isinstance(document_id, dict) else document_id
    store: Any = collection._store
    if key not in store:
        return None
    image: dict[str, Any] = copy.deepcopy(store[key])
    return image


@dataclass
class UpdateOutcome:
    """What an update statement did, as the ``update`` reply counts it."""

    matched: int = 0
    modified: int = 0
    upserted_id: Any = None


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
    not ``multi``), then each is updated on its own, its own ``_id`` added to the filter
    so that a positional ``$`` still resolves against ``query``. With ``upsert`` and no
    match, one document is inserted.
    """
    outcome = UpdateOutcome()
    targets = [document["_id"] for document in collection.find(query, {"_id": 1})]
    if not multi:
        targets = targets[:1]
    operation = "replace" if replacement else "update"
    for document_id in targets:
        run.step()
        before = _image(collection, document_id) if run.observed else None
        selector = {**query, "_id": document_id}
        if replacement:
            result = collection.replace_one(selector, update, **options)
        else:
            result = collection.update_one(selector, update, **options)
        outcome.matched += result.matched_count
        outcome.modified += result.modified_count
        if result.modified_count:
            run.record(
                DocumentChange(operation, namespace, before, _image(collection, document_id))
            )
    if targets or not upsert:
        return outcome
    run.step()
    if replacement:
        result = collection.replace_one(query, update, upsert=True, **options)
    else:
        result = collection.update_one(query, update, upsert=True, **options)
    outcome.upserted_id = result.upserted_id
    run.record(DocumentChange("insert", namespace, None, _image(collection, result.upserted_id)))
    return outcome


def delete_documents(
    run: WriteRun, collection: _Collection, namespace: str, query: dict[str, Any], *, multi: bool
) -> int:
    """Delete the documents matching ``query`` (or the first one) one by one; how many."""
    targets = [document["_id"] for document in collection.find(query, {"_id": 1})]
    if not multi:
        targets = targets[:1]
    deleted = 0
    for document_id in targets:
        run.step()
        before = _image(collection, document_id) if run.observed else None
        if collection.delete_one({"_id": document_id}).deleted_count:
            deleted += 1
            run.record(DocumentChange("delete", namespace, before, None))
    return deleted
