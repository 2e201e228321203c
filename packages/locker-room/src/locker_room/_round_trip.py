"""Bounding one round trip in time and telling whether a failed write may have applied."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pymongo
from pymongo.errors import ConnectionFailure, PyMongoError, WriteConcernError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ambiguous", "within"]


def ambiguous(error: PyMongoError) -> bool:
    """True when a write may or may not have been applied (its reply never came back)."""
    return isinstance(error, ConnectionFailure | WriteConcernError) or error.timeout


def within(
    deadline: float | None, clock: Callable[[], float]
) -> contextlib.AbstractContextManager[object]:
    """Bound the next round trip by ``deadline``; pymongo retries inside the bound.

    With no deadline, or none left, the client's own timeouts apply.
    """
    if deadline is None:
        return contextlib.nullcontext()
    remaining = deadline - clock()
    return pymongo.timeout(remaining) if remaining > 0 else contextlib.nullcontext()
