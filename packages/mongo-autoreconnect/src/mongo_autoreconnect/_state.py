"""The one object a retry decision reads: `RetryState` (one per proxied call)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ._compat import ServerMode

__all__ = ["OperationKind", "RetryState"]


class OperationKind(enum.Enum):
    """What a proxied operation does to the data, which decides what is safe to retry."""

    #: Reads nothing but data: retrying it can never change anything.
    READ = "read"
    #: May write. Retried only when the error proves nothing was written, or when the call
    #: was marked idempotent.
    WRITE = "write"


@dataclass(slots=True)
class RetryState:
    """Everything known about one proxied call after an attempt failed.

    Strategies read it and nothing else, so they are pure and tests build it directly: the
    ``retry_if_*`` conditions read the error and the kind of call, the ``wait_*`` and
    ``stop_*`` strategies only ``attempt_number`` and ``seconds_since_start`` (tenacity's
    names for ``attempt`` and ``elapsed``).

    Parameters
    ----------
    operation : str
        What is being retried, e.g. ``"blogs.posts.insert_one"`` or
        ``"blogs.posts.find getMore"``.
    kind : OperationKind
        Whether the operation may write.
    idempotent : bool
        The caller said applying it twice is harmless (``proxy.idempotent`` or
        ``RetryPolicy(retry_writes="always")``).
    start : float
        Clock reading when the call started.
    now : float
        Clock reading when the last attempt failed.
    attempt : int, default=1
        Attempts made so far (1 after the first failure).
    error : BaseException or None, default=None
        The last attempt's error.
    delay : float, default=0.0
        The sleep chosen before the next attempt (set once decided, for ``on_retry``).
    read_preference : pymongo read preference or None, default=None
        Set when the next attempt of a read is served by the policy's ``read_fallback``
        (stale-but-available data from a secondary).
    several_commands : bool, default=False
        The call may send several write commands (``insert_many``, ``bulk_write`` with more
        than one item): an error that proves one command was not applied says nothing of
        the earlier ones.
    pymongo_retries : bool, default=False
        pymongo retries this write itself (a retryable write: ``insert_one``,
        ``update_one``, ``find_one_and_*`` ... on a client with ``retryWrites`` on) and
        raises only its last attempt's error: a refusal of a retry says nothing of an
        earlier attempt whose reply was lost.
    warned_at : float or None, default=None
        Clock reading when the last WARNING about this call was logged.

    Examples
    --------
    >>> from mongo_autoreconnect import OperationKind, RetryState
    >>> state = RetryState("db.c.find_one", OperationKind.READ, False, start=10.0, now=12.5)
    >>> state.elapsed
    2.5
    """

    operation: str
    kind: OperationKind
    idempotent: bool
    start: float
    now: float
    attempt: int = 1
    error: BaseException | None = None
    delay: float = 0.0
    read_preference: ServerMode | None = None
    several_commands: bool = False
    pymongo_retries: bool = False
    #: When the last WARNING about this call was logged (the rest go to DEBUG).
    warned_at: float | None = field(default=None, repr=False, compare=False)

    @property
    def elapsed(self) -> float:
        """Seconds from the start of the call to the last failure."""
        return self.now - self.start

    @property
    def attempt_number(self) -> int:
        """``attempt`` under tenacity's name, which the ``wait_*`` and ``stop_*`` read."""
        return self.attempt

    @property
    def seconds_since_start(self) -> float:
        """``elapsed`` under tenacity's name, which the ``wait_*`` and ``stop_*`` read."""
        return self.now - self.start
