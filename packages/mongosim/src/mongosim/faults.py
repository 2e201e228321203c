"""Faults injected into the next commands a replica set receives.

Python sugar over the ``failCommand`` fail point (`mongosim._failpoints`): each kind is
the effect a fail point would have, applied by the same code, to the next commands of a
name on *any* member.

Kinds (``rs.fail_next(command, kind, count=1)``):

``"hangup"``
    Close the connection before the command runs: the driver sees a network error and the
    write did not happen.
``"apply_then_hangup"``
    Run the command, then close the connection instead of replying: the ambiguous write.
``"not_primary"``
    Reply NotWritablePrimary (10107), labelled ``RetryableWriteError`` when the command is a
    retryable write (carries ``txnNumber``), as a 4.4+ server does.
``"not_primary_unlabelled"``
    The same error never labelled, as pre-4.4 servers sent it (drivers do not retry a write).
``"delay:<seconds>"``
    Wait that many real seconds, then run the command and reply normally.
``"network_timeout"``
    Run the command but never reply; the connection stays open until the client gives up
    (``socketTimeoutMS`` / ``timeoutMS``) and closes it.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque
from dataclasses import dataclass

from mongosim._failpoints import FailCommandEffect
from mongosim.errors import FaultKindError

__all__ = ["FAULT_KINDS", "Fault", "FaultPlan"]

FAULT_KINDS = (
    "hangup",
    "apply_then_hangup",
    "not_primary",
    "not_primary_unlabelled",
    "delay:<seconds>",
    "network_timeout",
)
_PLAIN_KINDS = frozenset(FAULT_KINDS) - {"delay:<seconds>"}


@dataclass(frozen=True)
class Fault:
    """One fault: its kind, and for ``"delay"`` the seconds to wait.

    Examples
    --------
    >>> Fault.parse("delay:0.5")
    Fault(kind='delay', seconds=0.5)
    >>> Fault.parse("hangup")
    Fault(kind='hangup', seconds=0.0)
    """

    kind: str
    seconds: float = 0.0

    @classmethod
    def parse(cls, text: str) -> Fault:
        """Read a kind as ``fail_next`` takes it.

        Raises
        ------
        FaultKindError
            If ``text`` is not one of `FAULT_KINDS` or the delay is not a number >= 0.
        """
        if text in _PLAIN_KINDS:
            return cls(text)
        prefix, _, value = text.partition(":")
        if prefix == "delay" and value:
            try:
                seconds = float(value)
            except ValueError:
                seconds = math.nan
            if not math.isfinite(seconds) or seconds < 0:
                raise FaultKindError(f"fault {text!r}: the delay must be a number of seconds >= 0")
            return cls("delay", seconds)
        raise FaultKindError(
            f"unknown fault kind {text!r}; expected one of {', '.join(FAULT_KINDS)}"
        )

    def effect(self) -> FailCommandEffect:
        """The fail-point effect this fault has on the command it catches.

        Examples
        --------
        >>> Fault("delay", 0.25).effect().block_ms
        250
        """
        if self.kind == "hangup":
            return FailCommandEffect(close_connection=True)
        if self.kind == "delay":
            return FailCommandEffect(block_ms=round(self.seconds * 1000))
        if self.kind in ("not_primary", "not_primary_unlabelled"):
            # A real server says "not primary" only after its topology changed.
            labels = None if self.kind == "not_primary" else ()
            return FailCommandEffect(
                error_code=10107,
                error_labels=labels,
                extra={"topology_change": True, "message": "not primary"},
            )
        return FailCommandEffect(extra={self.kind: True})


class FaultPlan:
    """Pending faults per command name (case-insensitive), first in first out. Thread-safe."""

    def __init__(self) -> None:
        self._pending: defaultdict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()

    def add(self, command: str, fault: Fault, count: int = 1) -> None:
        """Queue ``fault`` for the next ``count`` commands named ``command``."""
        with self._lock:
            self._pending[command.lower()].extend([fault] * count)

    def take(self, command: str) -> Fault | None:
        """The fault the next ``command`` must suffer, if any, removing it from the plan."""
        if not self._pending:
            return None
        with self._lock:
            queue = self._pending.get(command.lower())
            if not queue:
                return None
            fault = queue.popleft()
            if not queue:
                del self._pending[command.lower()]
            return fault

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._pending.clear()
