"""What a child made by ``os.fork()`` must reset: one fork hook for the whole package.

Only the forking thread exists in the child. A lock that another thread of the parent held
at that moment stays held there for ever, and the threads and tasks the parent started are
gone while the objects that started them still point at them. Each object with such state
registers itself (`reset_in_child`); in every child forked while it lives, its
``_reset_after_fork()`` runs right after the fork, as the standard library resets its own
locks (``os.register_at_fork``).

Examples
--------
>>> import threading
>>> class Counter:
...     def __init__(self) -> None:
...         self.lock = threading.Lock()
...         reset_in_child(self)
...
...     def _reset_after_fork(self) -> None:
...         self.lock = threading.Lock()  # perhaps held by a parent's thread at the fork
>>> counter = Counter()
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol

__all__ = ["ForkReset", "reset_in_child"]


class ForkReset(Protocol):
    """An object with per-process state to reset in a forked child."""

    def _reset_after_fork(self) -> None: ...


_INSTANCES: weakref.WeakSet[ForkReset] = weakref.WeakSet()


def reset_in_child(instance: ForkReset) -> None:
    """Have ``instance._reset_after_fork()`` run in each child forked while it lives."""
    _INSTANCES.add(instance)


def _after_fork_in_child() -> None:
    # Only the forking thread runs here: nothing else touches the set meanwhile.
    for instance in list(_INSTANCES):
        instance._reset_after_fork()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
