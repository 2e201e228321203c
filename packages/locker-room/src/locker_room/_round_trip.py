"""Bounding one round trip in time, and classifying what a failed one tells."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pymongo
from pymongo.errors import (
    ConnectionFailure,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WriteConcernError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["LEAST", "ambiguous", "no_change_streams", "no_server", "within"]

LEAST = 1.0
"""Seconds a round trip may take at least, even when sent at (or past) its deadline: the
last acquire at a wait's deadline, or ``timeout=0``, still gets one round trip."""


def ambiguous(error: PyMongoError) -> bool:
    """True when a write may or may not have been applied (its reply never came back).

    A `writeConcernError` is one too: the primary applied the write, but whether it stays
    (replicated to a majority, not rolled back) is unknown.
    """
    return isinstance(error, ConnectionFailure | WriteConcernError) or error.timeout


# 40573: "The $changeStream stage is only supported on replica sets" (a standalone server);
# 40324: unrecognized pipeline stage; 115: CommandNotSupported.
_NO_CHANGE_STREAMS = frozenset({40573, 40324, 115})


def no_change_streams(error: PyMongoError) -> bool:
    """True when the server cannot serve change streams at all (not a passing failure)."""
    return isinstance(error, OperationFailure) and error.code in _NO_CHANGE_STREAMS


def no_server(error: BaseException) -> bool:
    """True when no server could be selected for ``serverSelectionTimeoutMS`` (or the deadline)."""
    return isinstance(error, ServerSelectionTimeoutError)


def within(
    deadline: float | None, clock: Callable[[], float]
) -> contextlib.AbstractContextManager[object]:
    """Bound the next round trip by ``deadline`` (but `LEAST` at least); pymongo retries inside.

    With no deadline, the client's own timeouts apply.
    """
    if deadline is None:
        return contextlib.nullcontext()
    return pymongo.timeout(max(LEAST, deadline - clock()))
