"""Sources that behave like slow sockets or bare objects, for the input tests."""

from __future__ import annotations

import io


class Trickle(io.RawIOBase):
    """A raw source that returns at most `size` bytes a read, like a slow socket."""

    def __init__(self, data: bytes, size: int = 3) -> None:
        self._data = io.BytesIO(data)
        self._size = size

    def readable(self) -> bool:
        return True

    def readinto(self, b: object) -> int:
        view = memoryview(b).cast("B")  # type: ignore[call-overload]
        chunk = self._data.read(min(self._size, len(view)))
        view[: len(chunk)] = chunk
        return len(chunk)


class OnlyRead:
    """Not an io object: read(n) is all it has, and it returns short reads."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.calls = 0

    def read(self, n: int) -> bytes:
        self.calls += 1
        return self._data.read(min(n, 5))
