"""``writeConcern`` as a replica set honours it: how many members must have the write.

Every member of a simulated set shares one database, so a write is on every *live* member
at once. What remains of a write concern is what a real set checks: ``w`` larger than the
set is UnsatisfiableWriteConcern (100), a tag the set does not define is
UnknownReplWriteConcern (79), both reported as a ``writeConcernError`` after the write was
applied; and a ``w`` (or ``"majority"``) that needs more live members than there are waits
for them, up to ``wtimeout``, then reports WriteConcernFailed (64).
"""

from __future__ import annotations

from typing import Any

from mongosim._command_error import CommandError

__all__ = [
    "SUPPORTS_WRITE_CONCERN",
    "members_needed",
    "takes_write_concern",
    "timeout_error",
    "wtimeout_seconds",
]

SUPPORTS_WRITE_CONCERN = frozenset(
    {
        "insert",
        "update",
        "delete",
        "findAndModify",
        "create",
        "drop",
        "dropDatabase",
        "createIndexes",
        "dropIndexes",
        "collMod",
        "renameCollection",
    }
)
"""Commands that take a ``writeConcern`` (and may reply with a ``writeConcernError``).

An ``aggregate`` ending in ``$out`` or ``$merge`` does too (see `takes_write_concern`).
"""


def takes_write_concern(name: str, body: dict[str, Any]) -> bool:
    """Whether the command writes and so honours ``writeConcern``.

    Examples
    --------
    >>> takes_write_concern("aggregate", {"pipeline": [{"$match": {}}, {"$out": "c"}]})
    True
    >>> takes_write_concern("aggregate", {"pipeline": [{"$match": {}}]})
    False
    """
    if name in SUPPORTS_WRITE_CONCERN:
        return True
    pipeline = body.get("pipeline")
    return (
        name == "aggregate"
        and isinstance(pipeline, list)
        and bool(pipeline)
        and isinstance(pipeline[-1], dict)
        and ("$out" in pipeline[-1] or "$merge" in pipeline[-1])
    )


def _write_concern(body: dict[str, Any]) -> dict[str, Any] | None:
    concern = body.get("writeConcern")
    if concern is None:
        return None
    if not isinstance(concern, dict):
        raise CommandError(14, "TypeMismatch", "writeConcern must be an object")
    return concern


def members_needed(body: dict[str, Any], members: int) -> tuple[int, dict[str, Any] | None]:
    """How many live members the write must reach, or the ``writeConcernError`` to report.

    Raises
    ------
    CommandError
        FailedToParse (9) for a ``w`` that is neither a number >= 0 nor a string, or a
        ``wtimeout`` that is not a number: refused before the write, as mongod does.

    Examples
    --------
    >>> members_needed({"writeConcern": {"w": "majority"}}, 3)
    (2, None)
    >>> members_needed({"writeConcern": {"w": 5}}, 3)[1]["code"]
    100
    """
    concern = _write_concern(body)
    if concern is None:
        return 1, None
    wtimeout = concern.get("wtimeout", 0)
    if isinstance(wtimeout, bool) or not isinstance(wtimeout, (int, float)):
        raise CommandError(9, "FailedToParse", "wtimeout must be a number")
    w = concern.get("w", 1)
    if isinstance(w, str):
        if w == "majority":
            return members // 2 + 1, None
        return 1, {
            "code": 79,
            "codeName": "UnknownReplWriteConcern",
            "errmsg": f"No write concern mode named '{w}' found in replica set configuration",
            "errInfo": {"writeConcern": dict(concern)},
        }
    if isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0 or w != int(w):
        raise CommandError(9, "FailedToParse", "w has to be a non-negative number or a string")
    if w > members:
        return 1, {
            "code": 100,
            "codeName": "UnsatisfiableWriteConcern",
            "errmsg": "Not enough data-bearing nodes",
            "errInfo": {"writeConcern": dict(concern)},
        }
    return int(w), None


def wtimeout_seconds(body: dict[str, Any]) -> float | None:
    """``wtimeout`` in seconds, or None for "wait as long as it takes" (0 or absent)."""
    concern = _write_concern(body) or {}
    wtimeout = concern.get("wtimeout", 0)
    return wtimeout / 1000 if wtimeout else None


def timeout_error(body: dict[str, Any]) -> dict[str, Any]:
    """The ``writeConcernError`` of a write whose concern was not met within ``wtimeout``."""
    return {
        "code": 64,
        "codeName": "WriteConcernFailed",
        "errmsg": "waiting for replication timed out",
        "errInfo": {"wtimeout": True, "writeConcern": dict(_write_concern(body) or {})},
    }
