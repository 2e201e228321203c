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
    "DEFAULT_TTL",
    "Document",
    "acquire_command",
    "check_lock_args",
    "default_owner",
    "dequeue_command",
    "enqueue_command",
    "force_release_update",
    "new_attempt",
    "queued",
    "release_command",
    "release_outcome",
    "renew_command",
    "renewal_outcome",
    "status_of_missing",
    "status_pipeline",
    "wait_pipeline",
    "wake_events",
]

DEFAULT_TTL = 60.0
"""Lease length in seconds when `lock` is given no `ttl`."""

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


def _live(queue: object) -> Document:
    """The waiting queue's entries whose own lease has not expired (crashed waiters drop out)."""
    return {
        "$filter": {
            "input": {"$ifNull": [queue, []]},
            "as": "e",
            "cond": {"$gt": ["$$e.expires_at", _NOW]},
        }
    }


def _literal(value: str) -> object:
    """``value`` as an expression: a string starting with ``$`` would be read as a field path."""
    return {"$literal": value} if value.startswith("$") else value


def _owners(entries: object) -> Document:
    return {"$map": {"input": entries, "as": "e", "in": "$$e.owner"}}


def acquire_command(
    name: str, owner: str, ttl: float, *, reentrant: bool, attempt: str, fair: bool = False
) -> tuple[Document, list[Document]]:
    """Filter and pipeline update of the one acquire round trip (``upsert=True``).

    The filter matches when the lock is free, expired by the server's clock, or the
    caller's; otherwise the upsert collides on ``_id`` (DuplicateKeyError): held. A
    continuing hold (the caller's, unexpired) keeps its token; any new hold bumps it.
    Repeating the same ``attempt`` does not count a reentrant hold twice. A ``fair`` acquire
    also needs the waiting queue to be empty or headed by the caller, and leaves the queue.
    """
    expired = {"$expr": {"$lte": ["$expires_at", _NOW]}}
    takeable: Document = {"$or": [{"locked": False}, {"owner": owner}, expired]}
    if fair:
        live = _live("$queue")
        head = {"$ifNull": [{"$arrayElemAt": [_owners(live), 0]}, None]}
        my_turn = {"$or": [{"$eq": [{"$size": live}, 0]}, {"$eq": [head, _literal(owner)]}]}
        # A hold of the caller's that has not expired continues (a re-lock, or the hand-over
        # of a release); one that expired is a new hold like anyone's: its turn comes.
        unexpired = {"$expr": {"$gt": ["$expires_at", _NOW]}}
        query: Document = {
            "_id": name,
            "$or": [
                {"owner": owner, "locked": True, **unexpired},
                {"$and": [takeable, {"$expr": my_turn}]},
            ],
        }
    else:
        query = {"_id": name, **takeable}
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
    update: Document = {
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
    if fair:
        mine = {"$eq": ["$$e.owner", _literal(owner)]}
        update["queue"] = {
            "$filter": {"input": _live("$queue"), "as": "e", "cond": {"$not": [mine]}}
        }
    return query, [{"$set": update}]


def enqueue_command(
    name: str, owner: str, ttl: float, attempt: str
) -> tuple[Document, list[Document]]:
    """Join the waiting queue of a fair lock, or renew the caller's place in it.

    Each entry is a lease of its own (``expires_at``, renewed by the waiter while it waits),
    so a waiter that crashed leaves the queue when its entry expires. The entry carries the
    ttl and attempt the release hands the lock over with. Nothing is added once a release
    has handed the lock to this ``attempt``.
    """
    entry = {
        "owner": _literal(owner),
        "attempt": attempt,
        "ttl_ms": _millis(ttl),
        "expires_at": {"$add": [_NOW, _millis(ttl)]},
    }
    mine = {"$eq": ["$$e.owner", _literal(owner)]}
    queued = {"$in": [_literal(owner), _owners("$queue")]}
    renewed = {"$map": {"input": "$queue", "as": "e", "in": {"$cond": [mine, entry, "$$e"]}}}
    # A release may have handed the lock to this very wait before the waiter saw it: renewing
    # the entry then must not queue the new holder behind itself.
    handed = {
        "$and": [
            {"$eq": ["$locked", True]},
            {"$eq": ["$owner", _literal(owner)]},
            {"$eq": ["$attempt", attempt]},
            {"$gt": ["$expires_at", _NOW]},
        ]
    }
    joined = {"$cond": [handed, "$queue", {"$concatArrays": ["$queue", [entry]]}]}
    return {"_id": name}, [
        {"$set": {"queue": _live("$queue")}},
        {"$set": {"queue": {"$cond": [queued, renewed, joined]}}},
    ]


def dequeue_command(name: str, owner: str) -> tuple[Document, list[Document]]:
    """Leave the waiting queue (a fair waiter that gives up)."""
    mine = {"$eq": ["$$e.owner", _literal(owner)]}
    return {"_id": name}, [
        {
            "$set": {
                "queue": {
                    "$filter": {"input": _live("$queue"), "as": "e", "cond": {"$not": [mine]}}
                }
            }
        }
    ]


def queued(doc: Document | None, owner: str) -> bool:
    """Whether the lock document ``doc`` still has a queue entry of ``owner`` (live or not)."""
    queue = (doc or {}).get("queue") or []
    return any(isinstance(entry, dict) and entry.get("owner") == owner for entry in queue)


def renew_command(
    name: str, owner: str, token: int, ttl: float, attempt: str
) -> tuple[Document, list[Document]]:
    """Extend an unexpired lease to ``$$NOW + ttl`` (never shorten it); none once expired.

    ``renewal`` records the attempt, so that a renewal whose reply was lost is settled by
    reading the document.
    """
    query = {
        "_id": name,
        "owner": owner,
        "token": token,
        "locked": True,
        "$expr": {"$gt": ["$expires_at", _NOW]},
    }
    later = {"$add": [_NOW, _millis(ttl)]}
    return query, [{"$set": {"expires_at": {"$max": ["$expires_at", later]}, "renewal": attempt}}]


def renewal_outcome(doc: Document | None, owner: str, token: int, attempt: str) -> bool | None:
    """Judge an unsettled renewal from the document read back.

    True: it was applied (the lease runs to ``doc["expires_at"]``); None: it was not, but the
    hold is still the caller's (send it again); False: the hold is gone.
    """
    if doc is None or doc.get("owner") != owner or doc.get("token") != token:
        return False
    if not doc.get("locked"):
        return False
    return True if doc.get("renewal") == attempt else None


def release_command(
    name: str, owner: str, token: int | None, attempt: str
) -> tuple[Document, list[Document]]:
    """Drop one hold of ``owner`` (of lease ``token`` when known); the last one unlocks.

    The document stays, so the token never goes back. Repeating the same ``attempt``
    does not drop a second hold. When the last hold goes and fair waiters are queued, the
    lock passes to the first of them whose entry is still alive, in the same write: a new
    token, its ttl, its attempt.
    """
    query: Document = {"_id": name, "owner": owner, "locked": True}
    if token is not None:
        query["token"] = token
    repeated = {"$eq": ["$release", attempt]}
    holds = {"$cond": [repeated, "$holds", {"$subtract": ["$holds", 1]}]}
    live = _live("$queue")
    nxt = "$_next"
    handed = {"$ne": [{"$ifNull": [nxt, None]}, None]}

    def either(if_handed: object, otherwise: object) -> Document:
        return {"$cond": [handed, if_handed, otherwise]}

    return query, [
        {"$set": {"holds": holds, "release": attempt, "queue": live}},
        {
            "$set": {
                "_next": {
                    "$cond": [
                        {"$or": [{"$gt": ["$holds", 0]}, {"$eq": [{"$size": "$queue"}, 0]}]},
                        None,
                        {"$arrayElemAt": ["$queue", 0]},
                    ]
                }
            }
        },
        {
            "$set": {
                "locked": either(True, {"$gt": ["$holds", 0]}),
                "owner": either("$_next.owner", "$owner"),
                "holds": either(1, "$holds"),
                "token": either({"$add": ["$token", 1]}, "$token"),
                "timestamp": either(_NOW, "$timestamp"),
                "expires_at": either({"$add": [_NOW, "$_next.ttl_ms"]}, "$expires_at"),
                "attempt": either("$_next.attempt", "$attempt"),
                "queue": either(
                    {
                        "$filter": {
                            "input": "$queue",
                            "as": "e",
                            "cond": {"$ne": ["$$e.owner", "$_next.owner"]},  # owners are unique
                        }
                    },
                    "$queue",
                ),
            }
        },
        {"$unset": "_next"},
    ]


def release_outcome(
    doc: Document | None, name: str, owner: str, token: int | None, attempt: str
) -> LockError | bool | None:
    """Judge a release that matched nothing, or whose reply was lost, from the document.

    None: this very release was applied. True: it was not, and the hold is still the
    caller's (send it again). Otherwise the error to raise.
    """
    if doc is None:
        return NotLockOwner(name, owner, None, detail=" (no such lock)")
    if doc.get("release") == attempt:
        return None
    holder = doc.get("owner") if doc.get("locked") else None
    if holder == owner and (token is None or doc.get("token") == token):
        return True
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


def wait_pipeline(name: str) -> list[Document]:
    """What a waiter reads: the hold, milliseconds left on its lease and on each queued waiter's.

    The server computes the remaining times with its own clock, so the waiter can sleep
    until the lease ends without comparing clocks.
    """
    remaining = {"$subtract": ["$$e.expires_at", _NOW]}
    project = {
        "_id": 1,
        "locked": {"$and": [{"$eq": ["$locked", True]}, {"$gt": ["$expires_at", _NOW]}]},
        "owner": 1,
        "token": 1,
        "timestamp": 1,
        "expires_at": 1,
        "attempt": 1,
        "remaining_ms": {"$subtract": ["$expires_at", _NOW]},
        "queue": {
            "$map": {
                "input": _live("$queue"),
                "as": "e",
                "in": {"owner": "$$e.owner", "remaining_ms": remaining},
            }
        },
    }
    return [{"$match": {"_id": name}}, {"$project": project}]


def wake_events(name: str, attempt: str | None = None) -> list[Document]:
    """The change-stream pipeline of a waiter on ``name``: only events worth an acquire attempt.

    An update that unlocks (a release, ``force_release``), a delete, a replacement or an
    invalidation can have freed the lock; a fair waiter passes its ``attempt`` to hear also
    of a release that handed the lock to it (the owner may be unchanged, the attempt is
    not). The server filters out the rest (renewals, queue changes, other owners'
    acquisitions), so they wake no waiter and cost it no round trip; a waiter also wakes
    when the lease it read ends, which no event announces.

    Examples
    --------
    >>> [stage] = wake_events("nightly", attempt="a1")
    >>> stage["$match"]["documentKey._id"], len(stage["$match"]["$or"])
    ('nightly', 4)
    """
    wakes: list[Document] = [
        {"operationType": {"$ne": "update"}},
        {"updateDescription.updatedFields.locked": False},
        {"updateDescription.removedFields": {"$in": ["locked", "owner"]}},
    ]
    if attempt is not None:
        wakes.append({"updateDescription.updatedFields.attempt": attempt})
    return [{"$match": {"documentKey._id": name, "$or": wakes}}]


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
