"""Snapshot reads: a collection as it was at a past cluster time, rebuilt from the oplog.

A read with ``readConcern: {level: "snapshot", atClusterTime: T}`` (pymongo's snapshot
sessions send the time of their first read) must not see writes made after ``T``. mongomock
keeps only the newest version of each document, but the replica set's oplog holds every
write's before-image: undoing, newest first, the writes to the collection after ``T`` gives
the collection at ``T``. A snapshot older than the oplog's window, or across a drop or
rename of the collection, is SnapshotTooOld (239), as on a server whose history window
has passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mongosim._command_error import CommandError
from mongosim._store import stored_key

if TYPE_CHECKING:
    from bson import Timestamp

    from mongosim._oplog import Oplog

__all__ = ["documents_at"]

_NAMESPACE_CHANGES = frozenset({"drop", "rename", "dropDatabase"})


def _too_old(at: Timestamp) -> CommandError:
    return CommandError(
        239,
        "SnapshotTooOld",
        f"Read timestamp Timestamp({at.time}, {at.inc}) is older than the oldest available"
        " timestamp.",
    )


def documents_at(
    oplog: Oplog, db: str, coll: str, current: list[dict[str, Any]], at: Timestamp
) -> list[dict[str, Any]]:
    """``current`` (the collection's documents now, natural order) as they were at ``at``.

    Examples
    --------
    >>> from bson import Timestamp
    >>> from mongosim.clock import Clock
    >>> from mongosim._oplog import Oplog
    >>> oplog = Oplog(Clock())
    >>> first = oplog.append("insert", "db", "c", after={"_id": 1, "n": 1})
    >>> _ = oplog.append("update", "db", "c", before={"_id": 1, "n": 1}, after={"_id": 1, "n": 2})
    >>> _ = oplog.append("insert", "db", "c", after={"_id": 2})
    >>> documents_at(oplog, "db", "c", [{"_id": 1, "n": 2}, {"_id": 2}], first.cluster_time)
    [{'_id': 1, 'n': 1}]
    """
    later = oplog.entries_after(at)
    if later is None:
        raise _too_old(at)
    documents = {stored_key(document["_id"]): document for document in current}
    for entry in reversed(later):
        if entry.db != db or (entry.coll != coll and entry.operation != "dropDatabase"):
            continue
        if entry.operation in _NAMESPACE_CHANGES:
            raise _too_old(at)
        if entry.operation == "insert" and entry.after is not None:
            documents.pop(stored_key(entry.after["_id"]), None)
        elif entry.before is not None:
            documents[stored_key(entry.before["_id"])] = entry.before
    return list(documents.values())
