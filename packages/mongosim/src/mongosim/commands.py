"""Database commands, executed for real by one shared mongomock client.

Every member of a replica set hands its commands to the same `Backend`, so data
written through one member is read through any other, and survives failovers. One lock
serialises the commands: mongomock is not thread-safe, and a linearizable store is a
stricter peer than a real replica set, never a looser one.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mongomock
from mongomock.filtering import filter_applies
from pymongo.errors import CollectionInvalid, DuplicateKeyError, OperationFailure

from mongosim._command_error import CommandError
from mongosim._document_writes import (
    DocumentChange,
    DocumentWrites,
    WriteInterrupted,
    WriteRun,
    delete_documents,
    update_documents,
)
from mongosim._mongomock_gaps import (
    add_dates_to_mongomock,
    guard_missing_fields,
    unset_as_project,
)
from mongosim._mongomock_speed import speed_up_mongomock
from mongosim._server_time import bind_now, set_current_dates

if TYPE_CHECKING:
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


def _is_replacement(update: object) -> bool:
    return isinstance(update, dict) and not any(key.startswith("$") for key in update)


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
        run: WriteRun,
    ) -> None:
        self.body = body
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
        """A filter as mongomock can run it, ``$$NOW`` bound to this command's time."""
        return guard_missing_fields(bind_now(query or {}, self.now))

    def pipeline(self, stages: Any) -> Any:
        """An aggregation or update pipeline as mongomock can run it."""
        if not isinstance(stages, list):
            return stages
        bound = unset_as_project(bind_now(stages, self.now))
        return [
            {"$match": guard_missing_fields(stage["$match"])}
            if isinstance(stage, dict) and list(stage) == ["$match"]
            else stage
            for stage in bound
        ]

    def update_spec(self, update: Any) -> Any:
        if isinstance(update, list):
            return self.pipeline(update)
        if isinstance(update, dict) and not _is_replacement(update):
            return set_current_dates(update, self.now)
        return update


def _write_error(index: int, error: OperationFailure, namespace: str) -> dict[str, Any]:
    if isinstance(error, DuplicateKeyError):
        return {"index": index, "code": 11000, "errmsg": _duplicate_key_message(namespace)}
    return {"index": index, "code": error.code or 2, "errmsg": str(error)}


def _ensure_collection(ctx: _Context) -> None:
    """Create the collection explicitly: mongomock forgets one that has no documents left."""
    if ctx.collection_name not in ctx.db.list_collection_names():
        ctx.db.create_collection(ctx.collection_name)


def _insert(ctx: _Context) -> dict[str, Any]:
    _ensure_collection(ctx)
    collection = ctx.collection
    inserted, errors = 0, []
    for index, document in enumerate(ctx.body.get("documents", [])):
        ctx.run.step()
        try:
            collection.insert_one(document)
        except OperationFailure as error:
            errors.append(_write_error(index, error, ctx.namespace))
            if ctx.body.get("ordered", True):
                break
        else:
            inserted += 1
            ctx.run.record(DocumentChange("insert", ctx.namespace, None, document))
    reply: dict[str, Any] = {"n": inserted}
    if errors:
        reply["writeErrors"] = errors
    return reply


def _update(ctx: _Context) -> dict[str, Any]:
    collection = ctx.collection
    matched = modified = 0
    upserted: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for index, statement in enumerate(ctx.body.get("updates", [])):
        query = ctx.query(statement.get("q"))
        update = ctx.update_spec(statement.get("u", {}))
        upsert = bool(statement.get("upsert", False))
        if upsert:
            _ensure_collection(ctx)
        options: dict[str, Any] = {}
        if statement.get("arrayFilters"):
            options["array_filters"] = statement["arrayFilters"]
        try:
            result = update_documents(
                ctx.run,
                collection,
                ctx.namespace,
                query,
                update,
                replacement=_is_replacement(update),
                multi=bool(statement.get("multi")),
                upsert=upsert,
                options=options,
            )
        except OperationFailure as error:
            errors.append(_write_error(index, error, ctx.namespace))
            if ctx.body.get("ordered", True):
                break
            continue
        matched += result.matched
        modified += result.modified
        if result.upserted_id is not None:
            upserted.append({"index": index, "_id": result.upserted_id})
    reply: dict[str, Any] = {"n": matched + len(upserted), "nModified": modified}
    if upserted:
        reply["upserted"] = upserted
    if errors:
        reply["writeErrors"] = errors
    return reply


