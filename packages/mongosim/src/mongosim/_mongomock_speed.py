"""Make mongomock's hot paths cost O(1) per document where MongoDB's do.

mongomock is written for small test collections. Two of its paths grow with the collection
in a way a driver's test suite notices (pymongo's ``test_numerous_inserts`` counts 100,100
documents):

- Iterating a mongomock ``Cursor`` slices the whole result list again for every document
  (``results[skip:][:limit][i]``), so reading n documents costs O(n^2). Every ``find``,
  ``aggregate`` and ``count`` goes through it.
- A filter on ``_id`` scans the collection, although documents are stored by ``_id``:
  ``find_one({"_id": x})``, and each document of a multi-document write, costs O(n).

Both are replaced by equivalent code; results are the same documents in the same order.
"""

from __future__ import annotations

import threading
from typing import Any

from bson import ObjectId
from mongomock import collection as mongomock_collection
from mongomock.filtering import filter_applies

__all__ = ["speed_up_mongomock"]

_patch_lock = threading.Lock()
_NO_LOOKUP = object()


def _exact_id(query: Any) -> Any:
    """The ``_id`` an equality filter names, if a store lookup finds what a scan would.

    Strings and ObjectIds equal only themselves; Python already equates the numbers 1, 1.0
    and Int64(1) as MongoDB does (mongomock cannot store a Decimal128 ``_id`` at all).
    Booleans and NaN are left to the scan. Returns ``_NO_LOOKUP`` for any other filter.
    """
    if not isinstance(query, dict) or "_id" not in query:
        return _NO_LOOKUP
    wanted = query["_id"]
    if isinstance(wanted, dict) and list(wanted) == ["$eq"]:
        wanted = wanted["$eq"]
    if isinstance(wanted, (str, ObjectId)):
        return wanted
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool) and wanted == wanted:
        return wanted
    return _NO_LOOKUP


def _cursor_next(self: Any) -> Any:
    """``Cursor.__next__`` without copying the result list for every document."""
    results = self._compute_results(with_limit_and_skip=False)
    if self._limit and self._emitted >= abs(self._limit):
        raise StopIteration
    index = self._skip + self._emitted
    if index >= len(results):
        raise StopIteration
    self._emitted += 1
    return results[index]


def speed_up_mongomock() -> None:
    """Install the O(1) cursor step and the ``_id`` lookup into mongomock (idempotent)."""
    cursor_class: Any = mongomock_collection.Cursor
    collection_class: Any = mongomock_collection.Collection
    with _patch_lock:
        if getattr(collection_class._iter_documents, "_mongosim_speed", False):
            return
        scan = collection_class._iter_documents

        def iter_documents(self: Any, query: Any) -> Any:
            wanted = _exact_id(query)
            if wanted is _NO_LOOKUP:
                return scan(self, query)
            store = self._store
            if wanted not in store:
                return iter(())
            document = store[wanted]
            matches = filter_applies(query, document)  # type: ignore[no-untyped-call]
            return iter([document] if matches else [])

        iter_documents._mongosim_speed = True  # type: ignore[attr-defined]
        collection_class._iter_documents = iter_documents
        cursor_class.__next__ = _cursor_next
        cursor_class.next = _cursor_next
