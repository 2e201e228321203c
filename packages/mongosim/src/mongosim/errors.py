"""Exceptions raised by the simulator's Python API.

::

    MongosimError
    ├── FaultKindError (ValueError)      fail_next() got an unknown fault kind
    ├── MemberIndexError (IndexError)    a member index outside the set
    ├── NoPrimaryError (RuntimeError)    step_down() while the set has no primary
    └── NotRunningError (RuntimeError)   the set is not started, or already closed

Errors a *driver* sees come over the wire as MongoDB error replies, never as these.
"""

from __future__ import annotations

__all__ = [
    "FaultKindError",
    "MemberIndexError",
    "MongosimError",
    "NoPrimaryError",
    "NotRunningError",
]


class MongosimError(Exception):
    """Root of every exception the simulator's API raises."""


class FaultKindError(MongosimError, ValueError):
    """``fail_next`` was given a fault kind that does not exist, or a bad delay."""


class MemberIndexError(MongosimError, IndexError):
    """A member index is outside ``range(members)``."""


class NotRunningError(MongosimError, RuntimeError):
    """The replica set has not been started, or has been closed."""


class NoPrimaryError(MongosimError, RuntimeError):
    """The operation needs a primary and the set has none right now."""
