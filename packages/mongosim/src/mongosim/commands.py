"""Database commands, executed for real by one shared mongomock client.

Every member of a replica set hands its commands to the same `Backend`, so data
written through one member is read through any other, and survives failovers. One lock
serialises the commands: mongomock is not thread-safe, and a linearizable store is a
stricter peer than a real replica set, never a looser one.
"""

from __future__ import annotations

import copy
import datetime
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mongomock
from bson import Timestamp
from mongomock.filtering import filter_applies
from pymongo.errors import CollectionInvalid, DuplicateKeyError, OperationFailure

from mongosim._aggregation import ServerStages, check_pipeline
from mongosim._catalog import Catalog
from mongosim._change_streams import (
    ChangeStream,
    is_change_stream,
    open_change_stream,
    update_description,
)
from mongosim._collation import (
    Collation,
    distinct_values,
    index_range,
    matching_documents,
    parse_collation,
    select_from,
)
from mongosim._command_error import CommandError
from mongosim._document_writes import (
    ConnectionDropped,
    DocumentChange,
    DocumentWrites,
    WriteInterrupted,
    WriteRun,
    delete_documents,
    update_documents,
)
from mongosim._duplicate_keys import DuplicateKey
from mongosim._explain import explain_reply
from mongosim._expressions import bound_variables
from mongosim._mongomock_gaps import teach_mongomock
from mongosim._mongomock_speed import speed_up_mongomock
from mongosim._oplog import Oplog
from mongosim._pipeline import run_pipeline
from mongosim._read_concern import check_read_concern
from mongosim._snapshots import documents_at
from mongosim._store import delete_stored, insert_stored, replace_stored
from mongosim._tailable import TailableCursor, trim_capped
from mongosim._ttl import (
    DEFAULT_TTL_MONITOR_SLEEP_SECS,
    TTLSchedule,
    as_date,
    expired_ids,
    ttl_indexes,
    unexpiring_store,
)
from mongosim._updates import apply_update, classify, upsert_seed, whole_paths
from mongosim._validation import check_document
from mongosim.cursors import DEFAULT_FIRST_BATCH

if TYPE_CHECKING:
    from mongosim._sessions import StatementLog
    from mongosim.clock import Clock
    from mongosim.cursors import CursorRegistry

    _Document = dict[str, Any]
    _Client = mongomock.MongoClient[_Document]

__all__ = ["READ_COMMANDS", "WRITE_COMMANDS", "Backend", "canonical_name"]

logger = logging.getLogger(__name__)

WRITE_COMMANDS = frozenset(
    {
        "insert",
        "update",
        "delete",
        "findAndModify",
        "createIndexes",
        "dropIndexes",
        "drop",
        "dropDatabase",
        "create",
        "collMod",
        "renameCollection",
    }
)
"""Commands only a primary accepts."""

READ_COMMANDS = frozenset(
    {"find", "aggregate", "count", "distinct", "listIndexes", "listCollections"}
)
"""Commands a secondary serves only to a client that allows secondary reads."""

_BUILD_INFO = {
    "version": "6.0.0",
    "versionArray": [6, 0, 0, 0],
    "gitVersion": "mongosim",
    "maxBsonObjectSize": 16 * 1024 * 1024,
    "bits": 64,
    "ok": 1.0,
}


def _sort_spec(sort: object) -> list[tuple[str, Any]] | None:
    return list(sort.items()) if isinstance(sort, dict) and sort else None


def _duplicate_key_message(namespace: str) -> str:
    return f"E11000 duplicate key error collection: {namespace}"


class _Context:
    """One command being executed: its body, target and the server time it runs at."""

    def __init__(
        self,
        body: dict[str, Any],
        name: str,
        client: _Client,
        cursors: CursorRegistry,
        now: datetime.datetime,
        backend: Backend,
        run: WriteRun,
    ) -> None:
        self.body = body
        self.backend = backend
        self._options: dict[str, Any] | None = None
        self.run = run
        self.name = name
        self.db_name: str = body.get("$db", "admin")
        self.db = client[self.db_name]
        self.client = client
        self.cursors = cursors
        self.now = now

    @property
    def collection_name(self) -> str:
        target = self.body[self.name]
        if not isinstance(target, str):
            raise CommandError(
                73,
                "InvalidNamespace",
                f"collection name has invalid type {type(target).__name__}",
            )
        return target

    @property
    def collection(self) -> mongomock.Collection[_Document]:
        return self.db[self.collection_name]

    @property
    def namespace(self) -> str:
        return f"{self.db_name}.{self.collection_name}"

    def query(self, query: Any) -> Any:
        """A filter (``$expr`` sees ``$$NOW`` and ``let`` through the bound variables)."""
        if query is None:
            return {}
        if not isinstance(query, dict):
            raise CommandError(14, "TypeMismatch", "filter must be an object")
        return query

    def update_spec(self, update: Any) -> Any:
        """An update as sent (``u``); its form is checked when it is applied."""
        if update is None:
            return {}
        return update

    def collection_exists(self) -> bool:
        return self.collection_name in self.db.list_collection_names()

    def require_collection_not_view(self) -> None:
        """Writes to a view fail as on MongoDB (CommandNotSupportedOnView, 166)."""
        if self.backend.catalog.view(self.db_name, self.collection_name) is not None:
            raise CommandError(
                166,
                "CommandNotSupportedOnView",
                f"Namespace {self.namespace} is a view, not a collection",
            )

    def validate(self, before: _Document | None, after: _Document) -> None:
        """Check a document to store against the collection's validator (if any)."""
        options = self.options()
        if options.get("validator"):
            bypass = bool(self.body.get("bypassDocumentValidation"))
            check_document(options, before, after, bypass=bypass)

    def options(self) -> dict[str, Any]:
        """The target collection's creation options (``capped``, ``validator``...)."""
        if self._options is None:
            self._options = self.backend.catalog.info(self.db_name, self.collection_name).options
        return self._options

    def is_view(self) -> bool:
        return self.backend.catalog.view(self.db_name, self.collection_name) is not None

    def documents(
        self,
        query: dict[str, Any],
        collation: Collation | None = None,
        sort: list[tuple[str, Any]] | None = None,
    ) -> list[_Document]:
        """The documents of the target (a collection or a view) matching ``query``."""
        return self.backend.select(
            self.db_name, self.collection_name, query, collation, sort, at=self.snapshot_time()
        )

    def snapshot_time(self) -> Timestamp | None:
        """The cluster time a snapshot read asks for (``atClusterTime``), if any."""
        concern = self.body.get("readConcern")
        if isinstance(concern, dict) and concern.get("level") == "snapshot":
            at = concern.get("atClusterTime")
            return at if isinstance(at, Timestamp) else None
        return None


