"""Give commands the server's notion of time before mongomock runs them.

mongomock ignores ``$$NOW`` (or fails on it), cannot ``$add`` milliseconds to a date, and
takes ``$currentDate`` from the host clock. MongoDB evaluates all three on the server, so the
simulator rewrites them with its own [`Clock`][mongosim.Clock] reading, once per command:
every ``$$NOW`` in one command is the same instant, as on a real server.
"""

from __future__ import annotations

import datetime
from typing import Any

from bson import Timestamp

__all__ = ["bind_now", "set_current_dates"]

_NOW = "$$NOW"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fold(operator: str, args: list[Any]) -> Any:
    """Evaluate date arithmetic whose arguments are all constants; else leave it alone."""
    dates = [a for a in args if isinstance(a, datetime.datetime)]
    numbers = [a for a in args if _is_number(a)]
    if operator == "$add" and len(dates) == 1 and len(dates) + len(numbers) == len(args):
        return dates[0] + datetime.timedelta(milliseconds=sum(numbers))
    if operator == "$subtract" and len(args) == 2 and isinstance(args[0], datetime.datetime):
        if isinstance(args[1], datetime.datetime):
            return round((args[0] - args[1]) / datetime.timedelta(milliseconds=1))
        if _is_number(args[1]):
            return args[0] - datetime.timedelta(milliseconds=args[1])
    return None


def bind_now(value: Any, now: datetime.datetime) -> Any:
    """Replace ``"$$NOW"`` by ``now`` in an expression, then fold constant date arithmetic.

    Examples
    --------
    >>> now = datetime.datetime(2026, 1, 1)
    >>> bind_now([{"$set": {"until": {"$add": ["$$NOW", 1500]}}}], now)
    [{'$set': {'until': datetime.datetime(2026, 1, 1, 0, 0, 1, 500000)}}]
    """
    if isinstance(value, str):
        return now if value == _NOW else value
    if isinstance(value, list):
        return [bind_now(item, now) for item in value]
    if isinstance(value, dict):
        bound = {key: bind_now(item, now) for key, item in value.items()}
        if len(bound) == 1:
            ((operator, args),) = bound.items()
            if operator in ("$add", "$subtract") and isinstance(args, list):
                folded = _fold(operator, args)
                if folded is not None:
                    return folded
        return bound
    return value


def set_current_dates(update: dict[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """Turn ``$currentDate`` into a ``$set`` of the server time (a date or a Timestamp).

    Examples
    --------
    >>> now = datetime.datetime(2026, 1, 1)
    >>> set_current_dates({"$currentDate": {"seen": True}}, now)
    {'$set': {'seen': datetime.datetime(2026, 1, 1, 0, 0)}}
    """
    fields = update.get("$currentDate")
    if not isinstance(fields, dict):
        return update
    rewritten = {key: value for key, value in update.items() if key != "$currentDate"}
    assignments = dict(rewritten.get("$set", {}))
    seconds = int((now - datetime.datetime(1970, 1, 1)).total_seconds())
    for field, spec in fields.items():
        wants_timestamp = isinstance(spec, dict) and spec.get("$type") == "timestamp"
        assignments[field] = Timestamp(seconds, 1) if wants_timestamp else now
    rewritten["$set"] = assignments
    return rewritten
