"""Storing one document in mongomock's collection the way mongod stores it.

mongomock's public ``insert_one``/``replace_one`` refuse documents a MongoDB 5.0+ server
accepts (top-level ``$``-prefixed or dotted field names) and report a duplicate key without
saying which. The simulator's writes go through these three functions instead: they check
what mongod checks ([`check_storable`][mongosim._updates.check_storable]), enforce unique
indexes, and raise [`DuplicateKey`][mongosim._duplicate_keys.DuplicateKey] with the index
name, ``keyPattern`` and ``keyValue``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bson
from bson import ObjectId
from mongomock import helpers as mongomock_helpers
from pymongo.errors import DuplicateKeyError

from mongosim._command_error import CommandError
from mongosim._duplicate_keys import duplicate_key
from mongosim._updates import check_storable

if TYPE_CHECKING:
    from collections.abc import Callable

    import mongomock

    _Collection = mongomock.Collection[dict[str, Any]]
    Validate = Callable[[dict[str, Any] | None, dict[str, Any]], None]

__all__ = [
    "MAX_BSON_SIZE",
    "delete_stored",
    "insert_stored",
    "replace_stored",
    "stored_document",
    "stored_key",
]

MAX_BSON_SIZE = 16 * 1024 * 1024
"""The largest document mongod stores (16 MiB)."""


def stored_key(document_id: Any) -> Any:
    """The key mongomock's store files a document under (documents are not hashable)."""
    return (
        mongomock_helpers.hashdict(document_id) if isinstance(document_id, dict) else document_id
    )


def _store(collection: _Collection) -> Any:
    return collection._store


def _check_size(document: dict[str, Any], *, update: bool) -> None:
    size = len(bson.encode(document))
    if size <= MAX_BSON_SIZE:
        return
    if update:
        raise CommandError(
            17419,
            "Location17419",
            f"Resulting document after update is larger than {MAX_BSON_SIZE}",
        )
    raise CommandError(
        10334,
        "BSONObjectTooLarge",
        f"object to insert too large. size in bytes: {size}, max size: {MAX_BSON_SIZE}",
    )


def _check_uniques(collection: _Collection, document: dict[str, Any]) -> None:
    collection._ensure_uniques(document)


def insert_stored(
    collection: _Collection,
    namespace: str,
    document: dict[str, Any],
    validate: Validate | None = None,
) -> dict[str, Any]:
    """Store a new document (``_id`` first, generated if absent); the stored document.

    ``validate(None, document)`` may refuse it (the collection's validator).

    Raises
    ------
    DuplicateKey
        If its ``_id`` or a unique index key is taken.
    CommandError
        If mongod would refuse to store it (an array ``_id``...).
    """
    if "_id" not in document:
        document = {"_id": ObjectId(), **document}
    elif next(iter(document)) != "_id":
        document = {"_id": document["_id"], **{k: v for k, v in document.items() if k != "_id"}}
    check_storable(document)
    _check_size(document, update=False)
    if validate is not None:
        validate(None, document)
    store = _store(collection)
    key = stored_key(document["_id"])
    if key in store:
        raise duplicate_key(collection, document, namespace)
    store[key] = document
    try:
        _check_uniques(collection, document)
    except DuplicateKeyError:
        del store[key]
        raise duplicate_key(collection, document, namespace) from None
    return document


def replace_stored(
    collection: _Collection,
    namespace: str,
    before: dict[str, Any],
    after: dict[str, Any],
    validate: Validate | None = None,
) -> None:
    """Replace the stored ``before`` by ``after`` (same ``_id``), keeping unique indexes.

    ``validate(before, after)`` may refuse it (the collection's validator).

    Raises
    ------
    DuplicateKey
        If ``after`` collides with another document on a unique index (nothing changes).
    """
    check_storable(after)
    _check_size(after, update=True)
    if validate is not None:
        validate(before, after)
    store = _store(collection)
    key = stored_key(before["_id"])
    store[key] = after
    try:
        _check_uniques(collection, after)
    except DuplicateKeyError:
        store[key] = before
        raise duplicate_key(collection, after, namespace) from None


def stored_document(collection: _Collection, document_id: Any) -> dict[str, Any] | None:
    """The stored document itself (not a copy): read it, never change it."""
    store = _store(collection)
    key = stored_key(document_id)
    if key not in store:
        return None
    document: dict[str, Any] = store[key]
    return document


def delete_stored(collection: _Collection, document_id: Any) -> bool:
    """Remove a document by ``_id``; whether it was there."""
    store = _store(collection)
    key = stored_key(document_id)
    if key not in store:
        return False
    del store[key]
    return True
