"""A connection's body, bytes in, message frames out: chunk decoding, content decoding and
message framing in one pass (sans-I/O).

Both clients read the socket in large blocks. Twitter sends one HTTP chunk per message,
so chunk boundaries and line boundaries coincide: while they do, a block is split on
``\\r\\n`` once and each chunk's line is taken as it stands, checked against the chunk's
size (the fast path). Anything else (a line cut across chunks, chunk extensions, gzip,
``delimited=length``, a body the HTTP library already decoded) goes through
`ChunkedDecoder`, zlib and the framers of `_framing`, and the fast path resumes at the next
chunk that starts a line. Either way no more than about ``max_bytes`` of one message is
held, and at most 64 KiB is inflated at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from twitter_stream_client._chunked import MAX_SIZE_LINE as _MAX_SIZE_LINE
from twitter_stream_client._chunked import ChunkedDecoder, ChunkError
from twitter_stream_client._framing import FramingError, LengthFramer, LineFramer

__all__ = ["DECODED_ENCODINGS", "BodyFramer"]

_CRLF = b"\r\n"
_INFLATE_STEP = 65536  # a gzip bomb is inflated (and dropped) 64 KiB at a time

_DECOMPRESSORS: dict[str, Callable[[], Any] | None] = {
    "identity": None,
    "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "deflate": lambda: zlib.decompressobj(),
}

DECODED_ENCODINGS = frozenset(_DECOMPRESSORS)
"""The ``Content-Encoding`` values (lower case) `BodyFramer` decodes from raw bytes."""


class BodyFramer:
    """Feed a body's bytes, get its frames (``b""`` or whitespace for a keep-alive).

    Parameters
    ----------
    chunked : bool
        The bytes are the raw chunked transfer coding, in ``encoding``; else they are
        the body the HTTP library decoded.
    encoding : str
        The ``Content-Encoding`` (one of `DECODED_ENCODINGS`) when ``chunked``.
    length_framing : bool
        ``delimited=length`` frames instead of ``\\r\\n`` lines.
    max_bytes : int
        Longer messages are dropped (counted in ``dropped``) while their bytes go by.

    Attributes
    ----------
    dropped : int
        Messages dropped for their size since the caller last reset it.
    decoded : int
        Body bytes decoded (chunk framing off, gzip inflated) since the caller last
        reset it.
    finished : bool
        The last chunk arrived (chunked bodies only).
    error : BaseException or None
        Set when the bytes broke the framing or the coding; the frames before it were
        returned.

    Examples
    --------
    >>> body = BodyFramer(chunked=True, encoding="identity", length_framing=False, max_bytes=99)
    >>> body.feed(b'9\\r\\n{"a":1}\\r\\n\\r\\n2\\r\\n\\r\\n\\r\\n0\\r'), body.feed(b"\\n\\r\\n")
    ([b'{"a":1}', b''], [])
    >>> body.finished
    True
    """

    def __init__(
        self, *, chunked: bool, encoding: str, length_framing: bool, max_bytes: int
    ) -> None:
        make = _DECOMPRESSORS[encoding] if chunked else None
        self._inflate = make() if make is not None else None
        self._chunks = ChunkedDecoder() if chunked else None
        self._framer = (LengthFramer if length_framing else LineFramer)(max_bytes)
        self._max_bytes = max_bytes
        self._can_take_lines = chunked and make is None and not length_framing
        self._fast = self._can_take_lines
        self._tail = b""  # fast path: the start of a chunk not yet complete
        self.dropped = 0
        self.decoded = 0
        self.finished = False
        self.error: BaseException | None = None

    def feed(self, data: bytes) -> list[bytes]:
        """The frames ``data`` completes (maybe none); sets ``error`` instead of raising."""
        if self.error is not None or self.finished:
            return []
        if self._fast:
            return self._take_lines(data)
        return self._decode(data)

    def end_error(self) -> BaseException | None:
        """The error of a body that ends here: a chunked one must have had its last chunk."""
        if self.error is not None:
            return self.error
        if self._chunks is not None and not self.finished:
            return ChunkError("the server closed the stream inside a chunk")
        return None

    def _take_lines(self, data: bytes) -> list[bytes]:
        # The fast path: at a chunk boundary, with no line pending. A chunk is taken here
        # only if its payload is whole lines; from any other, _decode takes over.
        if self._tail:
            data = self._tail + data
        parts = data.split(_CRLF)
        last = len(parts) - 1  # parts[last] has no CRLF after it yet
        frames: list[bytes] = []
        append = frames.append
        limit = self._max_bytes
        decoded = 0
        index = 0
        keep = True  # False: hand the rest to the decoder
        while index < last:
            size_line = parts[index]
            try:
                size = int(size_line, 16)
            except ValueError:
                keep = False  # extensions or garbage: the decoder knows
                break
            if size <= 0 or not size_line.isalnum():
                keep = False  # the last chunk, or a size int() reads but HTTP does not
                break
            line = parts[index + 1]
            if len(line) + 2 == size and index + 2 < last and not parts[index + 2]:
                # One line and the chunk's CRLF: how Twitter sends every message.
                if len(line) > limit:
                    self.dropped += 1
                else:
                    append(line)
                decoded += size
                index += 3
                continue
            end = index + 1
            taken = 0
            while taken < size and end < last:
                taken += len(parts[end]) + 2
                end += 1
            if end >= last or taken != size or parts[end]:
                # Not complete yet (kept if small: at most one message), or a chunk that
                # cuts a line.
                keep = end >= last and taken <= size <= limit + 2
                break
            for line in parts[index + 1 : end]:
                if len(line) > limit:
                    self.dropped += 1
                else:
                    append(line)
            decoded += size
            index = end + 1
        self.decoded += decoded
        rest = _CRLF.join(parts[index:]) if index < last else parts[last]
        if keep and (index < last or len(rest) <= _MAX_SIZE_LINE):
            self._tail = rest
            return frames
        # The decoder takes it from here: it names what is wrong, or decodes what it can.
        self._fast = False
        self._tail = b""
        frames += self._decode(rest)
        return frames

    def _decode(self, data: bytes) -> list[bytes]:
        chunks = self._chunks
        if chunks is None:
            pieces = [data]
        else:
            try:
                pieces = chunks.feed(data)
            except ChunkError as exc:
                self.error = exc
                pieces = exc.decoded
            self.finished = chunks.finished
        framer = self._framer
        inflate = self._inflate
        frames: list[bytes] = []
        try:
            for piece in pieces:
                if inflate is None:
                    self.decoded += len(piece)
                    frames += framer.feed(piece)
                    continue
                while True:
                    out = inflate.decompress(piece, _INFLATE_STEP)
                    if out:
                        self.decoded += len(out)
                        frames += framer.feed(out)
                    piece = inflate.unconsumed_tail
                    if not piece and len(out) < _INFLATE_STEP:
                        break
        except (zlib.error, FramingError) as exc:
            self.error = exc
        self.dropped += framer.dropped
        framer.dropped = 0
        if (
            self._can_take_lines
            and self.error is None
            and not self.finished
            and chunks is not None
            and chunks.at_size_line()
            and isinstance(framer, LineFramer)
            and framer.at_line_start()
        ):
            self._fast = True
            self._tail = chunks.take_pending()
        return frames
