"""The ``aggregate`` command's stages that need the server: ``$documents``, ``$merge``,
``$out`` and ``$listLocalSessions``, and which stages a database-level aggregate may start
with.

mongomock has no ``$merge`` and no database-level aggregation (``{aggregate: 1}``); its
``$out`` writes behind the oplog's back. These stages write through the simulator (each
document logged, unique indexes enforced with mongod's DuplicateKey details).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymongo.errors import DuplicateKeyError

from mongosim._command_error import CommandError
from mongosim._duplicate_keys import duplicate_key
from mongosim._expressions import MISSING, evaluate_in, scope_for
from mongosim._pipeline import stage_name
from mongosim._updates import apply_update
from mongosim._values import values_equal

if TYPE_CHECKING:
    from collections.abc import Callable

    import mongomock

    from mongosim._pipeline import Handler

    _Collection = mongomock.Collection[dict[str, Any]]

__all__ = ["DATABASE_STAGES", "ServerStages", "check_pipeline"]

DATABASE_STAGES = frozenset({"$documents", "$currentOp", "$listLocalSessions", "$changeStream"})
"""The stages a database-level aggregate (``{aggregate: 1}``) may start with."""

_WRITE_STAGES = ("$out", "$merge")


def check_pipeline(pipeline: list[Any], database_level: bool) -> None:
    """Refuse what mongod refuses before running anything (stage placement)."""
    names = [stage_name(stage) for stage in pipeline]
    for position, name in enumerate(names):
        if name in _WRITE_STAGES and position != len(names) - 1:
            raise CommandError(
                40601, "Location40601", f"{name} can only be the final stage in the pipeline"
            )
        if name in ("$documents", "$listLocalSessions", "$currentOp") and position != 0:
            raise CommandError(
                40602, "Location40602", f"{name} is only valid as the first stage in a pipeline"
            )
    if database_level and (not names or names[0] not in DATABASE_STAGES):
        first = names[0] if names else "empty pipeline"
        raise CommandError(
            73,
            "InvalidNamespace",
            f"{{aggregate: 1}} is not valid for '{first}'; a collection is required.",
        )
    if not database_level and names and names[0] == "$documents":
        raise CommandError(
            73, "InvalidNamespace", "$documents' is only valid on database-level aggregates"
        )


@dataclass
class ServerStages:
    """The server-side stages of one ``aggregate`` command.

    Parameters
    ----------
    client : mongomock.MongoClient
        The store.
    db : str
        The database the command runs in.
    log_document : callable
        ``log_document(operation, db, coll, before, after)`` logs a document write.
    local_sessions : callable
        Returns the sessions this server has seen (``$listLocalSessions``).
    ensure_collection : callable
        ``ensure_collection(db, coll)`` creates a collection explicitly.
    """

    client: Any
    db: str
    log_document: Callable[[str, str, str, dict[str, Any] | None, dict[str, Any] | None], None]
    local_sessions: Callable[[], list[dict[str, Any]]]
    ensure_collection: Callable[[str, str], None]

    def handlers(self) -> dict[str, Handler]:
        """Stage name -> handler, for [`run_pipeline`][mongosim._pipeline.run_pipeline]."""
        return {
            "$documents": self._documents,
            "$merge": self._merge,
            "$out": self._out,
            "$listLocalSessions": self._list_local_sessions,
        }

    def _documents(self, documents: list[Any], database: Any, spec: Any) -> list[Any]:
        value = evaluate_in(spec, scope_for({}))
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise CommandError(
                5858203,
                "Location5858203",
                "error during lookup: $documents must evaluate to an array of objects",
            )
        return copy.deepcopy(value)

    def _list_local_sessions(self, documents: list[Any], database: Any, spec: Any) -> list[Any]:
        return self.local_sessions()

    def _target(self, spec: Any, stage: str) -> tuple[str, str]:
        if isinstance(spec, str):
            return self.db, spec
        if isinstance(spec, dict):
            target = spec.get("into", spec) if stage == "$merge" else spec
            if isinstance(target, str):
                return self.db, target
            if isinstance(target, dict) and isinstance(target.get("coll"), str):
                return str(target.get("db", self.db)), target["coll"]
        raise CommandError(
            14, "TypeMismatch", f"{stage} requires a collection name, or a document with 'coll'"
        )

    def _collection(self, db: str, coll: str) -> _Collection:
        collection: _Collection = self.client[db][coll]
        return collection

    def _insert(self, db: str, coll: str, document: dict[str, Any]) -> None:
        collection = self._collection(db, coll)
        try:
            collection.insert_one(document)
        except DuplicateKeyError as error:
            raise duplicate_key(collection, document, f"{db}.{coll}") from error
        self.log_document("insert", db, coll, None, copy.deepcopy(document))

    def _replace(self, db: str, coll: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        collection = self._collection(db, coll)
        try:
            collection.replace_one({"_id": before["_id"]}, after)
        except DuplicateKeyError as error:
            raise duplicate_key(collection, after, f"{db}.{coll}") from error
        operation = "replace"
        self.log_document(operation, db, coll, before, copy.deepcopy(after))

    def _out(self, documents: list[Any], database: Any, spec: Any) -> list[Any]:
        db, coll = self._target(spec, "$out")
        collection = self._collection(db, coll)
        for existing in list(collection.find({})):
            collection.delete_one({"_id": existing["_id"]})
            self.log_document("delete", db, coll, existing, None)
        self.ensure_collection(db, coll)
        for document in documents:
            self._insert(db, coll, copy.deepcopy(document))
        return []

    def _merge(self, documents: list[Any], database: Any, spec: Any) -> list[Any]:
        db, coll = self._target(spec, "$merge")
        options = spec if isinstance(spec, dict) else {}
        on = options.get("on", "_id")
        fields = [on] if isinstance(on, str) else list(on)
        when_matched = options.get("whenMatched", "merge")
        when_not_matched = options.get("whenNotMatched", "insert")
        variables = options.get("let", {"new": "$$ROOT"})
        collection = self._collection(db, coll)
        self.ensure_collection(db, coll)
        for document in documents:
            document = copy.deepcopy(document)
            key = {field: document.get(field, MISSING) for field in fields}
            if any(value is MISSING for value in key.values()):
                if fields == ["_id"]:
                    from bson import ObjectId

                    document["_id"] = ObjectId()
                    key = {"_id": document["_id"]}
                else:
                    raise CommandError(
                        51132,
                        "Location51132",
                        "$merge write error: 'on' field cannot be missing, null, undefined or an"
                        " array",
                    )
            existing = next(
                (
                    stored
                    for stored in collection.find({})
                    if all(values_equal(stored.get(f), v) for f, v in key.items())
                ),
                None,
            )
            if existing is None:
                if when_not_matched == "insert":
                    self._insert(db, coll, document)
                elif when_not_matched == "fail":
                    raise CommandError(
                        13113,
                        "MergeStageNoMatchingDocument",
                        "$merge could not find a matching document in the target collection for"
                        " at least one document in the source collection",
                    )
                continue
            self._merge_matched(db, coll, existing, document, when_matched, variables)
        return []

    def _merge_matched(
        self,
        db: str,
        coll: str,
        existing: dict[str, Any],
        document: dict[str, Any],
        when_matched: Any,
        variables: dict[str, Any],
    ) -> None:
        if when_matched == "keepExisting":
            return
        if when_matched == "fail":
            collection = self._collection(db, coll)
            error = duplicate_key(collection, {**document, "_id": existing["_id"]}, f"{db}.{coll}")
            raise error
        if when_matched == "replace":
            after = {"_id": existing["_id"], **{k: v for k, v in document.items() if k != "_id"}}
        elif when_matched == "merge":
            after = {**existing, **document, "_id": existing["_id"]}
        elif isinstance(when_matched, list):
            bound = {
                name: evaluate_in(expression, scope_for(document))
                for name, expression in variables.items()
            }
            from mongosim._expressions import bound_variables, command_variables

            current = command_variables()
            with bound_variables(
                now=current["NOW"], cluster_time=current.get("CLUSTER_TIME"), let=None
            ) as scope_variables:
                scope_variables.update(bound)
                after = apply_update(existing, when_matched)
        else:
            raise CommandError(
                51191,
                "Location51191",
                f"Enumeration value '{when_matched}' for field"
                " 'whenMatched' is not a valid value.",
            )
        self._replace(db, coll, existing, after)
