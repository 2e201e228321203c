"""Cut a byte stream into messages: ``\\r\\n``-delimited lines or ``delimited=length`` frames.

Both framers work on bytes (lengths count bytes, and UTF-8 characters may be split
across chunks), accept chunks split anywhere, return ``b""`` for a keep-alive, and never
hold more than about ``max_bytes`` of one message: an oversize message is dropped and
counted in ``dropped`` while its bytes stream past.
"""

from __future__ import annotations

__all__ = ["FramingError", "LengthFramer", "LineFramer"]

_CRLF = b"\r\n"
_MAX_LENGTH_DIGITS = 12


class FramingError(ValueError):
    """The stream is out of step with its framing (a length line that is not a number)."""


class LineFramer:
    """Split on ``\\r\\n`` only: a bare ``\\n`` may occur inside a message."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.dropped = 0
        self._pieces: list[bytes] = []
        self._size = 0
        self._skipping = False

    def feed(self, data: bytes) -> list[bytes]:
        """Return the complete lines that ``data`` finishes, keep-alives as ``b""``."""
        pieces = self._pieces
        if (
            not pieces
            and not self._skipping
            and data.endswith(_CRLF)
            and data.find(_CRLF) == len(data) - 2
        ):
            # The common case: exactly one whole line in the chunk.
            line = data[:-2]
            if len(line) > self.max_bytes:
                self.dropped += 1
                return []
            return [b"" if not line or line.isspace() else line]
        if self._skipping:
            data = b"".join(pieces) + data
            pieces.clear()
            end = data.find(_CRLF)
            if end < 0:
                # Keep a trailing "\r": its "\n" may be the first byte of the next chunk.
                if data.endswith(b"\r"):
                    pieces.append(b"\r")
                return []
            self._skipping = False
            data = data[end + 2 :]
        elif pieces:
            pieces.append(data)
            if b"\n" not in data:
                self._size += len(data)
                self._check_pending_size()
                return []
            data = b"".join(pieces)
            pieces.clear()
        parts = data.split(_CRLF)
        rest = parts.pop()
        limit = self.max_bytes
        lines = []
        for part in parts:
            if len(part) > limit:
                self.dropped += 1
            elif not part or part.isspace():
                lines.append(b"")
            else:
                lines.append(part)
        if rest:
            pieces.append(rest)
            self._size = len(rest)
            self._check_pending_size()
        return lines

    def at_line_start(self) -> bool:
        """True when no part of a line is held (nor one being skipped)."""
        return not self._pieces and not self._skipping

    def _check_pending_size(self) -> None:
        if self._size <= self.max_bytes + 1:
            return
        tail = self._pieces[-1][-1:]
        self._pieces.clear()
        self._size = 0
        self.dropped += 1
        self._skipping = True
        if tail == b"\r":
            self._pieces.append(tail)


class LengthFramer:
    """Parse ``delimited=length``: a byte count line, then exactly that many bytes.

    Keep-alive blank lines may come before each length. The counted bytes include
    the message's own trailing ``\\r\\n``, which is stripped.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.dropped = 0
        self._buffer = bytearray()
        self._need = -1
        self._skip = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Return the complete messages that ``data`` finishes, keep-alives as ``b""``."""
        if self._skip:
            taken = min(self._skip, len(data))
            self._skip -= taken
            data = data[taken:]
        buffer = self._buffer
        buffer += data
        frames: list[bytes] = []
        pos = 0
        while True:
            if self._need < 0:
                end = buffer.find(_CRLF, pos)
                if end < 0:
                    if len(buffer) - pos > _MAX_LENGTH_DIGITS:
                        raise FramingError(
                            f"expected a length line, got {bytes(buffer[pos : pos + 20])!r}"
                        )
                    break
                line = bytes(buffer[pos:end]).strip()
                pos = end + 2
                if not line:
                    frames.append(b"")
                elif not line.isdigit() or len(line) > _MAX_LENGTH_DIGITS:
                    raise FramingError(f"expected a length line, got {line[:20]!r}")
                elif int(line) > self.max_bytes:
                    self.dropped += 1
                    available = len(buffer) - pos
                    taken = min(int(line), available)
                    pos += taken
                    self._skip = int(line) - taken
                    if self._skip:
                        break
                else:
                    self._need = int(line)
            else:
                if len(buffer) - pos < self._need:
                    break
                frame = bytes(buffer[pos : pos + self._need]).strip(b"\r\n")
                pos += self._need
                self._need = -1
                frames.append(b"" if frame.isspace() else frame)
        del buffer[:pos]
        return frames
