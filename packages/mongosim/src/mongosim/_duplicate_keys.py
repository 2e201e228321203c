"""DuplicateKey (E11000) errors worded as mongod words them.

mongomock only says that *some* unique index was violated. mongod names the index and the
key: ``E11000 duplicate key error collection: db.c index: email_1 dup key: { email: "a" }``,
with ``keyPattern`` and ``keyValue`` beside the message (in ``writeErrors`` entries, in
command errors, and so in pymongo's ``DuplicateKeyError.details``). This module finds which
unique index a document collides on and builds that error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mongosim._command_error import CommandError
from mongosim._values import MISSING, render, values_equal

if TYPE_CHECKING:
    import mongomock

__all__ = ["DuplicateKey", "duplicate_key", "find_collision"]


class DuplicateKey(CommandError):
    """E11000 with the index's name, ``keyPattern`` and ``keyValue``."""

    def __init__(
        self, namespace: str, index: str, key_pattern: dict[str, Any], key_value: dict[str, Any]
    ) -> None:
        shown = render(key_value, spaced=True) if key_value else "{}"
        super().__init__(
            11000,
            "DuplicateKey",
            f"E11000 duplicate key error collection: {namespace} index: {index} dup key: {shown}",
        )
        self.key_pattern = key_pattern
        self.key_value = key_value

    def reply(self) -> dict[str, Any]:
        """The command error reply, ``keyPattern`` and ``keyValue`` included."""
        document = super().reply()
        document["keyPattern"] = dict(self.key_pattern)
        document["keyValue"] = dict(self.key_value)
        return document

    def write_error(self, index: int) -> dict[str, Any]:
        """The ``writeErrors`` entry for the statement at ``index``."""
        return {
            "index": index,
            "code": self.code,
            "keyPattern": dict(self.key_pattern),
            "keyValue": dict(self.key_value),
            "errmsg": self.message,
        }


def _value(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part, MISSING)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def _keys_equal(a: Any, b: Any) -> bool:
    a = None if a is MISSING else a
    b = None if b is MISSING else b
    if isinstance(a, list) and not isinstance(b, list):
        return any(values_equal(item, b) for item in a)
    if isinstance(b, list) and not isinstance(a, list):
        return any(values_equal(a, item) for item in b)
    return values_equal(a, b)


def find_collision(
    collection: mongomock.Collection[dict[str, Any]],
    document: dict[str, Any],
    namespace: str,
) -> DuplicateKey | None:
    """The error ``document`` would get from the collection's unique indexes, if any.

    Documents with the same ``_id`` as ``document`` (its stored version) are not counted.
    """
    from mongomock.filtering import filter_applies

    own_id = document.get("_id", MISSING)
    stored = list(collection.find({}))
    for name, info in collection.index_information().items():
        pattern = dict(info["key"])
        if name != "_id_" and not info.get("unique"):
            continue
        values = [_value(document, field) for field in pattern]
        if info.get("sparse") and all(value is MISSING for value in values):
            continue
        partial = info.get("partialFilterExpression")
        if partial is not None and not filter_applies(partial, document):  # type: ignore[no-untyped-call]
            continue
        for other in stored:
            if name != "_id_" and own_id is not MISSING and values_equal(other["_id"], own_id):
                continue
            if partial is not None and not filter_applies(partial, other):  # type: ignore[no-untyped-call]
                continue
            theirs = [_value(other, field) for field in pattern]
            if all(_keys_equal(mine, their) for mine, their in zip(values, theirs, strict=True)):
                key_value = {
                    field: None if value is MISSING else value
                    for field, value in zip(pattern, values, strict=True)
                }
                return DuplicateKey(namespace, name, pattern, key_value)
    return None


def duplicate_key(
    collection: mongomock.Collection[dict[str, Any]], document: dict[str, Any], namespace: str
) -> DuplicateKey:
    """The detailed error for a write of ``document`` that mongomock refused as a duplicate.

    Falls back to the ``_id`` index when no collision can be found (the write raced with
    nothing: mongomock and this module disagree), so the driver still gets E11000.

    Examples
    --------
    >>> import mongomock
    >>> collection = mongomock.MongoClient().db.c
    >>> _ = collection.create_index("email", unique=True)
    >>> _ = collection.insert_one({"_id": 1, "email": "a@x"})
    >>> duplicate_key(collection, {"_id": 2, "email": "a@x"}, "db.c").reply()["errmsg"]
    'E11000 duplicate key error collection: db.c index: email_1 dup key: { email: "a@x" }'
    """
    found = find_collision(collection, document, namespace)
    if found is not None:
        return found
    return DuplicateKey(namespace, "_id_", {"_id": 1}, {"_id": document.get("_id")})
