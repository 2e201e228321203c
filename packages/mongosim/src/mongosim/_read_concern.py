"""``readConcern`` as a replica set member checks it, ``afterClusterTime`` included.

The simulator's store is linearizable (every member reads the one store, after every write
that was acknowledged), so every level is satisfied by reading now; what remains is
refusing what mongod refuses: an unknown level, an ``afterClusterTime`` that is not a
Timestamp, ``linearizable`` with a ``$out``/``$merge`` stage. ``afterClusterTime`` (causal
consistency) is then always already reached: the oplog's cluster time is the newest any
client can have seen.
"""

from __future__ import annotations

from typing import Any

from bson import Timestamp

from mongosim._command_error import CommandError

__all__ = ["LEVELS", "check_read_concern"]

LEVELS = frozenset({"local", "majority", "linearizable", "available", "snapshot"})
"""The read concern levels mongod knows."""

_FIELDS = frozenset({"level", "afterClusterTime", "afterOpTime", "atClusterTime", "provenance"})


_SNAPSHOT_COMMANDS = frozenset({"find", "aggregate", "distinct", "getMore", "explain"})


def check_read_concern(body: dict[str, Any], name: str = "") -> None:
    """Raise the error mongod gives for the command's ``readConcern``, if any.

    ``name`` is the command's canonical name: outside a transaction only ``find``,
    ``aggregate`` and ``distinct`` read at a snapshot.

    Examples
    --------
    >>> check_read_concern({"find": "c", "readConcern": {"level": "majority"}}, "find")
    >>> try:
    ...     check_read_concern({"find": "c", "readConcern": {"level": "strong"}}, "find")
    ... except CommandError as error:
    ...     error.code_name
    'FailedToParse'
    """
    concern = body.get("readConcern")
    if concern is None:
        return
    if not isinstance(concern, dict):
        raise CommandError(14, "TypeMismatch", "BSON field 'readConcern' is the wrong type")
    for key in concern:
        if key not in _FIELDS:
            raise CommandError(
                40415, "Location40415", f"BSON field 'readConcern.{key}' is an unknown field."
            )
    level = concern.get("level", "local")
    if level not in LEVELS:
        raise CommandError(
            9,
            "FailedToParse",
            "readConcern.level must be either 'local', 'majority', 'linearizable', 'available',"
            " or 'snapshot'",
        )
    for field in ("afterClusterTime", "atClusterTime"):
        if field in concern and not isinstance(concern[field], Timestamp):
            raise CommandError(
                14,
                "TypeMismatch",
                f"BSON field 'readConcern.{field}' is the wrong type, expected type timestamp",
            )
    if level == "linearizable" and "afterClusterTime" in concern:
        raise CommandError(
            72, "InvalidOptions", "afterClusterTime is not allowed for linearizable read concern"
        )
    if level == "snapshot" and name and name not in _SNAPSHOT_COMMANDS:
        raise CommandError(
            72,
            "InvalidOptions",
            f'Command {name} does not support {{ readConcern: {{ level: "snapshot" }} }}'
            " outside a multi-document transaction",
        )
    pipeline = body.get("pipeline")
    if level in ("linearizable", "snapshot") and isinstance(pipeline, list):
        for stage in pipeline:
            if isinstance(stage, dict) and ("$out" in stage or "$merge" in stage):
                stage_name = "$out" if "$out" in stage else "$merge"
                raise CommandError(
                    17321 if stage_name == "$out" else 51100,
                    "Location17321" if stage_name == "$out" else "Location51100",
                    f"{stage_name} cannot be used with a '{level}' read concern level",
                )
