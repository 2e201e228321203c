"""Change streams: ``{"$changeStream": {...}}`` aggregations and their ``getMore``s.

A change stream is a cursor over the replica set's [`Oplog`][mongosim._oplog.Oplog], turned
into the events MongoDB 6.0 sends: ``insert``, ``update`` (with ``updateDescription``),
``replace``, ``delete``, ``drop``, ``rename``, ``dropDatabase`` and ``invalidate``, plus
``create``, ``createIndexes``, ``dropIndexes`` and ``modify`` with ``showExpandedEvents``.
Each event's ``_id`` is its resume token; ``resumeAfter``, ``startAfter`` and
``startAtOperationTime`` start a stream from one. A stream watches one collection, one
database (``aggregate: 1``) or the whole cluster (``allChangesForCluster`` on ``admin``).

``getMore`` on a change stream waits up to ``maxTimeMS`` (pymongo's ``maxAwaitTimeMS``,
default 1 s) for an event, on the oplog's condition variable: it returns as soon as a
matching write is logged. The stream's state is its position in the oplog, so the same
token resumes it on any member, after a failover too.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from bson import Timestamp

from mongosim._command_error import CommandError
from mongosim._pipeline import run_pipeline, stage_name
from mongosim._values import values_equal

if TYPE_CHECKING:
    from collections.abc import Callable

    from mongosim._oplog import Entry, Oplog

__all__ = [
    "DEFAULT_MAX_AWAIT_MS",
    "ChangeStream",
    "is_change_stream",
    "open_change_stream",
    "update_description",
]

DEFAULT_MAX_AWAIT_MS = 1000
"""How long a ``getMore`` waits for an event when the driver does not say."""

_EVENT = 1
_INVALIDATE = 2
_HIGH_WATER = 0
_USER_STAGES = frozenset(
    {
        "$match",
        "$project",
        "$addFields",
        "$set",
        "$unset",
        "$replaceRoot",
        "$replaceWith",
        "$redact",
    }
)
_DOCUMENT_OPERATIONS = frozenset({"insert", "update", "replace", "delete"})
_EXPANDED_OPERATIONS = frozenset({"create", "createIndexes", "dropIndexes", "modify"})
_INTERNAL_DATABASES = frozenset({"admin", "config", "local"})
_OPTIONS = frozenset(
    {
        "fullDocument",
        "fullDocumentBeforeChange",
        "resumeAfter",
        "startAfter",
        "startAtOperationTime",
        "allChangesForCluster",
        "showExpandedEvents",
        "allowToRunOnConfigDB",
        "allowToRunOnSystemNS",
    }
)
_FULL_DOCUMENT = frozenset({"default", "updateLookup", "whenAvailable", "required"})
_BEFORE_CHANGE = frozenset({"off", "whenAvailable", "required"})


# -- resume tokens --------------------------------------------------------------------------


def _token(entry_time: Timestamp, sequence: int, kind: int) -> dict[str, str]:
    return {"_data": f"82{entry_time.time:08X}{entry_time.inc:08X}{sequence:016X}{kind:02X}"}


@dataclass(frozen=True)
class _Position:
    sequence: int
    kind: int


def _parse_token(token: Any, option: str) -> _Position:
    data = token.get("_data") if isinstance(token, dict) else None
    if not isinstance(data, str) or len(data) != 36 or not data.startswith("82"):
        raise CommandError(
            260,
            "InvalidResumeToken",
            f"Bad resume token: _data of missing or of wrong type in {option}: {token!r}",
        )
    try:
        sequence = int(data[18:34], 16)
        kind = int(data[34:36], 16)
    except ValueError as error:
        raise CommandError(
            260, "InvalidResumeToken", f"Bad resume token in {option}: {token!r}"
        ) from error
    return _Position(sequence, kind)


# -- update descriptions --------------------------------------------------------------------


def update_description(
    before: dict[str, Any], after: dict[str, Any], whole: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """``updateDescription`` of an update: the fields set, removed, and arrays truncated.

    Documents are compared field by field and arrays index by index (a shorter array is a
    truncation), as MongoDB's delta oplog entries do; a path in ``whole`` (set as a whole by
    an operator such as ``$set``) is reported as one field.

    Examples
    --------
    >>> description = update_description({"a": [1, 2, 3], "b": 1}, {"a": [1, 5], "c": 2})
    >>> description["updatedFields"], description["removedFields"]
    ({'a.1': 5, 'c': 2}, ['b'])
    >>> description["truncatedArrays"]
    [{'field': 'a', 'newSize': 2}]
    """
    updated: dict[str, Any] = {}
    removed: list[str] = []
    truncated: list[dict[str, Any]] = []

    def documents(old: dict[str, Any], new: dict[str, Any], prefix: str) -> None:
        for key in old:
            if key not in new:
                removed.append(prefix + key)
        for key, value in new.items():
            path = prefix + key
            if key not in old:
                updated[path] = value
            elif not _same(old[key], value, values_equal):
                changed(old[key], value, path)

    def changed(old: Any, new: Any, path: str) -> None:
        if path in whole:
            updated[path] = new
        elif isinstance(old, dict) and isinstance(new, dict):
            documents(old, new, path + ".")
        elif isinstance(old, list) and isinstance(new, list):
            for index, value in enumerate(new):
                item_path = f"{path}.{index}"
                if index >= len(old):
                    updated[item_path] = value
                elif not _same(old[index], value, values_equal):
                    changed(old[index], value, item_path)
            if len(new) < len(old):
                truncated.append({"field": path, "newSize": len(new)})
        else:
            updated[path] = new

    documents(before, after, "")
    return {"updatedFields": updated, "removedFields": removed, "truncatedArrays": truncated}


def _same(a: Any, b: Any, values_equal: Callable[[Any, Any], bool]) -> bool:
    return type(a) is type(b) and values_equal(a, b)


# -- streams --------------------------------------------------------------------------------


def is_change_stream(pipeline: Any) -> bool:
    """Whether an aggregation pipeline is a change stream (``$changeStream`` first)."""
    return (
        isinstance(pipeline, list)
        and bool(pipeline)
        and isinstance(pipeline[0], dict)
        and "$changeStream" in pipeline[0]
    )


@dataclass
class ChangeStream:
    """One open change stream: what it watches, its options and its oplog position."""

    oplog: Oplog
    db: str
    coll: str | None
    cluster: bool
    stages: list[Any]
    full_document: str
    before_change: str
    expanded: bool
    position: int
    lookup: Callable[[str, str, Any], dict[str, Any] | None]
    pending_invalidate: Entry | None = None
    invalidated: bool = False
    high_water: dict[str, str] = field(default_factory=dict)
    is_change_stream: ClassVar[bool] = True

    # -- what this stream sees ----------------------------------------------------------------

    def _watches(self, entry: Entry) -> bool:
        if self.cluster:
            return entry.db not in _INTERNAL_DATABASES and not (entry.coll or "").startswith(
                "system."
            )
        if entry.db != self.db:
            return False
        if self.coll is None:
            return not (entry.coll or "").startswith("system.")
        return entry.coll == self.coll or entry.operation == "dropDatabase"

    def _invalidates(self, entry: Entry) -> bool:
        if self.cluster or entry.db != self.db:
            return False
        if self.coll is None:
            return entry.operation == "dropDatabase"
        return entry.operation in ("drop", "rename", "dropDatabase") and (
            entry.coll == self.coll or entry.operation == "dropDatabase"
        )

    def _shown(self, entry: Entry) -> bool:
        if entry.operation in _EXPANDED_OPERATIONS:
            return self.expanded
        return not (entry.operation == "dropDatabase" and self.coll is not None)

    # -- events -------------------------------------------------------------------------------

    def _event(self, entry: Entry) -> dict[str, Any]:
        event: dict[str, Any] = {
            "_id": _token(entry.cluster_time, entry.sequence, _EVENT),
            "operationType": entry.operation,
            "clusterTime": entry.cluster_time,
            "wallTime": entry.wall_time,
        }
        description = entry.description
        if self.expanded and "uuid" in description:
            event["collectionUUID"] = description["uuid"]
        if entry.operation in ("insert", "replace"):
            event["fullDocument"] = copy.deepcopy(entry.after)
        elif entry.operation == "update":
            full = self._post_image(entry)
            if full is not _ABSENT:
                event["fullDocument"] = full
        event["ns"] = (
            {"db": entry.db} if entry.coll is None else {"db": entry.db, "coll": entry.coll}
        )
        if entry.operation in _DOCUMENT_OPERATIONS:
            document = entry.after if entry.after is not None else entry.before
            event["documentKey"] = {"_id": (document or {}).get("_id")}
        if entry.operation == "update":
            event["updateDescription"] = copy.deepcopy(description["updateDescription"])
        if entry.operation in ("update", "replace", "delete"):
            before = self._pre_image(entry)
            if before is not _ABSENT:
                event["fullDocumentBeforeChange"] = before
        if entry.operation == "rename":
            event["to"] = dict(description["to"])
        if self.expanded and "operationDescription" in description:
            event["operationDescription"] = copy.deepcopy(description["operationDescription"])
        return event

    def _post_image(self, entry: Entry) -> Any:
        mode = self.full_document
        if mode == "default":
            return _ABSENT
        if mode == "updateLookup":
            return self.lookup(entry.db, entry.coll or "", (entry.after or {}).get("_id"))
        if entry.description.get("images"):
            return copy.deepcopy(entry.after)
        if mode == "required":
            raise CommandError(
                47,
                "NoMatchingDocument",
                "Change stream was configured to require a post-image for all update, delete"
                " and replace events, but the post-image was not found for event:"
                f" {entry.db}.{entry.coll}",
            )
        return None

    def _pre_image(self, entry: Entry) -> Any:
        mode = self.before_change
        if mode == "off":
            return _ABSENT
        if entry.description.get("images"):
            return copy.deepcopy(entry.before)
        if mode == "required":
            raise CommandError(
                47,
                "NoMatchingDocument",
                "Change stream was configured to require a pre-image for all update, delete and"
                " replace events, but the pre-image was not found for event:"
                f" {entry.db}.{entry.coll}",
            )
        return None

    def _invalidate_event(self, entry: Entry) -> dict[str, Any]:
        return {
            "_id": _token(entry.cluster_time, entry.sequence, _INVALIDATE),
            "operationType": "invalidate",
            "clusterTime": entry.cluster_time,
            "wallTime": entry.wall_time,
        }

    def _through_pipeline(self, event: dict[str, Any]) -> dict[str, Any] | None:
        if not self.stages:
            return event
        results = run_pipeline([event], self.stages, None)
        if not results:
            return None
        (result,) = results
        if result.get("_id") != event["_id"]:
            raise CommandError(
                280,
                "ChangeStreamFatalError",
                "Encountered an event whose _id field, which contains the resume token, was"
                " modified by the pipeline. Modifying the _id field of an event makes it"
                " impossible to resume the stream from that point. Only transformations that"
                " retain the unmodified _id field are allowed.",
                ("NonResumableChangeStreamError",),
            )
        shaped: dict[str, Any] = result
        return shaped

    # -- batches ------------------------------------------------------------------------------

    def next_batch(self, limit: int | None) -> list[dict[str, Any]]:
        """The events available now (at most ``limit``), advancing the stream."""
        batch: list[dict[str, Any]] = []
        if self.invalidated:
            return batch
        oldest = self.oplog.oldest_sequence()
        if self.position + 1 < oldest:
            raise CommandError(
                286,
                "ChangeStreamHistoryLost",
                "Resume of change stream was not possible, as the resume point may no longer be"
                " in the oplog.",
                ("NonResumableChangeStreamError",),
            )
        while limit is None or len(batch) < limit:
            if self.pending_invalidate is not None:
                entry, self.pending_invalidate = self.pending_invalidate, None
                event = self._invalidate_event(entry)
                self.invalidated = True
                batch.append(event)
                return batch
            entries = self.oplog.after(self.position, 64)
            if not entries:
                break
            for entry in entries:
                self.position = entry.sequence
                if not self._watches(entry):
                    continue
                if self._shown(entry):
                    shaped = self._through_pipeline(self._event(entry))
                    if shaped is not None:
                        batch.append(shaped)
                if self._invalidates(entry):
                    self.pending_invalidate = entry
                    break
                if limit is not None and len(batch) >= limit:
                    break
        self.high_water = self._post_batch_token(batch)
        return batch

    def _post_batch_token(self, batch: list[dict[str, Any]]) -> dict[str, str]:
        """The ``postBatchResumeToken``: the last event's, or the point the scan reached."""
        if batch:
            last = _parse_token(batch[-1]["_id"], "")
            if last.sequence >= self.position or self.pending_invalidate is not None:
                token: dict[str, str] = batch[-1]["_id"]
                return token
        return _token(self.oplog.cluster_time(), self.position, _HIGH_WATER)

    def wait_for_batch(
        self,
        limit: int | None,
        max_await_ms: float | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> list[dict[str, Any]]:
        """Events for a ``getMore``: at once if some are ready, else the first ones to come.

        Waits at most ``max_await_ms`` milliseconds (default 1 s) on the oplog (woken by
        each write), and returns an empty batch if no matching event arrived in that time.
        """
        waited = DEFAULT_MAX_AWAIT_MS if max_await_ms is None else max_await_ms
        deadline = monotonic() + waited / 1000
        while True:
            batch = self.next_batch(limit)
            if batch or self.invalidated:
                return batch
            remaining = deadline - monotonic()
            if remaining <= 0 or not self.oplog.wait_after(self.position, remaining):
                return self.next_batch(limit)


_ABSENT = object()


def _options(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise CommandError(
            50808, "Location50808", "$changeStream stage expects a document as argument"
        )
    for key in spec:
        if key not in _OPTIONS:
            raise CommandError(
                40415, "Location40415", f"BSON field '$changeStream.{key}' is an unknown field."
            )
    full_document = spec.get("fullDocument", "default")
    if full_document not in _FULL_DOCUMENT:
        raise CommandError(
            2,
            "BadValue",
            f"Enumeration value '{full_document}' for field '$changeStream.fullDocument' is not a"
            " valid value.",
        )
    before_change = spec.get("fullDocumentBeforeChange", "off")
    if before_change not in _BEFORE_CHANGE:
        raise CommandError(
            2,
            "BadValue",
            f"Enumeration value '{before_change}' for field"
            " '$changeStream.fullDocumentBeforeChange' is not a valid value.",
        )
    starts = [key for key in ("resumeAfter", "startAfter", "startAtOperationTime") if key in spec]
    if len(starts) > 1:
        raise CommandError(
            40674,
            "Location40674",
            "Only one type of resume option is allowed, but multiple were found.",
        )
    return spec


def open_change_stream(
    oplog: Oplog,
    db: str,
    coll: str | None,
    pipeline: list[Any],
    lookup: Callable[[str, str, Any], dict[str, Any] | None],
) -> ChangeStream:
    """Start a change stream for an ``aggregate`` whose pipeline begins with ``$changeStream``.

    ``coll`` is None for a database stream (``aggregate: 1``); on ``admin`` with
    ``allChangesForCluster`` the stream watches every database. ``lookup(db, coll, id)``
    returns the current version of a document (``fullDocument: "updateLookup"``).

    Examples
    --------
    >>> from mongosim.clock import Clock
    >>> from mongosim._oplog import Oplog
    >>> oplog = Oplog(Clock())
    >>> stream = open_change_stream(oplog, "db", "c", [{"$changeStream": {}}], lambda *a: None)
    >>> _ = oplog.append("insert", "db", "c", after={"_id": 1, "x": 1})
    >>> [(e["operationType"], e["fullDocument"]) for e in stream.next_batch(None)]
    [('insert', {'_id': 1, 'x': 1})]
    """
    spec = _options(pipeline[0]["$changeStream"])
    cluster = bool(spec.get("allChangesForCluster"))
    if cluster and (db != "admin" or coll is not None):
        raise CommandError(
            72,
            "InvalidOptions",
            "A change stream with 'allChangesForCluster: true' may only be opened on the"
            " 'admin' database, and with no collection name",
        )
    if not cluster and db == "admin":
        raise CommandError(
            73,
            "InvalidNamespace",
            "$changeStream may not be opened on the internal admin database",
        )
    stages = pipeline[1:]
    for stage in stages:
        name = stage_name(stage)
        if name == "$changeStream":
            raise CommandError(
                40602,
                "Location40602",
                "$changeStream is only valid as the first stage in a pipeline",
            )
        if name not in _USER_STAGES:
            from mongomock import aggregate

            known = name in aggregate._PIPELINE_HANDLERS or name in (
                "$merge",
                "$documents",
            )
            if not known:
                raise CommandError(
                    40324, "Location40324", f"Unrecognized pipeline stage name: '{name}'"
                )
            raise CommandError(
                20,
                "IllegalOperation",
                f"{name} is not permitted in a $changeStream pipeline",
            )
    stream = ChangeStream(
        oplog=oplog,
        db=db,
        coll=coll,
        cluster=cluster,
        stages=stages,
        full_document=spec.get("fullDocument", "default"),
        before_change=spec.get("fullDocumentBeforeChange", "off"),
        expanded=bool(spec.get("showExpandedEvents", False)),
        position=oplog.last_sequence,
        lookup=lookup,
    )
    _start(stream, spec)
    return stream


def _start(stream: ChangeStream, spec: dict[str, Any]) -> None:
    oplog = stream.oplog
    if "startAtOperationTime" in spec:
        start = spec["startAtOperationTime"]
        if not isinstance(start, Timestamp):
            raise CommandError(
                14,
                "TypeMismatch",
                "BSON field '$changeStream.startAtOperationTime' must be a timestamp",
            )
        stream.position = oplog.sequence_at(start)
        return
    option = "startAfter" if "startAfter" in spec else "resumeAfter"
    if option not in spec:
        return
    position = _parse_token(spec[option], option)
    if position.kind == _INVALIDATE and option == "resumeAfter":
        raise CommandError(
            260,
            "InvalidResumeToken",
            "Attempting to resume a change stream using 'resumeAfter' is not allowed from an"
            " invalidate notification.",
        )
    if position.sequence > oplog.last_sequence:
        raise CommandError(
            260, "InvalidResumeToken", "cannot resume a stream from a token the oplog has not seen"
        )
    stream.position = position.sequence
    if position.kind == _EVENT:
        (entry,) = oplog.after(position.sequence - 1, 1) or (None,)
        if (
            entry is not None
            and entry.sequence == position.sequence
            and stream._invalidates(entry)
        ):
            stream.pending_invalidate = entry