def _statement_error(index: int, error: CommandError) -> dict[str, Any]:
    """A ``writeErrors`` entry: the statement's error as mongod reports it."""
    if isinstance(error, DuplicateKey):
        return error.write_error(index)
    entry: dict[str, Any] = {"index": index, "code": error.code, "errmsg": error.message}
    entry.update(error.details)
    return entry


def _ensure_collection(ctx: _Context) -> None:
    """Create the collection explicitly: mongomock forgets one that has no documents left."""
    if ctx.collection_name not in ctx.db.list_collection_names():
        ctx.db.create_collection(ctx.collection_name)


def _check_fields(
    statement: Any, allowed: frozenset[str], where: str, required: tuple[str, ...]
) -> dict[str, Any]:
    if not isinstance(statement, dict):
        raise CommandError(14, "TypeMismatch", f"BSON field '{where}' is the wrong type")
    for key in statement:
        if key not in allowed:
            raise CommandError(
                40415, "Location40415", f"BSON field '{where}.{key}' is an unknown field."
            )
    for key in required:
        _required(statement, key, where)
    return statement


_UPDATE_FIELDS = frozenset(
    {"q", "u", "multi", "upsert", "arrayFilters", "collation", "hint", "c", "upsertSupplied"}
)
_DELETE_FIELDS = frozenset({"q", "limit", "collation", "hint"})


def _check_hint(ctx: _Context, hint: Any) -> None:
    """A hint must name an existing index (mongod: BadValue), though it changes no result."""
    if hint is None or hint == {} or hint == "":
        return
    indexes = ctx.collection.index_information() if ctx.collection_exists() else {}
    if isinstance(hint, str) and hint in indexes:
        return
    if isinstance(hint, dict) and any(dict(info["key"]) == hint for info in indexes.values()):
        return
    if isinstance(hint, dict) and "$natural" in hint:
        return
    raise CommandError(2, "BadValue", "hint provided does not correspond to an existing index")


def _insert(ctx: _Context) -> dict[str, Any]:
    ctx.require_collection_not_view()
    _ensure_collection(ctx)
    collection = ctx.collection
    capped = bool(ctx.options().get("capped"))
    inserted, errors = 0, []
    for index, document in enumerate(ctx.body.get("documents", [])):
        if ctx.run.statement_result(index, "insert") is not None:
            inserted += 1  # a retry: this document was inserted by the first attempt
            continue
        ctx.run.step()
        try:
            stored = insert_stored(collection, ctx.namespace, document, ctx.validate)
        except CommandError as error:
            errors.append(_statement_error(index, error))
            if ctx.body.get("ordered", True):
                break
        else:
            if capped:
                trim_capped(collection, ctx.options())
            inserted += 1
            ctx.run.record(DocumentChange("insert", ctx.namespace, None, stored))
            ctx.run.statement_done(index, "insert", {"n": 1, "_id": stored["_id"]})
    reply: dict[str, Any] = {"n": inserted}
    if errors:
        reply["writeErrors"] = errors
    return reply