def _delete(ctx: _Context) -> dict[str, Any]:
    collection = ctx.collection
    deleted = 0
    for statement in ctx.body.get("deletes", []):
        query = ctx.query(statement.get("q"))
        multi = statement.get("limit", 0) != 1
        deleted += delete_documents(ctx.run, collection, ctx.namespace, query, multi=multi)
    return {"n": deleted}


def _find_and_modify(ctx: _Context) -> dict[str, Any]:
    body, collection = ctx.body, ctx.collection
    query = ctx.query(body.get("query"))
    fields = body.get("fields")
    existing = collection.find_one(query, sort=_sort_spec(body.get("sort")), projection={"_id": 1})
    if body.get("remove"):
        if existing is None:
            return {"value": None, "lastErrorObject": {"n": 0}}
        ctx.run.step()
        before = collection.find_one({"_id": existing["_id"]})
        removed = collection.find_one({"_id": existing["_id"]}, projection=fields)
        collection.delete_one({"_id": existing["_id"]})
        ctx.run.record(DocumentChange("delete", ctx.namespace, before, None))
        return {"value": removed, "lastErrorObject": {"n": 1}}
    update = ctx.update_spec(body.get("update"))
    if update is None:
        raise CommandError(9, "FailedToParse", "Either an update or remove=true must be specified")
    replacement = _is_replacement(update)
    write = collection.replace_one if replacement else collection.update_one
    new = bool(body.get("new", False))
    if existing is not None:
        selector = {"_id": existing["_id"]}
        ctx.run.step()
        before = collection.find_one(selector)
        value = None if new else collection.find_one(selector, projection=fields)
        if write(selector, update).modified_count:
            operation = "replace" if replacement else "update"
            after = collection.find_one(selector)
            ctx.run.record(DocumentChange(operation, ctx.namespace, before, after))
        if new:
            value = collection.find_one(selector, projection=fields)
        return {"value": value, "lastErrorObject": {"n": 1, "updatedExisting": True}}
    if not body.get("upsert"):
        return {"value": None, "lastErrorObject": {"n": 0, "updatedExisting": False}}
    _ensure_collection(ctx)
    ctx.run.step()
    upserted_id = write(query, update, upsert=True).upserted_id
    inserted = collection.find_one({"_id": upserted_id})
    ctx.run.record(DocumentChange("insert", ctx.namespace, None, inserted))
    value = collection.find_one({"_id": upserted_id}, projection=fields) if new else None
    last_error = {"n": 1, "updatedExisting": False, "upserted": upserted_id}
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
    if sort := _sort_spec(body.get("sort")):
        options["sort"] = sort
    if body.get("skip"):
        options["skip"] = int(body["skip"])
    limit = int(body.get("limit") or 0)
    if limit:
        options["limit"] = abs(limit)
    docs = list(
        ctx.collection.find(ctx.query(body.get("filter")), body.get("projection"), **options)
    )
    single_batch = bool(body.get("singleBatch")) or limit < 0
    cursor = ctx.cursors.open(
        ctx.namespace, docs, batch_size=_batch_size(body), single_batch=single_batch
    )
    return {"cursor": cursor}


def _aggregate(ctx: _Context) -> dict[str, Any]:
    pipeline = ctx.pipeline(ctx.body.get("pipeline", []))
    docs = list(ctx.collection.aggregate(pipeline))
    batch_size = _batch_size(ctx.body.get("cursor") or {})
    return {"cursor": ctx.cursors.open(ctx.namespace, docs, batch_size=batch_size)}


def _get_more(ctx: _Context) -> dict[str, Any]:
    namespace = f"{ctx.db_name}.{ctx.body.get('collection', '')}"
    return {
        "cursor": ctx.cursors.get_more(int(ctx.body["getMore"]), namespace, _batch_size(ctx.body))
    }


def _kill_cursors(ctx: _Context) -> dict[str, Any]:
    return ctx.cursors.kill([int(cursor_id) for cursor_id in ctx.body.get("cursors", [])])


def _count(ctx: _Context) -> dict[str, Any]:
    options: dict[str, Any] = {
        key: int(ctx.body[key]) for key in ("skip", "limit") if ctx.body.get(key)
    }
    query = ctx.query(ctx.body.get("query"))
    return {"n": ctx.collection.count_documents(query, **options)}


def _distinct(ctx: _Context) -> dict[str, Any]:
    query = ctx.query(ctx.body.get("query"))
    return {"values": ctx.collection.distinct(_required(ctx.body, "key", "distinct"), query)}


