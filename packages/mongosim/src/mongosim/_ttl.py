"""TTL indexes as mongod serves them: expired documents stay until the TTL monitor deletes them.

mongod's TTL monitor is a background thread that wakes every ``ttlMonitorSleepSecs`` (60 s by
default) and, on a primary only, deletes the documents whose indexed date is at or before
``now - expireAfterSeconds``. Each deletion is an ordinary delete: it is replicated, it is in
the oplog and a change stream reports it as a ``delete`` event. Until the pass, an expired
document is read like any other.

mongomock instead hides expired documents whenever its store is read, with no oplog entry.
The simulator's stores ([`unexpiring_store`][mongosim._ttl.unexpiring_store]) turn that off,
and [`TTLSchedule`][mongosim._ttl.TTLSchedule] says when a pass is due on the simulated clock;
the backend then deletes what [`expired_ids`][mongosim._ttl.expired_ids] names through the
same path as a ``delete`` command.
"""

from __future__ import annotations

import datetime
import math
from typing import TYPE_CHECKING, Any

from mongomock.filtering import filter_applies
from mongomock.store import CollectionStore, DatabaseStore, ServerStore

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

__all__ = [
    "DEFAULT_TTL_MONITOR_SLEEP_SECS",
    "TTLIndex",
    "TTLSchedule",
    "check_sleep_secs",
    "expired_ids",
    "ttl_indexes",
    "unexpiring_store",
]

DEFAULT_TTL_MONITOR_SLEEP_SECS = 60
"""mongod's default ``ttlMonitorSleepSecs``."""

_EPOCH = datetime.datetime(1970, 1, 1)


def check_sleep_secs(value: object) -> int:
    """``value`` if it is a valid ``ttlMonitorSleepSecs`` (an int >= 1, as mongod 4.1.1+ requires).

    Raises
    ------
    ValueError
        Otherwise.

    Examples
    --------
    >>> check_sleep_secs(60)
    60
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"ttl_monitor_sleep_secs must be an int >= 1, got {value!r}")
    return value


class _CollectionStore(CollectionStore):
    """A mongomock collection store that never hides expired documents on a read."""

    def _remove_expired_documents(self) -> None:
        # Deliberately nothing: the TTL monitor deletes them, through the oplog.
        return


class _DatabaseStore(DatabaseStore):
    """mongomock's database store, making `_CollectionStore` collections."""

    def __getitem__(self, col_name: str) -> CollectionStore:
        collections: dict[str, CollectionStore] = self._collections
        if col_name not in collections:
            collections[col_name] = _CollectionStore(col_name)  # type: ignore[no-untyped-call]
        return collections[col_name]

    def rename(self, name: str, new_name: str) -> None:
        collections: dict[str, CollectionStore] = self._collections
        collection = collections.pop(name, None)
        if collection is None:
            collection = _CollectionStore(new_name)  # type: ignore[no-untyped-call]
        collection.name = new_name
        collections[new_name] = collection


class _ServerStore(ServerStore):
    """mongomock's server store, making `_DatabaseStore` databases."""

    def __getitem__(self, db_name: str) -> DatabaseStore:
        databases: dict[str, DatabaseStore] = self._databases
        if db_name not in databases:
            databases[db_name] = _DatabaseStore()  # type: ignore[no-untyped-call]
        return databases[db_name]


def unexpiring_store() -> Any:
    """A store for ``mongomock.MongoClient(_store=...)`` whose reads never drop TTL-expired
    documents (mongomock's own stores do, lazily, by ``mongomock.utcnow()``).

    Only the client given this store changes: other mongomock clients in the process keep
    mongomock's behaviour.

    Examples
    --------
    >>> import datetime, mongomock
    >>> client = mongomock.MongoClient(_store=unexpiring_store())
    >>> _ = client.db.c.create_index("at", expireAfterSeconds=0)
    >>> _ = client.db.c.insert_one({"_id": 1, "at": datetime.datetime(2000, 1, 1)})
    >>> client.db.c.count_documents({})
    1
    """
    return _ServerStore()  # type: ignore[no-untyped-call]


class TTLSchedule:
    """When the TTL monitor's passes fall due: every ``sleep_secs`` of clock time after ``start``.

    mongod's monitor sleeps ``ttlMonitorSleepSecs`` between passes; here the ticks are
    ``start + k * sleep_secs`` on the simulated clock, and the pass of a tick runs when
    `take_due` is first called at or after it. When the clock jumped over several ticks,
    only the latest one runs (the earlier ones would delete a subset of what it deletes).

    Examples
    --------
    >>> schedule = TTLSchedule(start=1000.0, sleep_secs=60)
    >>> schedule.take_due(1059.0) is None
    True
    >>> schedule.take_due(1130.0), schedule.take_due(1131.0), schedule.next_pass
    (1120.0, None, 1180.0)
    """

    def __init__(self, start: float, sleep_secs: int) -> None:
        self._start = start
        self._sleep_secs = check_sleep_secs(sleep_secs)
        self._next = start + sleep_secs

    @property
    def sleep_secs(self) -> int:
        """Seconds between two passes (``ttlMonitorSleepSecs``)."""
        return self._sleep_secs

    @property
    def next_pass(self) -> float:
        """The clock time (seconds since the epoch) of the next pass."""
        return self._next

    def due(self, now: float) -> bool:
        """Whether a pass is due at clock time ``now`` (a cheap check, changes nothing)."""
        return now >= self._next

    def take_due(self, now: float) -> float | None:
        """The time of the latest tick at or before ``now`` not run yet, marked as run; or None."""
        if now < self._next:
            return None
        ticks = math.floor((now - self._start) / self._sleep_secs)
        tick = self._start + ticks * self._sleep_secs
        self._next = tick + self._sleep_secs
        return tick


