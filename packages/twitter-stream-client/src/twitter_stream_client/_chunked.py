"""HTTP/1.1 chunked transfer coding, decoded from raw bytes in bulk (sans-I/O).

Both clients read the stream's socket in large blocks and decode the chunk framing here
(through `BodyFramer`), instead of one HTTP chunk per call through urllib3 or h11:
Twitter sends one chunk per message, so per-chunk overhead in the HTTP library dominated
the cost of a message. Bytes of a chunk are returned as soon as they arrive (a chunk is
never waited for whole).
"""

from __future__ import annotations

from twitter_stream_client._framing import FramingError

__all__ = ["MAX_SIZE_LINE", "ChunkError", "ChunkedDecoder"]

_CRLF = b"\r\n"
MAX_SIZE_LINE = 1024
"""The longest chunk size line (with extensions) accepted; anything longer is not HTTP."""
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


class ChunkError(FramingError):
    """The body is out of step with chunked framing (a bad size line, a missing CRLF).

    ``decoded`` holds the payload pieces decoded from the same block before the problem.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.decoded: list[bytes] = []


def _size_with_extensions(line: bytes) -> int:
    """The size of a size line with ``;name=value`` extensions (or -1 if it has none)."""
    size, _, _ = line.partition(b";")
    size = size.strip()
    if not size or not size.isalnum():
        return -1
    try:
        return int(size, 16)
    except ValueError:
        return -1


class ChunkedDecoder:
    """Feed raw body bytes, get the payload pieces they carry; ``finished`` after the last chunk.

    Examples
    --------
    >>> decoder = ChunkedDecoder()
    >>> decoder.feed(b"5\\r\\nhel"), decoder.feed(b"lo\\r\\n2\\r\\n!!\\r\\n0\\r\\n\\r\\n")
    ([b'hel'], [b'lo', b'!!'])
    >>> decoder.finished
    True
    """

    def __init__(self) -> None:
        self.finished = False
        self._pending = b""  # an incomplete size line
        self._left = 0  # payload bytes still due in the current chunk
        self._crlf = b""  # the part of the CRLF after a chunk's payload still due

    def feed(self, data: bytes) -> list[bytes]:
        """The payload in ``data``, one piece per chunk (or part of one); maybe none.

        Raises
        ------
        ChunkError
            If the framing is broken.
        """
        if self.finished:
            return []  # trailers: ignored
        if self._pending:
            data = self._pending + data
            self._pending = b""
        out: list[bytes] = []
        try:
            self._decode(data, out)
        except ChunkError as exc:
            exc.decoded = out
            raise
        return out

    def at_size_line(self) -> bool:
        """True between chunks: no payload or CRLF of a chunk is still due."""
        return not self._left and not self._crlf

    def take_pending(self) -> bytes:
        """Hand over the start of a size line held back (at a size line only)."""
        pending, self._pending = self._pending, b""
        return pending

    def _decode(self, data: bytes, out: list[bytes]) -> None:
        append = out.append
        size = len(data)
        pos = self._finish_chunk(data, out)
        find = data.find
        while pos < size:
            # At a size line: the common case, a whole chunk in this block, stays in this loop.
            eol = find(_CRLF, pos)
            if eol < 0:
                if size - pos > MAX_SIZE_LINE:
                    raise ChunkError(f"chunk size line too long: {data[pos : pos + 20]!r}")
                self._pending = data[pos:]
                break
            try:
                length = int(data[pos:eol], 16)
            except ValueError:
                length = _size_with_extensions(data[pos:eol])
            if length < 0 or data[pos] not in _HEX_DIGITS:  # int() also takes "+1", " 1"
                raise ChunkError(f"bad chunk size line {data[pos:eol][:20]!r}")
            if length == 0:
                self.finished = True
                break
            start = eol + 2
            end = start + length
            if data.startswith(_CRLF, end):
                append(data[start:end])
                pos = end + 2
                continue
            self._left = length
            pos = self._finish_chunk(data, out, start)

    def _finish_chunk(self, data: bytes, out: list[bytes], pos: int = 0) -> int:
        """Take the rest of a chunk begun earlier (payload, then CRLF); the new position."""
        size = len(data)
        left = self._left
        if left:
            end = pos + left
            if end > size:
                out.append(data[pos:] if pos else data)
                self._left = end - size
                return size
            out.append(data[pos:end])
            self._left = 0
            self._crlf = _CRLF
            pos = end
        if self._crlf:
            due = self._crlf
            got = data[pos : pos + len(due)]
            if not due.startswith(got):
                raise ChunkError(f"expected CRLF after a chunk, got {got!r}")
            self._crlf = due[len(got) :]
            pos += len(got)
        return pos
