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

from bson import ObjectId
from mongomock import helpers as mongomock_helpers
from pymongo.errors import DuplicateKeyError

from mongosim._duplicate_keys import duplicate_key
from mongosim._updates import check_storable

if TYPE_CHECKING:
    import mongomock

    _Collection = mongomock.Collection[dict[str, Any]]

__all__ = ["delete_stored", "insert_stored", "replace_stored", "stored_key"]


def stored_key(document_id: Any) -> Any:
    """The key mongomock's store files a document under (documents are not hashable)."""
    return (
        mongomock_helpers.hashdict(document_id) if isinstance(document_id, dict) else document_id
    )


def _store(collection: _Collection) -> Any:
    return collection._store


def _check_uniques(collection: _Collection, document: dict[str, Any]) -> None:
    collection._ensure_uniques(document)


def insert_stored(
    collection: _Collection, namespace: str, document: dict[str, Any]
) -> dict[str, Any]:
    """Store a new document (``_id`` first, generated if absent); the stored document.

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
    collection: _Collection, namespace: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Replace the stored ``before`` by ``after`` (same ``_id``), keeping unique indexes.

    Raises
    ------
    DuplicateKey
        If ``after`` collides with another document on a unique index (nothing changes).
    """
    check_storable(after)
    store = _store(collection)
    key = stored_key(before["_id"])
    store[key] = after
    try:
        _check_uniques(collection, after)
    except DuplicateKeyError:
        store[key] = before
        raise duplicate_key(collection, after, namespace) from None


def delete_stored(collection: _Collection, document_id: Any) -> bool:
    """Remove a document by ``_id``; whether it was there."""
    store = _store(collection)
    key = stored_key(document_id)
    if key not in store:
        return False
    del store[key]
    return True
