"""What sync and async leases share: identity, expiry, the lost/released state."""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from locker_room._errors import LockLost, NotLockOwner

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from locker_room._protocol import Document

__all__ = ["LeaseState"]

_log_renew = logging.getLogger("locker_room.renew")


class LeaseState:
    """Identity, expiry and state of one hold; `Lease` and `AsyncLease` add the I/O.

    Parameters
    ----------
    doc : dict
        The lock document as the acquire returned it (``_id``, ``owner``, ``token``,
        ``timestamp``, ``expires_at``).
    ttl : float
        Lease length in seconds.
    bound : float
        Local clock time before which the server's lease surely still stands.
    clock : callable
        The local clock ``bound`` is measured on.
    on_lost : callable or None
        Called once with the `LockLost` error when the lease is lost.
    """

    def __init__(
        self,
        doc: Document,
        *,
        ttl: float,
        bound: float,
        clock: Callable[[], float],
        on_lost: Callable[[LockLost], object] | None,
    ) -> None:
        self.name: str = doc["_id"]
        self.owner: str = doc["owner"]
        self.token: int = doc["token"]
        self.acquired_at: datetime = doc["timestamp"]
        self.expires_at: datetime = doc["expires_at"]
        self.ttl = ttl
        self._clock = clock
        # The server set expires_at >= its now + ttl after the request left: a local bound
        # that never outlives the server's lease, whatever the two clocks read.
        self.bound = bound
        self._on_lost = on_lost
        self._lost: LockLost | None = None
        self._released = False
        self._state = threading.Lock()
        # The process the lease was granted to: a child made by os.fork() is another owner,
        # which must neither renew nor release it (nor take ``_state``, perhaps held at fork).
        self._pid = os.getpid()

    @property
    def valid(self) -> bool:
        """True while held: not released, renewal never failed, not past its ttl unrenewed.

        Always False in a child made by ``os.fork()`` after the lease was granted: the child
        does not hold its parent's leases.
        """
        return (
            not self._released
            and self._lost is None
            and self._clock() < self.bound
            and self._pid == os.getpid()
        )

    def refuse_if_inherited(self, action: str) -> None:
        """Raise `NotLockOwner` if this process is a fork of the one granted the lease.

        Examples
        --------
        >>> from datetime import datetime
        >>> when = datetime(2026, 1, 2)
        >>> doc = {"_id": "x", "owner": "o", "token": 1, "timestamp": when, "expires_at": when}
        >>> state = LeaseState(doc, ttl=1, bound=1, clock=lambda: 0, on_lost=None)
        >>> state.refuse_if_inherited("release")  # the process it was granted to: no error
        """
        if self._pid != os.getpid():
            raise NotLockOwner(
                self.name,
                self.owner,
                None,
                detail=(
                    f" by this process: process {self._pid} took this lease, and this process"
                    f" (pid {os.getpid()}) was forked from it with os.fork(); a forked child is"
                    " another owner"
                ),
                action=action,
            )

    @property
    def lost(self) -> LockLost | None:
        """Why the lease was lost (the `LockLost` that release will raise), or None."""
        return self._lost

    @property
    def released(self) -> bool:
        """True once ``release`` was called."""
        return self._released

    def renewed(self, doc: Document, sent_at: float) -> None:
        """A renewal sent at ``sent_at`` extended the lease to ``doc["expires_at"]``."""
        self.expires_at = doc["expires_at"]
        self.bound = sent_at + self.ttl

    def mark_lost(self, reason: str) -> None:
        """The lease ended before release: record why, log it, call ``on_lost`` once."""
        with self._state:
            if self._lost is not None or self._released:
                return
            self._lost = LockLost(self.name, self.token, reason)
        _log_renew.warning("%s", self._lost)
        if self._on_lost is not None:
            try:
                self._on_lost(self._lost)
            except Exception:
                _log_renew.exception("on_lost callback for lock %r raised", self.name)

    def start_release(self) -> None:
        """Mark released; a second release, or one in a forked child, raises `NotLockOwner`."""
        self.refuse_if_inherited("release")
        with self._state:
            if self._released:
                raise NotLockOwner(self.name, self.owner, None, detail=" (lease already released)")
            self._released = True

    def __repr__(self) -> str:
        state = "valid" if self.valid else "released" if self._released else "lost"
        return (
            f"<{type(self).__name__} {self.name!r} owner={self.owner!r} token={self.token}"
            f" expires_at={self.expires_at:%Y-%m-%dT%H:%M:%S.%f}Z {state}>"
        )
