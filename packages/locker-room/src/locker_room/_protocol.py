"""The MongoDB commands of the lock protocol (described in the package docstring).

Pure functions: each returns the filter and update of one round trip, or judges a document
read back. The sync and async lock rooms send them; nothing here does I/O.
"""

from __future__ import annotations

import math
import os
import secrets
import socket
from typing import Any

from locker_room._errors import LockError, LockLost, NotLockOwner

__all__ = [
    "Document",
    "acquire_command",
    "check_lock_args",
    "default_owner",
    "force_release_update",
    "new_attempt",
    "release_command",
    "release_failure",
    "renew_command",
    "status_of_missing",
    "status_pipeline",
]

Document = dict[str, Any]

_NOW = "$$NOW"


def default_owner(thread: str) -> str:
    """``hostname:pid:thread:random``; callers keep one per thread (or task) and room.

    The random part tells apart threads that reuse an identifier of a finished thread.
    """
    return f"{socket.gethostname()}:{os.getpid()}:{thread}:{secrets.token_hex(4)}"


def new_attempt() -> str:
    """Identify one lock or release call, so that repeating its write is harmless."""
    return secrets.token_hex(8)


def check_lock_args(name: object, owner: object, timeout: object, ttl: object) -> None:
    """Raise TypeError/ValueError naming the first bad argument of a lock call."""
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a str, got {type(name).__name__}")
    if not name:
        raise ValueError("`name` must be a non-empty string")
    if owner is not None and (not isinstance(owner, str) or not owner):
        raise ValueError(f"`owner` must be a non-empty string or None, got {owner!r}")
    if timeout is not None:
        _check_seconds("timeout", timeout, allow_zero=True)
    _check_seconds("ttl", ttl, allow_zero=False)


def _check_seconds(key: str, value: object, *, allow_zero: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"`{key}` must be a number of seconds, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"`{key}` must be a finite number of seconds {bound}, got {value!r}")


def acquire_command(
    name: str, owner: str, ttl: float, *, reentrant: bool, attempt: str
) -> tuple[Document, list[Document]]:
    """Filter and pipeline update of the one acquire round trip (``upsert=True``).

    The filter matches when the lock is free, expired by the server's clock, or the
    caller's; otherwise the upsert collides on ``_id`` (DuplicateKeyError): held. A
    continuing hold (the caller's, unexpired) keeps its token; any new hold bumps it.
    Repeating the same ``attempt`` does not count a reentrant hold twice.
    """
    expired = {"$expr": {"$lte": ["$expires_at", _NOW]}}
    query = {"_id": name, "$or": [{"locked": False}, {"owner": owner}, expired]}
    continuing = {
        "$and": [
            {"$eq": ["$locked", True]},
            {"$eq": ["$owner", {"$literal": owner}]},
            {"$gt": ["$expires_at", _NOW]},
        ]
    }
    if reentrant:
        repeated = {"$eq": ["$attempt", attempt]}
        holds: object = {
            "$cond": [continuing, {"$cond": [repeated, "$holds", {"$add": ["$holds", 1]}]}, 1]
        }
    else:
        holds = 1
    later = {"$add": [_NOW, _millis(ttl)]}
    update = {
        "locked": True,
        "owner": {"$literal": owner},  # an owner like "$x" is a name, not a field path
        "holds": holds,
        "token": {"$cond": [continuing, "$token", {"$add": [{"$ifNull": ["$token", 0]}, 1]}]},
        "timestamp": {"$cond": [continuing, "$timestamp", _NOW]},
        # A continuing hold is only ever extended: a shorter ttl must not cut short the
        # lease of an outer hold, whose local bound counts on the later expiry.
        "expires_at": {"$cond": [continuing, {"$max": ["$expires_at", later]}, later]},
        "attempt": attempt,
    }
    return query, [{"$set": update}]


def renew_command(
    name: str, owner: str, token: int, ttl: float
) -> tuple[Document, list[Document]]:
    """Extend an unexpired lease to ``$$NOW + ttl`` (never shorten it); none once expired."""
    query = {
        "_id": name,
        "owner": owner,
        "token": token,
        "locked": True,
        "$expr": {"$gt": ["$expires_at", _NOW]},
    }
    later = {"$add": [_NOW, _millis(ttl)]}
    return query, [{"$set": {"expires_at": {"$max": ["$expires_at", later]}}}]


def release_command(
    name: str, owner: str, token: int | None, attempt: str
) -> tuple[Document, list[Document]]:
    """Drop one hold of ``owner`` (of lease ``token`` when known); the last one unlocks.

    The document stays, so the token never goes back. Repeating the same ``attempt``
    does not drop a second hold.
    """
    query: Document = {"_id": name, "owner": owner, "locked": True}
    if token is not None:
        query["token"] = token
    repeated = {"$eq": ["$attempt", attempt]}
    holds = {"$cond": [repeated, "$holds", {"$subtract": ["$holds", 1]}]}
    return query, [
        {"$set": {"holds": holds, "attempt": attempt}},
        {"$set": {"locked": {"$gt": ["$holds", 0]}}},
    ]


def release_failure(
    doc: Document | None, name: str, owner: str, token: int | None, attempt: str
) -> LockError | None:
    """Judge a release whose update matched nothing, from the document read back.

    Returns None when this very release had been applied (its reply was lost), otherwise
    the error to raise.
    """
    if doc is None:
        return NotLockOwner(name, owner, None, detail=" (no such lock)")
    if doc.get("attempt") == attempt and doc.get("owner") == owner:
        return None
    holder = doc.get("owner") if doc.get("locked") else None
    if token is not None and doc.get("token") != token:
        now = doc.get("token")
        if holder is None:  # broken by force_release, or taken and released since
            return LockLost(
                name, token, f"it expired or was force-released; the token is now {now}"
            )
        return LockLost(name, token, f"it expired and {holder!r} took it (token {now})")
    if token is not None:
        return NotLockOwner(name, owner, holder, detail=" (lease already released)")
    return NotLockOwner(name, owner, holder)


def force_release_update() -> list[Document]:
    """Unlock whoever holds it; bump the token so the broken holder's release reports it."""
    return [
        {
            "$set": {
                "locked": False,
                "holds": 0,
                "token": {"$add": [{"$ifNull": ["$token", 0]}, 1]},
            }
        }
    ]


def status_pipeline(name: str | None) -> list[Document]:
    """Aggregation giving the status of one lock (or all); ``locked`` compares to ``$$NOW``."""
    project = {
        "_id": 1,
        "locked": {"$and": [{"$eq": ["$locked", True]}, {"$gt": ["$expires_at", _NOW]}]},
        "owner": 1,
        "timestamp": 1,
        "expires_at": 1,
        "token": 1,
    }
    match: Document = {} if name is None else {"_id": name}
    # Sorting before projecting lets the server walk the _id index instead of sorting.
    return [{"$match": match}, {"$sort": {"_id": 1}}, {"$project": project}]


def status_of_missing(name: str) -> Document:
    """Status of a lock that was never taken."""
    return {
        "_id": name,
        "locked": False,
        "owner": None,
        "timestamp": None,
        "expires_at": None,
        "token": 0,
    }


def _millis(seconds: float) -> int:
    return max(1, round(seconds * 1000))
