"""What each pymongo method does, by name: the table the proxy's retry decisions start from."""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterator, Mapping, Sequence, Sized
from typing import Any

from pymongo.operations import DeleteMany, UpdateMany

from ._state import OperationKind

__all__ = [
    "Call",
    "classify",
    "command_kind",
    "pipeline_writes",
    "pymongo_retries",
    "rereadable",
    "sends_several_commands",
]


class Call(enum.Enum):
    """How the proxy runs a method."""

    #: Retried under the policy (kind decides what is safe).
    RETRIED = "retried"
    #: ``find``: no I/O at call time, returns a resumable cursor.
    FIND = "find"
    #: Retried, and the returned command cursor resumes after the last document's sort key.
    SORTED_CURSOR = "sorted_cursor"
    #: Retried, and the returned command cursor resumes by skipping names already yielded.
    NAMED_CURSOR = "named_cursor"
    #: Called once, unchanged: no I/O, or pymongo handles it (sessions, change streams).
    PASSTHROUGH = "passthrough"


_READS = frozenset(
    {
        "find_one",
        "count_documents",
        "estimated_document_count",
        "distinct",
        "index_information",
        "list_collection_names",
        "list_database_names",
        "list_search_indexes",
        "server_info",
        "options",
        "dereference",
        "validate_collection",
    }
)
# Applying these twice leaves the same state behind.
_IDEMPOTENT = frozenset(
    {"create_index", "create_indexes", "drop", "drop_collection", "drop_database", "drop_indexes"}
)
_NAMED_CURSORS = frozenset({"list_indexes", "list_collections", "list_databases"})
_PASSTHROUGH = frozenset(
    {
        "start_session",
        "close",
        "watch",
        "with_options",
        "get_database",
        "get_collection",
        "get_default_database",
        "find_raw_batches",
        "aggregate_raw_batches",
        "cursor_command",
    }
)
# Commands that only read, for Database.command("name", ...).
_READ_COMMANDS = frozenset(
    {
        "ping",
        "hello",
        "ismaster",
        "buildinfo",
        "serverstatus",
        "dbstats",
        "collstats",
        "count",
        "distinct",
        "listcollections",
        "listindexes",
        "listdatabases",
        "connectionstatus",
        "hostinfo",
        "getparameter",
        "replsetgetstatus",
        "explain",
    }
)


def classify(
    name: str, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[Call, OperationKind, bool]:
    """How to run ``name(*args, **kwargs)``: (call mode, kind, idempotent by nature)."""
    if name in _PASSTHROUGH:
        return Call.PASSTHROUGH, OperationKind.READ, False
    if name == "find":
        return Call.FIND, OperationKind.READ, False
    if name in _READS:
        return Call.RETRIED, OperationKind.READ, False
    if name in _NAMED_CURSORS:
        return Call.NAMED_CURSOR, OperationKind.READ, False
    if name == "aggregate":
        pipeline = args[0] if args else kwargs.get("pipeline", ())
        if pipeline_writes(pipeline):
            return Call.RETRIED, OperationKind.WRITE, False
        return Call.SORTED_CURSOR, OperationKind.READ, False
    if name == "command":
        command = args[0] if args else kwargs.get("command")
        return Call.RETRIED, command_kind(command), False
    return Call.RETRIED, OperationKind.WRITE, name in _IDEMPOTENT


# Writes that may send one command per batch or per run of one operation type; their first
# argument is the documents / requests / models.
_BATCHED = frozenset({"insert_many", "bulk_write"})


# Writes pymongo retries itself when the client has retryWrites on: their commands carry a
# txnNumber, and pymongo sends them again after a network error or a labelled refusal.
_RETRYABLE_WRITES = frozenset(
    {
        "insert_one",
        "insert_many",
        "update_one",
        "replace_one",
        "delete_one",
        "find_one_and_delete",
        "find_one_and_replace",
        "find_one_and_update",
        "bulk_write",
    }
)


def _items(args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """The documents / requests / models of a batched write."""
    if args:
        return args[0]
    given = [kwargs[key] for key in ("documents", "requests", "models") if key in kwargs]
    return given[0] if given else None


def sends_several_commands(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> bool:
    """Whether the call may send several write commands.

    A refusal of a later one does not prove that the earlier ones were not applied.
    """
    if name not in _BATCHED:
        return False
    items = _items(args, kwargs)
    # A generator's length is unknown: assume several.
    return not (isinstance(items, Sized) and len(items) <= 1)


def pymongo_retries(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> bool:
    """Whether pymongo retries this write itself on a client with ``retryWrites`` on.

    It then raises only its last attempt's error: a refusal of a retry says nothing of an
    earlier attempt whose reply was lost.
    """
    if name not in _RETRYABLE_WRITES:
        return False
    if name == "bulk_write":
        items = _items(args, kwargs)
        if isinstance(items, Collection) and not isinstance(items, (str, bytes, Mapping)):
            # A bulk with a multi-document update or delete is not a retryable write.
            return not any(isinstance(item, (UpdateMany, DeleteMany)) for item in items)
    return True


def pipeline_writes(pipeline: Any) -> bool:
    """Whether an aggregation pipeline ends by writing ($out / $merge)."""
    return any(
        isinstance(stage, Mapping) and ("$out" in stage or "$merge" in stage)
        for stage in pipeline or ()
    )


def command_kind(command: Any) -> OperationKind:
    """READ for commands known to only read, WRITE (the careful answer) otherwise."""
    name = command if isinstance(command, str) else next(iter(command or {}), "")
    return OperationKind.READ if str(name).lower() in _READ_COMMANDS else OperationKind.WRITE


def rereadable(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of ``name`` with a one-shot iterator of documents read into a list.

    pymongo's ``insert_many`` reads its documents before it selects a server: a retry
    after a server selection timeout (nothing was sent) would get an exhausted iterator.
    """
    if name != "insert_many":
        return args, kwargs
    if args and isinstance(args[0], Iterator):
        return (_read(args[0]), *args[1:]), kwargs
    if isinstance(kwargs.get("documents"), Iterator):
        return args, {**kwargs, "documents": _read(kwargs["documents"])}
    return args, kwargs


def _read(documents: Iterator[Any]) -> Any:
    read = list(documents)
    # An empty list fails pymongo's argument check, an empty iterator its execution: keep
    # the error pymongo gives without the proxy.
    return read if read else iter(())