def _statements(
    ctx: _Context, field: str, allowed: frozenset[str], required: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The write statements, checked as mongod parses the whole command first."""
    statements = ctx.body.get(field, [])
    if not isinstance(statements, list):
        raise CommandError(
            14, "TypeMismatch", f"BSON field '{ctx.name}.{field}' is the wrong type"
        )
    ctx.require_collection_not_view()
    for statement in statements:
        _check_fields(statement, allowed, f"{ctx.name}.{field}", required)
        parse_collation(statement.get("collation"))
    return statements


def _update(ctx: _Context) -> dict[str, Any]:
    collection = ctx.collection
    matched = modified = 0
    upserted: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    statements = _statements(ctx, "updates", _UPDATE_FIELDS, ("q", "u"))
    for index, statement in enumerate(statements):
        try:
            done = ctx.run.statement_result(index, "update")
            if done is not None:  # a retry: report what the first attempt did
                matched += done["n"]
                modified += done["nModified"]
                if "upserted" in done:
                    upserted.append({"index": index, "_id": done["upserted"]})
                continue
            query = ctx.query(statement.get("q"))
            update = ctx.update_spec(statement.get("u"))
            upsert = bool(statement.get("upsert", False))
            multi = bool(statement.get("multi"))
            if multi and classify(update) == "replacement":
                raise CommandError(
                    9,
                    "FailedToParse",
                    "multi update is not supported for replacement-style update",
                )
            _check_hint(ctx, statement.get("hint"))
            if upsert:
                _ensure_collection(ctx)
            result = update_documents(
                ctx.run,
                collection,
                ctx.namespace,
                query,
                update,
                replacement=classify(update) == "replacement",
                multi=multi,
                upsert=upsert,
                options={
                    "array_filters": statement.get("arrayFilters"),
                    "collation": parse_collation(statement.get("collation")),
                    "validate": ctx.validate,
                },
            )
        except CommandError as error:
            errors.append(_statement_error(index, error))
            if ctx.body.get("ordered", True):
                break
            continue
        matched += result.matched
        modified += result.modified
        outcome = {"n": result.matched, "nModified": result.modified}
        if result.upserted:
            upserted.append({"index": index, "_id": result.upserted_id})
            outcome["upserted"] = result.upserted_id
        kind = "upsert" if result.upserted else "update"
        ctx.run.statement_done(index, kind, outcome)
    reply: dict[str, Any] = {"n": matched + len(upserted), "nModified": modified}
    if upserted:
        reply["upserted"] = upserted
    if errors:
        reply["writeErrors"] = errors
    return reply


def _delete(ctx: _Context) -> dict[str, Any]:
    collection = ctx.collection
    deleted = 0
    errors: list[dict[str, Any]] = []
    statements = _statements(ctx, "deletes", _DELETE_FIELDS, ("q", "limit"))
    for index, statement in enumerate(statements):
        try:
            done = ctx.run.statement_result(index, "delete")
            if done is not None:  # a retry: report what the first attempt did
                deleted += done["n"]
                continue
            query = ctx.query(statement.get("q"))
            _check_hint(ctx, statement.get("hint"))
            multi = statement.get("limit", 0) != 1
            collation = parse_collation(statement.get("collation"))
            count = delete_documents(
                ctx.run, collection, ctx.namespace, query, multi=multi, collation=collation
            )
        except CommandError as error:
            errors.append(_statement_error(index, error))
            if ctx.body.get("ordered", True):
                break
            continue
        deleted += count
        ctx.run.statement_done(index, "delete", {"n": count})
    reply: dict[str, Any] = {"n": deleted}
    if errors:
        reply["writeErrors"] = errors
    return reply


def _projected(ctx: _Context, document: _Document | None, fields: Any) -> _Document | None:
    if document is None or fields is None:
        return document
    copier: Any = ctx.collection._copy_only_fields
    projected: _Document = copier(document, dict(fields), dict)
    return projected


def _find_and_modify(ctx: _Context) -> dict[str, Any]:
    """findAndModify, answered from the record when it is the retry of a retryable write."""
    body = ctx.body
    if body.get("remove"):
        request = "findAndModify:remove"
    else:
        request = "findAndModify:upsert" if body.get("upsert") else "findAndModify:update"
    done = ctx.run.statement_result(0, request)
    if done is not None:
        return dict(done)
    reply = _find_and_modify_once(ctx)
    last_error = reply["lastErrorObject"]
    if body.get("remove"):
        kind = "findAndModify:delete"
    else:
        kind = "findAndModify:upsert" if "upserted" in last_error else "findAndModify:update"
    ctx.run.statement_done(0, kind, reply)
    return reply


def _find_and_modify_once(ctx: _Context) -> dict[str, Any]:
    body, collection = ctx.body, ctx.collection
    query = ctx.query(body.get("query"))
    fields = body.get("fields")
    remove = bool(body.get("remove"))
    update = body.get("update")
    if remove and update is not None:
        raise CommandError(9, "FailedToParse", "Cannot specify both an update and remove=true")
    if not remove and update is None:
        raise CommandError(9, "FailedToParse", "Either an update or remove=true must be specified")
    if remove and body.get("upsert"):
        raise CommandError(9, "FailedToParse", "Cannot specify both upsert=true and remove=true")
    if remove and body.get("new"):
        raise CommandError(
            9,
            "FailedToParse",
            "Cannot specify both new=true and remove=true; 'remove' always returns the deleted"
            " document",
        )
    _check_hint(ctx, body.get("hint"))
    ctx.require_collection_not_view()
    collation = parse_collation(body.get("collation"))
    sort = _sort_spec(body.get("sort"))
    if collation is None:
        existing = collection.find_one(query, sort=sort)
    else:
        existing = next(iter(matching_documents(collection, query, collation, sort)), None)
    if remove:
        if existing is None:
            return {"value": None, "lastErrorObject": {"n": 0}}
        ctx.run.step()
        delete_stored(collection, existing["_id"])
        ctx.run.record(DocumentChange("delete", ctx.namespace, existing, None))
        return {"value": _projected(ctx, existing, fields), "lastErrorObject": {"n": 1}}
    update = ctx.update_spec(update)
    kind = classify(update)
    array_filters = body.get("arrayFilters")
    new = bool(body.get("new", False))
    if existing is not None:
        ctx.run.step()
        after = apply_update(existing, update, query=query, array_filters=array_filters)
        if after != existing or list(after) != list(existing):
            replace_stored(collection, ctx.namespace, existing, after, ctx.validate)
            operation = "replace" if kind == "replacement" else "update"
            whole = whole_paths(update) if kind == "operators" else frozenset()
            change = DocumentChange(
                operation, ctx.namespace, existing, copy.deepcopy(after), whole
            )
            ctx.run.record(change)
        value = _projected(ctx, after if new else existing, fields)
        return {"value": value, "lastErrorObject": {"n": 1, "updatedExisting": True}}
    if not body.get("upsert"):
        return {"value": None, "lastErrorObject": {"n": 0, "updatedExisting": False}}
    _ensure_collection(ctx)
    ctx.run.step()
    seed = upsert_seed(query)
    if kind == "replacement":
        seed = {"_id": seed["_id"]} if "_id" in seed else {}
    document = apply_update(seed, update, query=query, array_filters=array_filters, inserting=True)
    stored = insert_stored(collection, ctx.namespace, document, ctx.validate)
    ctx.run.record(DocumentChange("insert", ctx.namespace, None, copy.deepcopy(stored)))
    value = _projected(ctx, stored, fields) if new else None
    last_error = {"n": 1, "updatedExisting": False, "upserted": stored["_id"]}
    return {"value": value, "lastErrorObject": last_error}


def _required(document: dict[str, Any], field: str, where: str) -> Any:
    if field not in document:
        raise CommandError(
            40414, "Location40414", f"BSON field '{where}.{field}' is missing but a required field"
        )
    return document[field]


def _batch_size(body: dict[str, Any]) -> int | None:
    size = body.get("batchSize")
    return None if size is None else int(size)


def _find(ctx: _Context) -> dict[str, Any]:
    body = ctx.body
    options: dict[str, Any] = {}
    sort = _sort_spec(body.get("sort"))
    if sort:
        options["sort"] = sort
    if body.get("skip"):
        options["skip"] = int(body["skip"])
    limit = int(body.get("limit") or 0)
    if limit:
        options["limit"] = abs(limit)
    query = ctx.query(body.get("filter"))
    collation = parse_collation(body.get("collation"))
    if body.get("tailable"):
        return _find_tailable(ctx, query)
    pattern = _hinted_index(ctx, body.get("hint"), body.get("min"), body.get("max"))
    plain = collation is None and pattern is None and ctx.snapshot_time() is None
    if plain and not ctx.is_view():
        docs = list(ctx.collection.find(query, body.get("projection"), **options))
    else:
        if pattern is not None and not sort:
            sort = [(field, direction) for field, direction in pattern.items()]
        docs = ctx.documents(query, collation, sort)
        if pattern is not None:
            docs = index_range(docs, pattern, body.get("min"), body.get("max"))
        docs = docs[options.get("skip", 0) :]
        if limit:
            docs = docs[: abs(limit)]
        docs = [_projected(ctx, doc, body.get("projection")) or {} for doc in docs]
    single_batch = bool(body.get("singleBatch")) or limit < 0
    cursor = ctx.cursors.open(
        ctx.namespace, docs, batch_size=_batch_size(body), single_batch=single_batch
    )
    return {"cursor": cursor}


def _hinted_index(ctx: _Context, hint: Any, low: Any, high: Any) -> dict[str, Any] | None:
    """The key pattern of the index a find names in ``hint``, if any (it must exist)."""
    if (low is not None or high is not None) and not hint:
        raise CommandError(
            51173,
            "Location51173",
            "When using min()/max() a hint of which index to use must be provided",
        )
    if not hint or (isinstance(hint, dict) and "$natural" in hint):
        return None
    _check_hint(ctx, hint)
    for name, info in ctx.collection.index_information().items():
        pattern = dict(info["key"])
        if hint in (name, pattern):
            if any(not isinstance(direction, (int, float)) for direction in pattern.values()):
                return None  # a text or geo index: no order to follow
            for bound in (low, high):
                if bound is not None and list(bound) != list(pattern):
                    raise CommandError(
                        51174,
                        "Location51174",
                        "The index chosen is not consistent with min/max: the fields of"
                        " min/max must be the index's, in its order",
                    )
            return pattern
    return None


def _explain(ctx: _Context) -> dict[str, Any]:
    """``explain`` of a read or write: the plan mongosim runs; reads counted, nothing written."""

    def context(command: dict[str, Any]) -> _Context:
        sub = {**command, "$db": ctx.db_name}
        name = canonical_name(next(iter(command)))
        return _Context(sub, name, ctx.client, ctx.cursors, ctx.now, ctx.backend, ctx.run)

    def run(command: dict[str, Any]) -> tuple[int, int]:
        sub = context(command)
        examined = len(list(sub.collection.find({}))) if sub.collection_exists() else 0
        if sub.name == "find":
            reply = _find(sub)["cursor"]
            returned = len(reply["firstBatch"])
            if reply["id"]:
                sub.cursors.kill([reply["id"]])
                returned = len(sub.documents(sub.query(command.get("filter"))))
            return returned, examined
        if sub.name == "count":
            return _count(sub)["n"], examined
        return len(_distinct(sub)["values"]), examined

    inner = ctx.body.get("explain")
    if isinstance(inner, dict) and canonical_name(next(iter(inner), "")) == "find":
        sub = context(inner)
        _hinted_index(sub, inner.get("hint"), inner.get("min"), inner.get("max"))
    server = {
        "host": "mongosim",
        "port": 0,
        "version": _BUILD_INFO["version"],
        "gitVersion": "mongosim",
    }
    return explain_reply(ctx.body, server, run)


def _validate(ctx: _Context) -> dict[str, Any]:
    """``validate``: the collection's documents and indexes are consistent by construction;
    documents that no longer match the collection's validator are counted and warned about.
    """
    _require_collection(ctx)
    documents = list(ctx.collection.find({}))
    options = ctx.options()
    invalid = 0
    for document in documents:
        try:
            check_document(options, None, document, bypass=False)
        except CommandError:
            invalid += 1
    indexes = ctx.collection.index_information()
    warnings = (
        [f"Detected {invalid} document(s) that do not match the collection's validator"]
        if invalid
        else []
    )
    return {
        "ns": ctx.namespace,
        "uuid": ctx.backend.catalog.info(ctx.db_name, ctx.collection_name).uuid,
        "nInvalidDocuments": invalid,
        "nNonCompliantDocuments": invalid,
        "nrecords": len(documents),
        "nIndexes": len(indexes),
        "keysPerIndex": dict.fromkeys(indexes, len(documents)),
        "indexDetails": {name: {"valid": True} for name in indexes},
        "valid": True,
        "repaired": False,
        "warnings": warnings,
        "errors": [],
        "extraIndexEntries": [],
        "missingIndexEntries": [],
        "corruptRecords": [],
    }


def _find_tailable(ctx: _Context, query: dict[str, Any]) -> dict[str, Any]:
    """A tailable ``find``: its cursor stays open for the documents inserted later."""
    options = ctx.backend.catalog.info(ctx.db_name, ctx.collection_name).options
    if not options.get("capped"):
        raise CommandError(
            2,
            "BadValue",
            f"error processing query: ns={ctx.namespace} tailable cursor requested on non"
            " capped collection",
        )
    projection = ctx.body.get("projection")
    cursor = TailableCursor(
        ctx.backend.oplog,
        ctx.backend.locked,
        ctx.collection,
        query,
        lambda document: _projected(ctx, document, projection) or {},
        await_data=bool(ctx.body.get("awaitData")),
        skip=int(ctx.body.get("skip") or 0),
        limit=int(ctx.body.get("limit") or 0) or (-1 if ctx.body.get("singleBatch") else 0),
    )
    batch_size = _batch_size(ctx.body)
    first = [] if batch_size == 0 else cursor.next_batch(batch_size or DEFAULT_FIRST_BATCH)
    return {"cursor": ctx.cursors.open_stream(ctx.namespace, cursor, first)}


def _aggregate(ctx: _Context) -> dict[str, Any]:
    body = ctx.body
    pipeline = body.get("pipeline")
    if not isinstance(pipeline, list):
        raise CommandError(14, "TypeMismatch", "'pipeline' option must be specified as an array")
    if "cursor" not in body and not body.get("explain"):
        raise CommandError(
            9,
            "FailedToParse",
            "The 'cursor' option is required, except for aggregate with the explain argument",
        )
    batch_size = _batch_size(body.get("cursor") or {})
    database_level = body.get("aggregate") == 1
    coll = None if database_level else ctx.collection_name
    namespace = f"{ctx.db_name}.$cmd.aggregate" if coll is None else ctx.namespace
    if is_change_stream(pipeline):
        level = (body.get("readConcern") or {}).get("level", "majority")
        if level != "majority":
            raise CommandError(
                72,
                "InvalidOptions",
                f"$changeStream does not support read concern level '{level}': a change stream"
                " reads majority-committed changes",
            )
        stream = open_change_stream(
            ctx.backend.oplog, ctx.db_name, coll, pipeline, ctx.backend.lookup
        )
        first = [] if batch_size == 0 else stream.next_batch(batch_size)
        return {"cursor": ctx.cursors.open_stream(namespace, stream, first)}
    check_pipeline(pipeline, database_level)
    stages = ServerStages(
        ctx.client,
        ctx.db_name,
        ctx.backend.log_document,
        ctx.backend.local_sessions,
        ctx.backend.ensure_collection,
    )
    documents = [] if coll is None else ctx.documents({})
    results = run_pipeline(documents, pipeline, ctx.db, stages.handlers())
    return {"cursor": ctx.cursors.open(namespace, results, batch_size=batch_size)}


def _get_more(ctx: _Context) -> dict[str, Any]:
    namespace = f"{ctx.db_name}.{ctx.body.get('collection', '')}"
    return {
        "cursor": ctx.cursors.get_more(int(ctx.body["getMore"]), namespace, _batch_size(ctx.body))
    }


def _kill_cursors(ctx: _Context) -> dict[str, Any]:
    return ctx.cursors.kill([int(cursor_id) for cursor_id in ctx.body.get("cursors", [])])


def _count(ctx: _Context) -> dict[str, Any]:
    query = ctx.query(ctx.body.get("query"))
    collation = parse_collation(ctx.body.get("collation"))
    if collation is None and not ctx.is_view():
        options: dict[str, Any] = {
            key: int(ctx.body[key]) for key in ("skip", "limit") if ctx.body.get(key)
        }
        return {"n": ctx.collection.count_documents(query, **options)}
    count = len(ctx.documents(query, collation)) - int(ctx.body.get("skip") or 0)
    limit = abs(int(ctx.body.get("limit") or 0))
    return {"n": max(0, min(count, limit) if limit else count)}


def _distinct(ctx: _Context) -> dict[str, Any]:
    key = _required(ctx.body, "key", "distinct")
    if not isinstance(key, str):
        raise CommandError(14, "TypeMismatch", "BSON field 'distinct.key' is the wrong type")
    collation = parse_collation(ctx.body.get("collation"))
    documents = ctx.documents(ctx.query(ctx.body.get("query")), collation)
    return {"values": distinct_values(documents, key, collation)}


_INDEX_OPTIONS = (
    "name",
    "unique",
    "sparse",
    "expireAfterSeconds",
    "partialFilterExpression",
    "background",
    "hidden",
    "collation",
)


_MISSING = object()


def _field_value(document: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return _MISSING
        document = document[part]
    return document


def _duplicates_existing_data(
    collection: mongomock.Collection[_Document], keys: list[str], sparse: bool
) -> bool:
    """Whether a unique index on ``keys`` would be violated by the documents already stored.

    Checked here rather than by mongomock, whose check uses ``generator.throw(type, value,
    traceback)``, a DeprecationWarning from Python 3.12 (an error under strict warnings).
    """
    seen: set[str] = set()
    for document in collection.find({}, dict.fromkeys(keys, 1)):
        values = [_field_value(document, key) for key in keys]
        if sparse and all(value is _MISSING for value in values):
            continue
        key = repr([None if value is _MISSING else value for value in values])
        if key in seen:
            return True
        seen.add(key)
    return False


def _create_indexes(ctx: _Context) -> dict[str, Any]:
    collection = ctx.collection
    existed = ctx.collection_name in ctx.db.list_collection_names()
    _ensure_collection(ctx)
    before = len(collection.index_information())
    for spec in ctx.body.get("indexes", []):
        options = {key: spec[key] for key in _INDEX_OPTIONS if key in spec}
        key = _required(spec, "key", "createIndexes.indexes")
        if spec.get("unique") and _duplicates_existing_data(
            collection, list(key), bool(spec.get("sparse"))
        ):
            raise CommandError(11000, "DuplicateKey", _duplicate_key_message(ctx.namespace))
        kept: dict[str, Any] = {
            k: options.pop(k) for k in ("background", "hidden", "collation") if k in options
        }
        name = collection.create_index(list(key.items()), **options)
        if kept:  # mongomock drops the options it does not use: keep them for listIndexes
            store: Any = collection._store
            store.indexes[name].update(kept)
            options.update(kept)
        described = {"v": 2, "key": dict(key), "name": name}
        described.update((k, v) for k, v in options.items() if k != "name")
        ctx.backend.log_namespace(
            "createIndexes",
            ctx.db_name,
            ctx.collection_name,
            {"operationDescription": {"indexes": [described]}},
        )
    return {
        "createdCollectionAutomatically": not existed,
        "numIndexesBefore": before,
        "numIndexesAfter": len(collection.index_information()),
    }


def _require_collection(ctx: _Context) -> None:
    if ctx.collection_name not in ctx.db.list_collection_names():
        raise CommandError(26, "NamespaceNotFound", f"ns does not exist: {ctx.namespace}")


def _list_indexes(ctx: _Context) -> dict[str, Any]:
    _require_collection(ctx)
    indexes = []
    for name, info in ctx.collection.index_information().items():
        index: dict[str, Any] = {"v": 2, "key": dict(info["key"]), "name": name}
        index.update((key, value) for key, value in info.items() if key not in ("key", "v"))
        indexes.append(index)
    return {
        "cursor": ctx.cursors.open(
            ctx.namespace, indexes, batch_size=_batch_size(ctx.body.get("cursor") or {})
        )
    }


def _drop_indexes(ctx: _Context) -> dict[str, Any]:
    _require_collection(ctx)
    collection = ctx.collection
    count = len(collection.index_information())
    target = ctx.body.get("index")
    names = target if isinstance(target, list) else [target]
    for wanted in names:
        if wanted == "*":
            collection.drop_indexes()
            continue
        indexes = collection.index_information()
        name = wanted
        if isinstance(wanted, dict):
            matching = (n for n, info in indexes.items() if dict(info["key"]) == wanted)
            name = next(matching, str(wanted))
        if name == "_id_":
            raise CommandError(72, "InvalidOptions", "cannot drop _id index")
        if not isinstance(name, str) or name not in indexes:
            raise CommandError(27, "IndexNotFound", f"index not found with name [{name}]")
        described = {"v": 2, "key": dict(indexes[name]["key"]), "name": name}
        collection.drop_index(name)
        ctx.backend.log_namespace(
            "dropIndexes",
            ctx.db_name,
            ctx.collection_name,
            {"operationDescription": {"indexes": [described]}},
        )
    return {"nIndexesWas": count}


def _drop(ctx: _Context) -> dict[str, Any]:
    count = 0
    if ctx.collection_name in ctx.db.list_collection_names():
        count = len(ctx.collection.index_information())
        ctx.backend.log_namespace("drop", ctx.db_name, ctx.collection_name)
    ctx.db.drop_collection(ctx.collection_name)
    ctx.backend.catalog.drop(ctx.db_name, ctx.collection_name)
    return {"ns": ctx.namespace, "nIndexesWas": count}


_CREATE_OPTIONS = frozenset(
    {
        "capped",
        "size",
        "max",
        "validator",
        "validationLevel",
        "validationAction",
        "changeStreamPreAndPostImages",
        "viewOn",
        "pipeline",
        "collation",
        "timeseries",
        "expireAfterSeconds",
        "clusteredIndex",
        "storageEngine",
        "indexOptionDefaults",
        "encryptedFields",
    }
)


def _create(ctx: _Context) -> dict[str, Any]:
    options = {key: value for key, value in ctx.body.items() if key in _CREATE_OPTIONS}
    try:
        ctx.db.create_collection(ctx.collection_name)
    except CollectionInvalid as error:
        raise CommandError(
            48, "NamespaceExists", f"Collection {ctx.namespace} already exists."
        ) from error
    ctx.backend.catalog.create(ctx.db_name, ctx.collection_name, options)
    if "viewOn" in options:
        description = {"viewOn": options["viewOn"], "pipeline": options.get("pipeline", [])}
    else:
        description = {"idIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_"}}
    ctx.backend.log_namespace(
        "create", ctx.db_name, ctx.collection_name, {"operationDescription": description}
    )
    return {}


_MODIFIABLE = frozenset(
    {
        "validator",
        "validationLevel",
        "validationAction",
        "changeStreamPreAndPostImages",
        "viewOn",
        "pipeline",
        "expireAfterSeconds",
        "index",
    }
)


def _modify_index(ctx: _Context, spec: Any) -> dict[str, Any]:
    """collMod's ``index``: a new ``expireAfterSeconds`` for one index (the TTL monitor's next
    pass uses it); the reply's ``expireAfterSeconds_old``/``_new``, as mongod reports them.
    """
    if not isinstance(spec, dict):
        raise CommandError(14, "TypeMismatch", "BSON field 'collMod.index' is the wrong type")
    indexes = ctx.collection.index_information()
    if "name" in spec:
        name = spec["name"]
    elif "keyPattern" in spec:
        wanted = spec["keyPattern"]
        name = next((n for n, info in indexes.items() if dict(info["key"]) == wanted), None)
    else:
        raise CommandError(
            72, "InvalidOptions", "must specify either index name or key pattern for collMod"
        )
    store: Any = ctx.collection._store
    if not isinstance(name, str) or name not in store.indexes:
        raise CommandError(27, "IndexNotFound", f"cannot find index {spec} for ns {ctx.namespace}")
    reply: dict[str, Any] = {}
    if "expireAfterSeconds" in spec:
        seconds = spec["expireAfterSeconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            message = "BSON field 'collMod.index.expireAfterSeconds' is the wrong type"
            raise CommandError(14, "TypeMismatch", message)
        index = store.indexes[name]
        if "expireAfterSeconds" in index:
            reply["expireAfterSeconds_old"] = index["expireAfterSeconds"]
        index["expireAfterSeconds"] = seconds
        reply["expireAfterSeconds_new"] = seconds
    return reply


def _coll_mod(ctx: _Context) -> dict[str, Any]:
    _require_collection(ctx)
    changes = {key: value for key, value in ctx.body.items() if key in _MODIFIABLE}
    reply = _modify_index(ctx, changes["index"]) if "index" in changes else {}
    info = ctx.backend.catalog.info(ctx.db_name, ctx.collection_name)
    info.options.update((k, v) for k, v in changes.items() if k != "index")
    ctx.backend.log_namespace(
        "modify", ctx.db_name, ctx.collection_name, {"operationDescription": changes}
    )
    return reply


def _namespace(value: Any, field: str) -> tuple[str, str]:
    if not isinstance(value, str) or "." not in value:
        raise CommandError(73, "InvalidNamespace", f"Invalid {field} namespace: {value!r}")
    db, _, coll = value.partition(".")
    return db, coll


def _rename_collection(ctx: _Context) -> dict[str, Any]:
    if ctx.db_name != "admin":
        raise CommandError(
            13, "Unauthorized", "renameCollection may only be run against the admin database."
        )
    source_db, source = _namespace(ctx.body.get("renameCollection"), "source")
    target_db, target = _namespace(ctx.body.get("to"), "target")
    client = ctx.client
    if source not in client[source_db].list_collection_names():
        raise CommandError(
            26, "NamespaceNotFound", f"Source collection {source_db}.{source} does not exist"
        )
    if (source_db, source) == (target_db, target):
        raise CommandError(20, "IllegalOperation", "Can't rename a collection to itself")
    catalog = ctx.backend.catalog
    description: dict[str, Any] = {"to": {"db": target_db, "coll": target}}
    if target in client[target_db].list_collection_names():
        if not ctx.body.get("dropTarget"):
            raise CommandError(48, "NamespaceExists", "target namespace exists")
        dropped = catalog.info(target_db, target).uuid
        client[target_db].drop_collection(target)
        catalog.drop(target_db, target)
        description["dropTarget"] = dropped
    ctx.backend.log_namespace(
        "rename",
        source_db,
        source,
        {"to": {"db": target_db, "coll": target}, "operationDescription": description},
    )
    old = client[source_db][source]
    new = client[target_db][target]
    client[target_db].create_collection(target)
    for name, index in old.index_information().items():
        if name != "_id_":
            options = {k: v for k, v in index.items() if k not in ("key", "v")}
            new.create_index(index["key"], name=name, **options)
    documents = list(old.find({}))
    if documents:
        new.insert_many(documents)
    client[source_db].drop_collection(source)
    catalog.rename(source_db, source, target_db, target)
    return {}


def _list_collections(ctx: _Context) -> dict[str, Any]:
    wanted = ctx.body.get("filter") or {}
    infos = []
    for name in sorted(ctx.db.list_collection_names()):
        entry = ctx.backend.catalog.info(ctx.db_name, name)
        kind = "view" if "viewOn" in entry.options else "collection"
        info = {"readOnly": kind == "view", "uuid": entry.uuid}
        infos.append({"name": name, "type": kind, "options": dict(entry.options), "info": info})
    infos = [info for info in infos if filter_applies(wanted, info)]  # type: ignore[no-untyped-call]
    if ctx.body.get("nameOnly"):
        infos = [{"name": info["name"], "type": info["type"]} for info in infos]
    namespace = f"{ctx.db_name}.$cmd.listCollections"
    return {
        "cursor": ctx.cursors.open(
            namespace, infos, batch_size=_batch_size(ctx.body.get("cursor") or {})
        )
    }


def _list_databases(ctx: _Context) -> dict[str, Any]:
    names = sorted(ctx.client.list_database_names())
    if ctx.body.get("nameOnly"):
        return {"databases": [{"name": name} for name in names]}
    databases = [{"name": name, "sizeOnDisk": 0, "empty": False} for name in names]
    return {"databases": databases, "totalSize": 0}


def _drop_database(ctx: _Context) -> dict[str, Any]:
    for name in sorted(ctx.db.list_collection_names()):
        ctx.backend.log_namespace("drop", ctx.db_name, name)
    ctx.backend.log_namespace("dropDatabase", ctx.db_name, None)
    ctx.client.drop_database(ctx.db_name)
    ctx.backend.catalog.drop_database(ctx.db_name)
    return {"dropped": ctx.db_name}


def _empty(ctx: _Context) -> dict[str, Any]:
    return {}


def _build_info(ctx: _Context) -> dict[str, Any]:
    return dict(_BUILD_INFO)


_HANDLERS: dict[str, Callable[[_Context], dict[str, Any]]] = {
    "insert": _insert,
    "update": _update,
    "delete": _delete,
    "findAndModify": _find_and_modify,
    "find": _find,
    "aggregate": _aggregate,
    "getMore": _get_more,
    "explain": _explain,
    "validate": _validate,
    "killCursors": _kill_cursors,
    "count": _count,
    "distinct": _distinct,
    "createIndexes": _create_indexes,
    "listIndexes": _list_indexes,
    "dropIndexes": _drop_indexes,
    "drop": _drop,
    "create": _create,
    "collMod": _coll_mod,
    "renameCollection": _rename_collection,
    "listCollections": _list_collections,
    "listDatabases": _list_databases,
    "dropDatabase": _drop_database,
    "ping": _empty,
    "endSessions": _empty,
    "buildInfo": _build_info,
}
_CANONICAL = {name.lower(): name for name in (*_HANDLERS, "hello", "isMaster")}
_TRANSACTION_COMMANDS = frozenset({"committransaction", "aborttransaction"})
_TAKE_LET = frozenset({"find", "aggregate", "update", "delete", "findAndModify"})


_executing = threading.local()
_install_lock = threading.Lock()


def _host_utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _install_server_utcnow() -> None:
    """Point mongomock's documented ``mongomock.utcnow`` hook at the simulated clock.

    mongomock reads it for ``$currentDate`` and, in stores other than the simulator's
    (which never hide documents: see `mongosim._ttl`), to hide TTL-expired documents; its
    default calls ``datetime.utcnow()``, deprecated since Python 3.12 (an error under
    ``filterwarnings = error``). Inside a command the hook returns the executing replica
    set's clock; elsewhere it defers to whatever was installed before.
    """
    with _install_lock:
        previous = mongomock.utcnow  # type: ignore[attr-defined]
        if getattr(previous, "__module__", None) == __name__:
            return
        fallback = _host_utcnow if previous is mongomock.helpers.utcnow else previous

        def utcnow() -> datetime.datetime:
            clock: Clock | None = getattr(_executing, "clock", None)
            return fallback() if clock is None else clock.now()

        mongomock.utcnow = utcnow  # type: ignore[attr-defined]


def canonical_name(name: str) -> str:
    """The command's name as MongoDB documents it (``findandmodify`` -> ``findAndModify``).

    Names the simulator does not know are returned unchanged.
    """
    return _CANONICAL.get(name.lower(), name)


class Backend:
    """Executes commands against one in-memory database, one command at a time.

    The backend is the replica set's shared state: the documents, the oplog (with cluster
    time) and the catalog of collections, which every member reads and writes. Its TTL
    monitor passes fall due every ``ttl_monitor_sleep_secs`` of ``clock`` time
    (`run_ttl_monitor`).

    Examples
    --------
    >>> from mongosim.clock import Clock
    >>> from mongosim.cursors import CursorRegistry
    >>> backend, cursors = Backend(Clock()), CursorRegistry()
    >>> reply = backend.execute({"insert": "c", "documents": [{"_id": 1}], "$db": "db"}, cursors)
    >>> reply["n"], reply["ok"], type(reply["operationTime"]).__name__
    (1, 1.0, 'Timestamp')
    """

    def __init__(
        self, clock: Clock, ttl_monitor_sleep_secs: int = DEFAULT_TTL_MONITOR_SLEEP_SECS
    ) -> None:
        self.clock = clock
        # A store that keeps expired documents until the TTL monitor deletes them, as mongod.
        self.client: _Client = mongomock.MongoClient(_store=unexpiring_store())
        self.ttl_schedule = TTLSchedule(clock.time(), ttl_monitor_sleep_secs)
        # Re-entrant: a change stream opened by one command reads documents (updateLookup).
        self.lock = threading.RLock()
        self.oplog = Oplog(clock)
        self.catalog = Catalog()
        self._sessions: dict[bytes, dict[str, Any]] = {}
        self.writes = DocumentWrites()
        self.writes.observe(self._log_change)
        _install_server_utcnow()
        teach_mongomock()
        speed_up_mongomock()

    def close(self) -> None:
        """Wake every ``getMore`` waiting for change events (the set is closing)."""
        self.oplog.close()

    # -- what commands share ----------------------------------------------------------------

    def log_document(
        self,
        operation: str,
        db: str,
        coll: str,
        before: _Document | None,
        after: _Document | None,
        whole: frozenset[str] = frozenset(),
    ) -> None:
        """Log one document write (``insert``, ``update``, ``replace`` or ``delete``).

        ``whole`` names the paths an update set as a whole (its ``updateDescription``
        reports them as one field). The oplog keeps ``before`` and ``after`` as they are:
        they must not be changed afterwards (the store replaces documents, never edits them).
        """
        info = self.catalog.info(db, coll)
        description: dict[str, Any] = {"uuid": info.uuid, "images": info.images}
        if operation == "update" and before is not None and after is not None:
            description["updateDescription"] = update_description(before, after, whole)
        self.oplog.append(
            operation,
            db,
            coll,
            before=before,
            after=after,
            description=description,
        )

    def log_namespace(
        self, operation: str, db: str, coll: str | None, description: dict[str, Any] | None = None
    ) -> None:
        """Log a change to a collection or database (``drop``, ``rename``, ``create``...)."""
        details = dict(description or {})
        if coll is not None:
            details.setdefault("uuid", self.catalog.info(db, coll).uuid)
        self.oplog.append(operation, db, coll, description=details)

    def locked(self, read: Callable[[], list[_Document]]) -> list[_Document]:
        """``read()`` under the store's lock (a tailable cursor's getMore reads with it)."""
        with self.lock:
            previous, _executing.clock = getattr(_executing, "clock", None), self.clock
            try:
                return read()
            finally:
                _executing.clock = previous

    def lookup(self, db: str, coll: str, document_id: Any) -> _Document | None:
        """The current version of a document (a change stream's ``updateLookup``)."""
        found = self.locked(lambda: list(self.client[db][coll].find({"_id": document_id})))
        return found[0] if found else None

    def select(
        self,
        db: str,
        coll: str,
        query: dict[str, Any],
        collation: Collation | None = None,
        sort: list[tuple[str, Any]] | None = None,
        depth: int = 0,
        *,
        at: Timestamp | None = None,
    ) -> list[_Document]:
        """The documents of ``db.coll`` matching ``query``; a view runs its pipeline first.

        ``at`` reads the collection as it was at that cluster time (a snapshot read).
        """
        view = self.catalog.view(db, coll)
        if view is None and at is not None:
            current = list(self.client[db][coll].find({}))
            return select_from(
                documents_at(self.oplog, db, coll, current, at), query, collation, sort
            )
        if view is None:
            return matching_documents(self.client[db][coll], query, collation, sort)
        if depth > 20:
            raise CommandError(
                149,
                "ViewDepthLimitExceeded",
                "View depth too deep or view cycle detected; maximum depth is 20",
            )
        source, pipeline = view
        documents = self.select(db, source, {}, None, None, depth + 1, at=at)
        viewed = run_pipeline(documents, pipeline, self.client[db])
        return select_from(viewed, query, collation, sort)

    def ensure_collection(self, db: str, coll: str) -> None:
        """Create a collection explicitly if it does not exist."""
        if coll not in self.client[db].list_collection_names():
            self.client[db].create_collection(coll)

    def local_sessions(self) -> list[_Document]:
        """The sessions this server has seen (``$listLocalSessions``)."""
        with self.lock:
            return [copy.deepcopy(session) for session in self._sessions.values()]

    def _remember_session(self, body: dict[str, Any]) -> None:
        lsid = body.get("lsid")
        if not isinstance(lsid, dict) or "id" not in lsid:
            return
        key = bytes(lsid["id"])
        if canonical_name(next(iter(body), "")) == "endSessions":
            return
        self._sessions[key] = {"_id": {"id": lsid["id"]}, "lastUse": self.clock.now()}

    def ttl_monitor_due(self) -> bool:
        """Whether the simulated clock has passed the TTL monitor's next tick."""
        return self.ttl_schedule.due(self.clock.time())

    def run_ttl_monitor(self) -> int:
        """Run the TTL monitor's pass if one is due; how many documents it deleted.

        The pass judges expiry at its tick's time (not at the moment it runs), so a document
        stays until the first tick at or after its expiry, as with mongod's monitor. Each
        document is deleted as a ``delete`` command deletes it: an oplog entry, a change
        stream ``delete`` event. The caller runs it on behalf of the primary only.
        """
        with self.lock:
            tick = self.ttl_schedule.take_due(self.clock.time())
            if tick is None:
                return 0
            at = as_date(tick)
            # Named apart from "delete": a step-down scripted for the next delete command
            # must not land in the monitor's pass.
            run = self.writes.begin("ttlMonitor")
            deleted = 0
            try:
                for db_name in self.client.list_database_names():
                    database = self.client[db_name]
                    for coll in database.list_collection_names():
                        if self.catalog.view(db_name, coll) is not None:
                            continue
                        deleted += self._expire(database[coll], f"{db_name}.{coll}", at, run)
            finally:
                run.finish()
            return deleted

    def _expire(
        self,
        collection: mongomock.Collection[_Document],
        namespace: str,
        at: datetime.datetime,
        run: WriteRun,
    ) -> int:
        deleted = 0
        for index in ttl_indexes(collection.index_information()):
            stored: Any = collection._store
            for document_id in expired_ids(list(stored.documents), index, at):
                deleted += delete_documents(
                    run, collection, namespace, {"_id": document_id}, multi=False
                )
        return deleted

    def _log_change(self, change: DocumentChange) -> None:
        db, _, coll = change.namespace.partition(".")
        self.log_document(change.operation, db, coll, change.before, change.after, change.whole)

    def stamp(self, reply: dict[str, Any]) -> dict[str, Any]:
        """Add ``$clusterTime`` and ``operationTime`` to a reply, as a replica set member does."""
        reply.setdefault("operationTime", self.oplog.cluster_time())
        reply.setdefault("$clusterTime", self.oplog.gossip())
        return reply

    # -- running commands -------------------------------------------------------------------

    def _stream_get_more(
        self, body: dict[str, Any], cursors: CursorRegistry
    ) -> dict[str, Any] | None:
        """A ``getMore`` on a change stream: waits for events without holding the lock."""
        cursor_id = int(body["getMore"])
        namespace = f"{body.get('$db', 'admin')}.{body.get('collection', '')}"
        stream: ChangeStream | TailableCursor | None = cursors.stream(cursor_id, namespace)
        if stream is None:
            return None
        max_await = body.get("maxTimeMS")
        with bound_variables(now=self.clock.now(), cluster_time=self.oplog.cluster_time()):
            wait = None if max_await is None else float(max_await)
            batch = stream.wait_for_batch(_batch_size(body), wait)
        return {"cursor": cursors.stream_batch(cursor_id, namespace, batch)}

    def _run(
        self,
        handler: Callable[[_Context], dict[str, Any]],
        body: dict[str, Any],
        name: str,
        cursors: CursorRegistry,
        statements: StatementLog | None,
        before_write: Callable[[WriteRun], None] | None,
    ) -> dict[str, Any]:
        with self.lock:
            self._remember_session(body)
            _executing.clock = self.clock
            try:
                now = self.clock.now()
                check_read_concern(body, name)
                let = body.get("let") if name in _TAKE_LET else None
                run = self.writes.begin(name, statements=statements, before_write=before_write)
                try:
                    with bound_variables(now=now, cluster_time=self.oplog.cluster_time(), let=let):
                        context = _Context(body, name, self.client, cursors, now, self, run)
                        reply = handler(context)
                finally:
                    run.finish()
                reply["operationTime"] = self.oplog.cluster_time()
                if (body.get("readConcern") or {}).get("level") == "snapshot":
                    # A snapshot read reports the cluster time it read at: the one it named,
                    # else now (the session's later reads then name it).
                    target = reply.get("cursor", reply)
                    at = _Context(body, name, self.client, cursors, now, self, run).snapshot_time()
                    target.setdefault("atClusterTime", at or self.oplog.cluster_time())
                return reply
            finally:
                _executing.clock = None

    def execute(
        self,
        body: dict[str, Any],
        cursors: CursorRegistry,
        *,
        statements: StatementLog | None = None,
        before_write: Callable[[WriteRun], None] | None = None,
    ) -> dict[str, Any]:
        """Run one command; the reply document (``ok: 0`` replies included).

        Parameters
        ----------
        body : dict
            The command as the driver sent it (first key = command name, ``$db`` set).
        cursors : CursorRegistry
            The cursors of the member the command arrived on.
        statements : StatementLog, optional
            The record of a retryable write's ``txnNumber``: statements it holds are not
            executed again.
        before_write : callable, optional
            Called with the command's `WriteRun` before each document is written.

        Raises
        ------
        ConnectionDropped
            When ``before_write`` decided that the connection closes.
        """
        name = next(iter(body), "")
        canonical = canonical_name(name)
        try:
            handler = _HANDLERS.get(canonical)
            if body.get("startTransaction") or name.lower() in _TRANSACTION_COMMANDS:
                raise CommandError(
                    20, "IllegalOperation", "mongosim does not support transactions"
                )
            if handler is None:
                raise CommandError(59, "CommandNotFound", f"no such command: '{name}'")
            reply = self._stream_get_more(body, cursors) if canonical == "getMore" else None
            if reply is None:
                reply = self._run(handler, body, canonical, cursors, statements, before_write)
        except ConnectionDropped:
            raise
        except WriteInterrupted:
            return self.stamp(
                CommandError(
                    11602, "InterruptedDueToReplStateChange", "operation was interrupted"
                ).reply()
            )
        except CommandError as error:
            return self.stamp(error.reply())
        except DuplicateKeyError:
            namespace = f"{body.get('$db')}.{body.get(name)}"
            message = _duplicate_key_message(namespace)
            return self.stamp(CommandError(11000, "DuplicateKey", message).reply())
        except OperationFailure as error:
            return self.stamp(CommandError(error.code or 2, "BadValue", str(error)).reply())
        except NotImplementedError as error:
            message = f"mongosim (mongomock) does not implement this: {error}"
            return self.stamp(CommandError(115, "CommandNotSupported", message).reply())
        except Exception as error:
            logger.exception("mongomock failed on %s", name)
            message = f"mongomock failed: {type(error).__name__}: {error}"
            return self.stamp(CommandError(1, "InternalError", message).reply())
        reply["ok"] = 1.0
        return self.stamp(reply)