_INDEX_OPTIONS = ("name", "unique", "sparse", "expireAfterSeconds", "partialFilterExpression")


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
        collection.create_index(list(key.items()), **options)
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
        collection.drop_index(name)
    return {"nIndexesWas": count}


def _drop(ctx: _Context) -> dict[str, Any]:
    count = 0
    if ctx.collection_name in ctx.db.list_collection_names():
        count = len(ctx.collection.index_information())
    ctx.db.drop_collection(ctx.collection_name)
    return {"ns": ctx.namespace, "nIndexesWas": count}


def _create(ctx: _Context) -> dict[str, Any]:
    try:
        ctx.db.create_collection(ctx.collection_name)
    except CollectionInvalid as error:
        raise CommandError(
            48, "NamespaceExists", f"Collection {ctx.namespace} already exists."
        ) from error
    return {}


def _list_collections(ctx: _Context) -> dict[str, Any]:
    wanted = ctx.body.get("filter") or {}
    infos = [
        {"name": name, "type": "collection", "options": {}, "info": {"readOnly": False}}
        for name in sorted(ctx.db.list_collection_names())
    ]
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
    ctx.client.drop_database(ctx.db_name)
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
    "killCursors": _kill_cursors,
    "count": _count,
    "distinct": _distinct,
    "createIndexes": _create_indexes,
    "listIndexes": _list_indexes,
    "dropIndexes": _drop_indexes,
    "drop": _drop,
    "create": _create,
    "listCollections": _list_collections,
    "listDatabases": _list_databases,
    "dropDatabase": _drop_database,
    "ping": _empty,
    "endSessions": _empty,
    "buildInfo": _build_info,
}
_CANONICAL = {name.lower(): name for name in (*_HANDLERS, "hello", "isMaster")}
_TRANSACTION_COMMANDS = frozenset({"committransaction", "aborttransaction"})


_executing = threading.local()
_install_lock = threading.Lock()


def _host_utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _install_server_utcnow() -> None:
    """Point mongomock's documented ``mongomock.utcnow`` hook at the simulated clock.

    mongomock reads it to hide TTL-expired documents; its default calls
    ``datetime.utcnow()``, deprecated since Python 3.12 (an error under
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

    Examples
    --------
    >>> from mongosim.clock import Clock
    >>> from mongosim.cursors import CursorRegistry
    >>> backend, cursors = Backend(Clock()), CursorRegistry()
    >>> backend.execute({"insert": "c", "documents": [{"_id": 1}], "$db": "db"}, cursors)
    {'n': 1, 'ok': 1.0}
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.client: _Client = mongomock.MongoClient()
        self.lock = threading.Lock()
        self.writes = DocumentWrites()
        _install_server_utcnow()
        add_dates_to_mongomock()
        speed_up_mongomock()

    def execute(self, body: dict[str, Any], cursors: CursorRegistry) -> dict[str, Any]:
        """Run one command; the reply document (``ok: 0`` replies included).

        Parameters
        ----------
        body : dict
            The command as the driver sent it (first key = command name, ``$db`` set).
        cursors : CursorRegistry
            The cursors of the member the command arrived on.
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
            with self.lock:
                _executing.clock = self.clock
                run = self.writes.begin(canonical)
                try:
                    now = self.clock.now()
                    context = _Context(body, canonical, self.client, cursors, now, run)
                    reply = handler(context)
                finally:
                    _executing.clock = None
                    run.finish()
        except WriteInterrupted:
            return CommandError(
                11602, "InterruptedDueToReplStateChange", "operation was interrupted"
            ).reply()
        except CommandError as error:
            return error.reply()
        except DuplicateKeyError:
            namespace = f"{body.get('$db')}.{body.get(name)}"
            message = _duplicate_key_message(namespace)
            return CommandError(11000, "DuplicateKey", message).reply()
        except OperationFailure as error:
            return CommandError(error.code or 2, "BadValue", str(error)).reply()
        except NotImplementedError as error:
            message = f"mongosim (mongomock) does not implement this: {error}"
            return CommandError(115, "CommandNotSupported", message).reply()
        except KeyError as error:
            message = (
                f"mongomock cannot evaluate a missing field {error} here (MongoDB can):"
                " wrap the field path in $ifNull"
            )
            return CommandError(1, "InternalError", message).reply()
        except Exception as error:
            logger.exception("mongomock failed on %s", name)
            message = f"mongomock failed: {type(error).__name__}: {error}"
            return CommandError(1, "InternalError", message).reply()
        reply["ok"] = 1.0
        return reply
