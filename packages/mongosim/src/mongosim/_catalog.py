"""What mongod knows about each collection beside its documents: its UUID and its options.

mongomock keeps documents and indexes only. A collection's UUID (``listCollections``'
``info.uuid``, change events' ``collectionUUID``) and its creation options (``validator``,
``changeStreamPreAndPostImages``, ``viewOn``...) live here, per replica set. A collection
that mongomock created implicitly (by an insert) gets its UUID the first time it is asked
for.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from bson import Binary

__all__ = ["Catalog", "CollectionInfo"]


@dataclass
class CollectionInfo:
    """One collection's UUID and options (as ``create``/``collMod`` set them)."""

    uuid: Binary = field(default_factory=lambda: Binary.from_uuid(uuid.uuid4()))
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def images(self) -> bool:
        """Whether writes record pre- and post-images (``changeStreamPreAndPostImages``)."""
        setting = self.options.get("changeStreamPreAndPostImages")
        return isinstance(setting, dict) and bool(setting.get("enabled"))


class Catalog:
    """Collections' UUIDs and options, by namespace.

    Examples
    --------
    >>> catalog = Catalog()
    >>> info = catalog.info("db", "c")
    >>> catalog.info("db", "c").uuid == info.uuid, catalog.drop("db", "c") is info
    (True, True)
    """

    def __init__(self) -> None:
        self._collections: dict[tuple[str, str], CollectionInfo] = {}
        self._lock = threading.Lock()

    def info(self, db: str, coll: str) -> CollectionInfo:
        """The collection's entry, created (new UUID, no options) if it has none yet."""
        with self._lock:
            info = self._collections.get((db, coll))
            if info is None:
                info = self._collections[(db, coll)] = CollectionInfo()
            return info

    def create(self, db: str, coll: str, options: dict[str, Any]) -> CollectionInfo:
        """A new entry for a newly created collection."""
        with self._lock:
            info = CollectionInfo(options=dict(options))
            self._collections[(db, coll)] = info
            return info

    def view(self, db: str, coll: str) -> tuple[str, list[Any]] | None:
        """``(viewOn, pipeline)`` if the namespace is a view, else None."""
        with self._lock:
            info = self._collections.get((db, coll))
        if info is None or "viewOn" not in info.options:
            return None
        return str(info.options["viewOn"]), list(info.options.get("pipeline") or [])

    def drop(self, db: str, coll: str) -> CollectionInfo | None:
        """Forget a dropped collection; its entry, if it had one."""
        with self._lock:
            return self._collections.pop((db, coll), None)

    def drop_database(self, db: str) -> None:
        """Forget every collection of a dropped database."""
        with self._lock:
            for key in [key for key in self._collections if key[0] == db]:
                del self._collections[key]

    def rename(self, db: str, coll: str, to_db: str, to_coll: str) -> None:
        """Move an entry to a new namespace (``renameCollection``); the UUID is kept."""
        with self._lock:
            info = self._collections.pop((db, coll), None) or CollectionInfo()
            self._collections[(to_db, to_coll)] = info