def as_date(seconds: float) -> datetime.datetime:
    """Clock time as BSON stores a date: naive UTC, millisecond precision.

    >>> as_date(1.5)
    datetime.datetime(1970, 1, 1, 0, 0, 1, 500000)
    """
    return _EPOCH + datetime.timedelta(milliseconds=math.floor(seconds * 1000))


class TTLIndex:
    """A TTL index the monitor uses: one ascending or descending field, numeric seconds."""

    def __init__(self, field: str, seconds: int, partial: dict[str, Any] | None) -> None:
        self.field = field
        self.seconds = seconds
        self.partial = partial


def _seconds(value: object) -> int | None:
    """``expireAfterSeconds`` as mongod reads it (a number, truncated); None if not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None  # mongod skips a NaN; an infinite one never expires anything either
    return int(value)


def ttl_indexes(index_information: Mapping[str, Any]) -> list[TTLIndex]:
    """The indexes mongod's monitor acts on, from mongomock's ``index_information()``.

    A compound index, a special one (``"text"``, ``"2dsphere"``, ``"hashed"``) or a
    non-numeric ``expireAfterSeconds`` is skipped, as mongod skips it.

    Examples
    --------
    >>> info = {"at_1": {"key": [("at", 1)], "expireAfterSeconds": 30}, "x_1": {"key": [("x", 1)]}}
    >>> [(index.field, index.seconds) for index in ttl_indexes(info)]
    [('at', 30)]
    """
    found = []
    for info in index_information.values():
        if "expireAfterSeconds" not in info:
            continue
        seconds = _seconds(info["expireAfterSeconds"])
        key = list(info.get("key") or [])
        if seconds is None or len(key) != 1:
            continue
        field, direction = key[0]
        if isinstance(direction, bool) or not isinstance(direction, (int, float)):
            continue
        partial = info.get("partialFilterExpression")
        found.append(TTLIndex(field, seconds, partial if isinstance(partial, dict) else None))
    return found


def _values(value: Any, parts: list[str]) -> Iterator[Any]:
    """The values an index on the dotted path ``parts`` holds for ``value`` (arrays expanded)."""
    if not parts:
        if isinstance(value, list):
            yield from value
        else:
            yield value
        return
    if isinstance(value, dict):
        if parts[0] in value:
            yield from _values(value[parts[0]], parts[1:])
    elif isinstance(value, list):
        for element in value:
            if isinstance(element, dict):
                yield from _values(element, parts)


def _naive_utc(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def earliest_date(document: dict[str, Any], field: str) -> datetime.datetime | None:
    """The earliest date a TTL index on ``field`` holds for ``document``; None if no date.

    Only dates count: a number, a string or a timestamp never expires a document.

    Examples
    --------
    >>> early, late = datetime.datetime(2020, 1, 1), datetime.datetime(2030, 1, 1)
    >>> earliest_date({"at": [late, "soon", early]}, "at") == early
    True
    >>> earliest_date({"at": 1700000000}, "at") is None
    True
    """
    dates = [
        _naive_utc(value)
        for value in _values(document, field.split("."))
        if isinstance(value, datetime.datetime)
    ]
    return min(dates) if dates else None


def expired_ids(
    documents: Iterable[dict[str, Any]], index: TTLIndex, at: datetime.datetime
) -> list[Any]:
    """The ``_id`` of each document that a pass at ``at`` deletes through ``index``.

    mongod deletes the documents whose indexed date lies in ``[dawn of time, at -
    expireAfterSeconds]`` (both ends included) and that match the index's
    ``partialFilterExpression``.
    """
    try:
        cutoff = at - datetime.timedelta(seconds=index.seconds)
    except OverflowError:  # mongod clamps such a date: nothing is that old, or everything is
        cutoff = datetime.datetime.min if index.seconds > 0 else datetime.datetime.max
    found = []
    for document in documents:
        earliest = earliest_date(document, index.field)
        if earliest is None or earliest > cutoff:
            continue
        if index.partial is not None and not filter_applies(index.partial, document):  # type: ignore[no-untyped-call]
            continue
        found.append(document["_id"])
    return found
