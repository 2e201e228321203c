"""Exceptions raised by the proxy.

```text
MongoAutoreconnectError
├── AmbiguousWriteError   (also a pymongo AutoReconnect)  not safe to retry blindly
└── CursorResumeError     (also a pymongo AutoReconnect)  a cursor could not resume exactly
```

Both leaves also subclass pymongo's `AutoReconnect`, so code written for plain
pymongo (``except AutoReconnect``) keeps catching them.
"""

from __future__ import annotations

from pymongo.errors import AutoReconnect, PyMongoError

__all__ = ["AmbiguousWriteError", "CursorResumeError", "MongoAutoreconnectError"]


class MongoAutoreconnectError(Exception):
    """Root of every exception this package raises."""


class AmbiguousWriteError(MongoAutoreconnectError, AutoReconnect):
    """A write failed after it may have been applied: retrying it could apply it twice.

    The server interrupted it after it may have started (11602, 11600, 189, 91), the
    connection dropped or timed out after it was sent, pymongo had already retried it with
    the same transaction number and an earlier attempt may have been applied, a later
    command of a batched write was refused after earlier ones, or it was applied but its
    write concern was not satisfied. The message says which.

    **Not safe to retry** without checking the data first. Mark a call idempotent
    (``proxy.idempotent.update_many(...)``) if applying it twice is harmless.

    Attributes
    ----------
    operation : str
        The operation, e.g. ``"blogs.posts.update_many"``.
    original : pymongo.errors.PyMongoError
        The driver's error (also the ``__cause__``).
    attempts : int
        Attempts made, including the failed one.
    """

    def __init__(self, operation: str, original: PyMongoError, attempts: int, detail: str) -> None:
        super().__init__(
            f"{operation} may or may not have been applied (attempt {attempts}): {detail}; "
            "it is not retried because applying it twice is not known to be safe"
        )
        self.operation = operation
        self.original = original
        self.attempts = attempts


class CursorResumeError(MongoAutoreconnectError, AutoReconnect):
    """A cursor lost its connection mid-iteration and cannot resume without guessing.

    Raised instead of re-issuing the query when the documents already yielded do not say
    exactly where to continue: the sort key is missing from the last document (projected out
    or absent), holds an array, is a ``$natural``/``$meta`` sort, the cursor is tailable, or
    an aggregation pipeline does not end with ``$sort``.

    **Safe to retry** the whole iteration from the start (the documents seen so far would be
    seen again).

    Attributes
    ----------
    operation : str
        The cursor's operation, e.g. ``"blogs.posts.find"``.
    original : pymongo.errors.PyMongoError
        The getMore error (also the ``__cause__``).
    yielded : int
        Documents yielded before the failure.
    """

    def __init__(self, operation: str, original: PyMongoError, yielded: int, reason: str) -> None:
        super().__init__(
            f"{operation} failed after {yielded} documents and cannot resume exactly: {reason}"
        )
        self.operation = operation
        self.original = original
        self.yielded = yielded
