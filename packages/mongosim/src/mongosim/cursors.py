"""Server-side cursors: a query's results handed out in batches through ``getMore``."""

from __future__ import annotations

import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from mongosim._command_error import CommandError

__all__ = ["DEFAULT_FIRST_BATCH", "CursorRegistry"]

DEFAULT_FIRST_BATCH = 101
"""Documents in a first batch when the driver asks for no ``batchSize``, as on MongoDB."""


@dataclass
class _Cursor:
    namespace: str
    remaining: deque[dict[str, Any]] = field(default_factory=deque)
    stream: Any = None  # a change stream or tailable cursor: getMore asks it for a batch


def _take(docs: deque[dict[str, Any]], size: int | None) -> list[dict[str, Any]]:
    count = len(docs) if size is None or size <= 0 else min(size, len(docs))
    return [docs.popleft() for _ in range(count)]


class CursorRegistry:
    """The open cursors of one member (a cursor lives on the member that created it).

    The results are fixed when the query runs; ``getMore`` hands out what is left.

    Examples
    --------
    >>> cursors = CursorRegistry()
    >>> reply = cursors.open("db.c", [{"_id": i} for i in range(3)], batch_size=2)
    >>> len(reply["firstBatch"]), cursors.get_more(reply["id"], "db.c", None)["nextBatch"]
    (2, [{'_id': 2}])
    """

    def __init__(self) -> None:
        self._open: dict[int, _Cursor] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._open)

    def open(
        self,
        namespace: str,
        docs: list[dict[str, Any]],
        *,
        batch_size: int | None = None,
        single_batch: bool = False,
    ) -> dict[str, Any]:
        """The ``cursor`` field of a reply: a first batch and, if documents remain, an id."""
        remaining = deque(docs)
        first = [] if batch_size == 0 else _take(remaining, batch_size or DEFAULT_FIRST_BATCH)
        cursor_id = 0
        if remaining and not single_batch:
            cursor_id = secrets.randbits(62) + 1
            with self._lock:
                self._open[cursor_id] = _Cursor(namespace, remaining)
        return {"id": cursor_id, "ns": namespace, "firstBatch": first}

    def open_stream(
        self, namespace: str, stream: Any, first_batch: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The ``cursor`` field of a reply opening a change stream or a tailable cursor.

        The cursor stays open at the end of its results (unless the stream is invalidated);
        a change stream's reply carries its ``postBatchResumeToken``.
        """
        cursor_id = 0
        if not stream.invalidated:
            cursor_id = secrets.randbits(62) + 1
            with self._lock:
                self._open[cursor_id] = _Cursor(namespace, deque(), stream)
        reply: dict[str, Any] = {"firstBatch": first_batch}
        if stream.high_water is not None:
            reply["postBatchResumeToken"] = stream.high_water
        reply.update(id=cursor_id, ns=namespace)
        return reply

    def stream(self, cursor_id: int, namespace: str) -> Any:
        """The change stream behind a cursor, or None for an ordinary cursor.

        Raises CursorNotFound (43) for an unknown cursor, as ``getMore`` would.
        """
        with self._lock:
            return self._find(cursor_id, namespace).stream

    def is_stream(self, cursor_id: int) -> bool:
        """Whether ``cursor_id`` is an open change stream's cursor (not a tailable one)."""
        with self._lock:
            cursor = self._open.get(cursor_id)
            return cursor is not None and getattr(cursor.stream, "is_change_stream", False)

    def stream_batch(
        self, cursor_id: int, namespace: str, batch: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The ``cursor`` field of a change stream's ``getMore`` reply (id 0 once invalidated)."""
        with self._lock:
            cursor = self._open.get(cursor_id)
            stream = cursor.stream if cursor is not None else None
            if stream is None or stream.invalidated:
                self._open.pop(cursor_id, None)
                cursor_id = 0
        reply: dict[str, Any] = {"nextBatch": batch}
        if stream is not None and stream.high_water is not None:
            reply["postBatchResumeToken"] = stream.high_water
        reply.update(id=cursor_id, ns=namespace)
        return reply

    def _find(self, cursor_id: int, namespace: str) -> _Cursor:
        cursor = self._open.get(cursor_id)
        if cursor is None:
            raise CommandError(43, "CursorNotFound", f"cursor id {cursor_id} not found")
        if cursor.namespace != namespace:
            raise CommandError(
                13,
                "Unauthorized",
                f"Requested getMore on namespace '{namespace}', but cursor belongs to a"
                f" different namespace {cursor.namespace}",
            )
        return cursor

    def get_more(self, cursor_id: int, namespace: str, batch_size: int | None) -> dict[str, Any]:
        """The ``cursor`` field of a ``getMore`` reply; id 0 once the cursor is exhausted."""
        with self._lock:
            cursor = self._find(cursor_id, namespace)
            batch = _take(cursor.remaining, batch_size)
            if not cursor.remaining:
                del self._open[cursor_id]
                cursor_id = 0
        return {"id": cursor_id, "ns": namespace, "nextBatch": batch}

    def has(self, cursor_id: int) -> bool:
        """Whether ``cursor_id`` is open here."""
        with self._lock:
            return cursor_id in self._open

    def kill(self, cursor_ids: list[int]) -> dict[str, Any]:
        """Close cursors; the reply fields of ``killCursors``."""
        killed, not_found = [], []
        with self._lock:
            for cursor_id in cursor_ids:
                if self._open.pop(cursor_id, None) is None:
                    not_found.append(cursor_id)
                else:
                    killed.append(cursor_id)
        return {
            "cursorsKilled": killed,
            "cursorsNotFound": not_found,
            "cursorsAlive": [],
            "cursorsUnknown": [],
        }

    def clear(self) -> None:
        """Forget every cursor, as a restarted server does."""
        with self._lock:
            self._open.clear()
