"""``DataInputStream``: read Java primitives exactly as ``java.io.DataInputStream`` does."""

from __future__ import annotations

import io
import operator
import re
import struct
from typing import (
    TYPE_CHECKING,
    Any,
    BinaryIO,
    Final,
    Literal,
    NoReturn,
    SupportsIndex,
    overload,
)

from java_datastream import _arrays, _records
from java_datastream._build import is_compiled, mypyc_attr, speedups
from java_datastream._errors import JavaSerializationError, TruncatedDataError
from java_datastream.modified_utf8 import _BELOW_F0
from java_datastream.modified_utf8 import decode as _decode_mutf8

if TYPE_CHECKING:
    from array import array
    from collections.abc import Callable
    from types import TracebackType

    import numpy as np
    from numpy.typing import NDArray

__all__ = ["DataInputStream"]

_USHORT = struct.Struct(">H").unpack_from
_FLOAT = struct.Struct(">f").unpack_from
_DOUBLE = struct.Struct(">d").unpack_from
_EOL = re.compile(b"[\r\n]")
_MAGIC = b"\xac\xed\x00\x05"
_CHUNK = 1 << 16
_WINDOW = 1 << 13  # bytes the pure build's read_utf checks for 4-byte forms at once

COMPILED: Final = is_compiled(__file__)
# The C decoder (compiled build only): the str at a position, or None where the Python
# decoder decides.
_READ_UTF: Final[Callable[[bytes, int], str | None] | None] = getattr(
    speedups(__file__), "read_utf", None
)


def _count(n: SupportsIndex, method: str) -> int:
    """`n` as a count of bytes or values: any integer (numpy's too), not negative."""
    count = _index(n, method)
    if count < 0:
        raise ValueError(f"{method}: n must be >= 0, got {count}")
    return count


def _index(n: SupportsIndex, method: str) -> int:
    try:
        return operator.index(n)
    except TypeError:
        raise TypeError(f"{method}: expected an int, got {type(n).__name__}") from None


# Parameters typed `X | NoReturn` are `X` to a type checker, but mypyc does not check them on
# entry (with its own message): the method checks them and names itself, in both builds.
@mypyc_attr(allow_interpreted_subclasses=True)
class DataInputStream:
    """Read Java primitive values from bytes or a binary stream, as Java's DataInputStream.

    Every read of a value that the stream ends inside raises `TruncatedDataError`
    (an ``EOFError``) and, as in Java, consumes the bytes that were there.

    Parameters
    ----------
    source : bytes-like or binary readable
        ``bytes``, ``bytearray`` or ``memoryview`` (copied once; later changes are not
        seen), or a file opened ``"rb"``, ``io.BytesIO``, ``socket.makefile("rb")``, a
        pipe, or any object with ``read(n)``.

    Notes
    -----
    From buffered streams (``read1``) and raw streams, up to 64 KiB is read ahead, like
    Java's DataInputStream over a BufferedInputStream: read through this object only
    once it wraps the stream. From any other object only the bytes a call needs are read.
    A non-blocking source with no data ready raises ``BlockingIOError``; the bytes of the
    unfinished value stay buffered for the next attempt.

    Examples
    --------
    >>> inp = DataInputStream(bytes.fromhex("0000002a000568656c6c6f"))
    >>> inp.read_int(), inp.read_utf()
    (42, 'hello')
    >>> inp.read_line() is None
    True
    """

    __slots__ = (
        "_ahead", "_base", "_buf", "_closed", "_limit", "_mixed_to", "_pending", "_pos",
        "_read", "_source", "_started", "_under_f0_to",
    )  # fmt: skip

    def __init__(self, source: bytes | bytearray | memoryview | BinaryIO | Any) -> None:
        # Invariant: _limit == len(_buf), so a fast path that runs off the end of _buf
        # (struct.error, IndexError) is exactly a read needing more data.
        self._buf = b""  # empty until the first read has checked the magic
        self._pos = 0
        self._limit = 0
        self._base = 0  # stream offset of _buf[0]
        # The pure build's read_utf: where in _buf the last window it scanned ends, if all
        # its bytes are below F0 (no 4-byte form), or if one is not (strings there are then
        # checked one by one). Both go back to 0 whenever _buf is replaced.
        self._under_f0_to = 0
        self._mixed_to = 0
        self._started = False
        self._closed = False
        self._ahead = False
        self._read: Callable[[int], bytes | None] | None = None
        self._source: Any = source
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._pending = bytes(source)  # loaded, not yet checked for the magic
            return
        self._pending = b""
        if isinstance(source, io.TextIOBase):
            raise TypeError("DataInputStream needs a binary source, got a text stream")
        read = getattr(source, "read", None)
        if not callable(read):
            raise TypeError(
                f"DataInputStream needs bytes or an object with read(), got {source!r}"
            )
        read1 = getattr(source, "read1", None)
        if isinstance(source, io.BufferedIOBase) and callable(read1):
            self._read, self._ahead = read1, True
        else:
            # A raw stream returns what one system call gives, so reading ahead is safe;
            # an arbitrary read(n) may block until it has all n bytes, so it is not.
            self._read, self._ahead = read, isinstance(source, io.RawIOBase)

    # -- buffer management ---------------------------------------------------------

    def _fetch(self, missing: int) -> bytes | None:
        """One read from the source for at least one of `missing` bytes (b"" at EOF)."""
        read = self._read
        assert read is not None
        if self._ahead and missing < _CHUNK:
            return read(_CHUNK)
        return read(missing)

    def _start(self) -> None:
        """Load the first bytes and refuse ObjectOutputStream output (or a closed stream)."""
        if self._closed:
            raise ValueError("I/O operation on closed stream")
        parts = [self._pending]
        have = len(parts[0])
        while self._read is not None and have < 4 and _MAGIC.startswith(b"".join(parts)):
            # One byte at a time from a source that is not read ahead: a byte that
            # differs from the magic ends the wait, even if the peer sent no more.
            chunk = self._fetch(1)
            if chunk is None:
                self._pending = b"".join(parts)
                raise BlockingIOError("source is non-blocking and has no data ready")
            if not chunk:
                break
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        if data.startswith(_MAGIC):
            self._pending = data  # every later read is refused the same way
            raise JavaSerializationError(
                "stream starts with AC ED 00 05: this is Java object serialization"
                " (ObjectOutputStream), not a DataOutputStream stream; use a Java"
                " deserialization library such as javaobj-py3"
            )
        self._pending = b""
        self._buf, self._pos, self._limit = data, 0, len(data)
        self._under_f0_to = self._mixed_to = 0
        self._started = True

    def _keep(self, parts: list[bytes]) -> None:
        """Make `parts` (starting with the unread rest of the buffer) the new buffer."""
        self._base += self._pos
        self._buf = parts[0] if len(parts) == 1 else b"".join(parts)
        self._pos = 0
        self._limit = len(self._buf)
        self._under_f0_to = self._mixed_to = 0

    def _eof(self, needed: int) -> TruncatedDataError:
        """Consume what is left, as Java does, and describe the short read."""
        pos = self._pos
        self._pos = self._limit
        return TruncatedDataError(self._base + pos, needed, self._limit - pos)

    def _need(self, n: int) -> int:
        """Make `n` bytes available at the read position and return that position."""
        if not self._started:
            self._start()
        pos = self._pos
        have = self._limit - pos
        if have >= n:
            return pos
        if self._read is None:
            raise self._eof(n)
        parts = [self._buf[pos : self._limit]]
        while have < n:
            chunk = self._fetch(n - have)
            if not chunk:
                self._keep(parts)
                if chunk is None:
                    raise BlockingIOError("source is non-blocking and has no data ready")
                raise self._eof(n)
            parts.append(chunk)
            have += len(chunk)
        self._keep(parts)
        return 0

    def _fill(self, wanted: int) -> int:
        """Make up to `wanted` bytes available without consuming any; return how many are."""
        if not self._started:
            self._start()
        have = self._limit - self._pos
        while have < wanted and self._read is not None:
            # Never ask for more than doubles the buffer: `wanted` may be "everything".
            chunk = self._fetch(min(wanted - have, max(_CHUNK, have)))
            if chunk is None:
                raise BlockingIOError("source is non-blocking and has no data ready")
            if not chunk:
                break
            self._keep([self._buf[self._pos : self._limit], chunk])
            have = self._limit - self._pos
        return have

    def _more(self, wanted: int) -> bool | None:
        """Replace the consumed buffer by the next chunk: False at the end, None if not ready."""
        if self._read is None:
            return False
        chunk = self._fetch(min(wanted, _CHUNK))
        if not chunk:
            return None if chunk is None else False
        self._keep([chunk])
        return True

    # -- stream methods -------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

    def close(self) -> None:
        """Close the source; every later read raises ``ValueError``, as for a closed file.

        Unread bytes buffered ahead are dropped. Closing twice does nothing more.
        """
        if self._closed:
            return
        # Every read finds an empty, unstarted buffer and so reaches _start, which refuses:
        # the fast paths pay nothing for the check.
        self._closed = True
        self._base += self._pos
        self._buf, self._pending, self._pos, self._limit = b"", b"", 0, 0
        self._under_f0_to = self._mixed_to = 0
        self._started = False
        self._read = None
        close = getattr(self._source, "close", None)
        if close is not None:
            close()

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("I/O operation on closed stream")

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        # A copy would share the source but not the read-ahead buffer: refuse, as files do.
        raise TypeError(f"cannot pickle or copy a {type(self).__name__}: it reads a stream")

    def __enter__(self) -> DataInputStream:
        self._check_open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def tell(self) -> int:
        """Bytes consumed so far through this reader (partial values at EOF included)."""
        self._check_open()
        return self._base + self._pos

    def read(self, n: SupportsIndex) -> bytes:
        """Read up to `n` bytes, maybe fewer (like ``InputStream.read``); ``b""`` at the end."""
        count = _count(n, "read")
        if count == 0:
            self._check_open()
            return b""
        if not self._started:
            self._start()
        if self._pos == self._limit:
            more = self._more(count)
            if more is None:
                raise BlockingIOError("source is non-blocking and has no data ready")
            if not more:
                return b""
        pos = self._pos
        end = min(pos + count, self._limit)
        self._pos = end
        return self._buf[pos:end]

    def read_fully(self, n: SupportsIndex) -> bytes:
        """Read exactly `n` bytes.

        Raises
        ------
        TruncatedDataError
            If the stream ends first (the bytes that were there are consumed).
        """
        count = n if type(n) is int and n >= 0 else _count(n, "read_fully")
        pos = self._pos
        if self._limit - pos < count or not self._started:
            pos = self._need(count)
        self._pos = pos + count
        return self._buf[pos : pos + count]

    def skip_bytes(self, n: SupportsIndex) -> int:
        """Skip up to `n` bytes and return how many were skipped; never raises at the end.

        Unlike Java over a ``FileInputStream`` (which reports `n` even past the end of the
        file), the count is always the number of bytes that were really there. A
        non-blocking source with no data ready also ends the skip early. A negative `n`
        skips nothing, as in Java.
        """
        count = _index(n, "skip_bytes")
        if count <= 0:
            self._check_open()
            return 0
        if not self._started:
            self._start()
        skipped = 0
        while True:
            take = min(self._limit - self._pos, count - skipped)
            self._pos += take
            skipped += take
            if skipped == count or not self._more(count - skipped):
                return skipped

    # The fixed-size reads test the bounds and index the buffer inline, each in the same
    # shape: compiled, that is a few machine instructions; a shared helper would cost a call
    # per value. Past the buffer's end (or before the first read, or after close(), when the
    # buffer is empty) the slow path _need refills, refuses or raises at the end.
    def read_boolean(self) -> bool:
        """Read one byte: ``False`` for ``00``, ``True`` for anything else."""
        pos = self._pos
        if pos >= self._limit:
            pos = self._need(1)
        self._pos = pos + 1
        return self._buf[pos] != 0

    def read_byte(self) -> int:
        """Read a signed byte (-128 .. 127)."""
        pos = self._pos
        if pos >= self._limit:
            pos = self._need(1)
        self._pos = pos + 1
        value = self._buf[pos]
        return value - 0x100 if value > 0x7F else value

    def read_unsigned_byte(self) -> int:
        """Read an unsigned byte (0 .. 255)."""
        pos = self._pos
        if pos >= self._limit:
            pos = self._need(1)
        self._pos = pos + 1
        return self._buf[pos]

    def read_short(self) -> int:
        """Read a signed 16-bit int, high byte first."""
        pos = self._pos
        if pos + 2 > self._limit:
            pos = self._need(2)
        self._pos = pos + 2
        buf = self._buf
        value = (buf[pos] << 8) | buf[pos + 1]
        return value - 0x10000 if value > 0x7FFF else value

    def read_unsigned_short(self) -> int:
        """Read an unsigned 16-bit int (0 .. 65535)."""
        pos = self._pos
        if pos + 2 > self._limit:
            pos = self._need(2)
        self._pos = pos + 2
        buf = self._buf
        return (buf[pos] << 8) | buf[pos + 1]

    def read_char(self) -> str:
        """Read a UTF-16 code unit as a one-character str (a lone surrogate is possible)."""
        pos = self._pos
        if pos + 2 > self._limit:
            pos = self._need(2)
        self._pos = pos + 2
        buf = self._buf
        return chr((buf[pos] << 8) | buf[pos + 1])

    def read_int(self) -> int:
        """Read a signed 32-bit int, high byte first."""
        pos = self._pos
        if pos + 4 > self._limit:
            pos = self._need(4)
        self._pos = pos + 4
        buf = self._buf
        value = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3]
        return value - 0x100000000 if value > 0x7FFFFFFF else value

    def read_long(self) -> int:
        """Read a signed 64-bit int, high byte first."""
        pos = self._pos
        if pos + 8 > self._limit:
            pos = self._need(8)
        self._pos = pos + 8
        buf = self._buf
        high = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3]
        low = (buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7]
        value = (high << 32) | low
        return value - 0x10000000000000000 if high > 0x7FFFFFFF else value

    def read_float(self) -> float:
        """Read an IEEE 754 float32 (as a Python float).

        A signalling-NaN payload is quieted by the widening to a Python float; read the
        raw bits with ``read_int`` when they matter.
        """
        pos = self._pos
        if pos + 4 > self._limit:
            pos = self._need(4)
        self._pos = pos + 4
        value: float = _FLOAT(self._buf, pos)[0]
        return value

    def read_double(self) -> float:
        """Read an IEEE 754 float64; the bits are kept as they are, NaN payloads included."""
        pos = self._pos
        if pos + 8 > self._limit:
            pos = self._need(8)
        self._pos = pos + 8
        value: float = _DOUBLE(self._buf, pos)[0]
        return value

    def read_utf(self) -> str:
        """Read a 2-byte length and that many bytes of modified UTF-8, as Java's ``readUTF``.

        Raises
        ------
        TruncatedDataError
            If the stream ends inside the length or the payload.
        UTFDataFormatError
            If Java would reject the payload (Java's message); the 2 + length bytes are
            consumed, as in Java.
        """
        pos = self._pos
        limit = self._limit
        if pos + 2 <= limit:
            buf = self._buf
            start = pos + 2
            end = start + ((buf[pos] << 8) | buf[pos + 1])
            if end <= limit:
                self._pos = end
                if _READ_UTF is not None:
                    text = _READ_UTF(buf, pos)
                    return _decode_mutf8(buf[start:end]) if text is None else text
                raw = buf[start:end]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:  # C0 80 (NUL), surrogates, overlong forms, errors
                    return _decode_mutf8(raw)
                if len(text) == end - start:
                    return text  # ASCII, which is its own modified UTF-8
                # Strict UTF-8 and Java read every sequence of 1 to 3 bytes alike; Java
                # refuses the 4-byte ones (leads F0..F4). Compiled, a loop over the bytes
                # is a machine loop; interpreted, lstrip is one C pass.
                if COMPILED:
                    for index in range(start, end):
                        if buf[index] >= 0xF0:
                            return _decode_mutf8(raw)  # raises Java's error
                elif raw.lstrip(_BELOW_F0):
                    return _decode_mutf8(raw)
                return text
        return self._read_utf_slow()

    def _read_utf_slow(self) -> str:
        pos = self._need(2)
        # The length stays unread until the payload is there, so a source that is not
        # ready (BlockingIOError) lets the next call start again at the length.
        end = 2 + _USHORT(self._buf, pos)[0]
        pos = self._need(end)
        end += pos
        self._pos = end
        return _decode_mutf8(self._buf[pos + 2 : end])

    def read_line(self) -> str | None:
        """Read a line of Latin-1 text ended by ``\\n``, ``\\r\\n``, a lone ``\\r`` or the end.

        The terminator is not included; ``None`` at the end of the stream (Java's
        ``null``). After a lone ``\\r`` the next byte stays unread.
        """
        scanned = 0  # bytes after the read position known to hold no terminator
        while True:
            pos, limit = self._pos, self._limit
            match = _EOL.search(self._buf, pos + scanned, limit)
            if match is None:
                scanned = limit - pos
                want = scanned + 1
            elif self._buf[match.start()] == 0x0A or match.end() < limit:
                break
            else:  # a CR ends the buffer: whether an LF follows needs one more byte
                scanned = match.start() - pos
                want = scanned + 2
            have = limit - pos
            try:
                # The line stays unread until complete, so a source that is not ready
                # (BlockingIOError) loses nothing: the next call starts the line again.
                self._need(want)
            except TruncatedDataError:  # the end: what was left is the last line
                rest = self._buf[self._limit - have : self._limit]
                if not rest:
                    return None
                return (rest[:-1] if rest.endswith(b"\r") else rest).decode("latin-1")
        eol = match.start()
        line = self._buf[pos:eol].decode("latin-1")
        self._pos = eol + 2 if self._buf[eol : eol + 2] == b"\r\n" else eol + 1
        return line

    # -- bulk reads -----------------------------------------------------------------

    def _read_bulk(self, kind: _arrays.Kind, count: SupportsIndex, numpy: object) -> Any:
        n = _count(count, f"read_{kind.java}s")
        use_numpy = bool(numpy)
        if use_numpy:
            _arrays.numpy_module()  # fail before consuming anything
        size = n * kind.size
        if not self._started:
            self._start()
        pos = self._pos
        if self._limit - pos >= size:
            self._pos = pos + size
            return _arrays.unpack(kind, memoryview(self._buf)[pos : pos + size], use_numpy)
        if self._read is None:
            raise self._eof(size)
        return self._read_bulk_from_source(kind, n, use_numpy)

    def _read_bulk_from_source(self, kind: _arrays.Kind, n: int, use_numpy: bool) -> Any:
        """Fill a new array straight from the source, without an intermediate bytes copy."""
        size = n * kind.size
        offset = self.tell()
        arr, view = _arrays.empty(kind, n, use_numpy)
        filled = self._limit - self._pos
        view[:filled] = memoryview(self._buf)[self._pos : self._limit]
        readinto = getattr(self._source, "readinto", None)
        while filled < size:
            if readinto is not None:
                got = readinto(view[filled:])
            else:
                chunk = self._fetch(size - filled)
                got = None if chunk is None else len(chunk)
                if chunk:
                    view[filled : filled + len(chunk)] = chunk
            if got is None:  # keep what arrived, so that a retry starts the value again
                self._buf, self._pos, self._limit, self._base = (
                    bytes(view[:filled]),
                    0,
                    filled,
                    offset,
                )
                self._under_f0_to = self._mixed_to = 0
                raise BlockingIOError("source is non-blocking and has no data ready")
            if not got:
                self._buf, self._pos, self._limit, self._base = b"", 0, 0, offset + filled
                self._under_f0_to = self._mixed_to = 0
                raise TruncatedDataError(offset, size, filled)
            filled += got
        self._buf, self._pos, self._limit, self._base = b"", 0, 0, offset + size
        self._under_f0_to = self._mixed_to = 0
        return _arrays.finish(kind, arr, use_numpy)

    def read_records(
        self,
        fmt: _records.RecordFormat | NoReturn,  # noqa: RUF020
        n: SupportsIndex | None = None,
    ) -> Any:
        """Read `n` records of `fmt` (``None``: to the end of the stream) in one call.

        A fixed-width format gives a numpy structured array with one native-order field
        per Java field; a format with ``utf`` fields gives a dict of columns: numpy
        arrays for the fixed fields, a list of ``str`` for each ``utf`` field. The values
        are exactly those of the per-field reads. Needs numpy.

        Raises
        ------
        TruncatedDataError
            If the stream ends inside a record (also with ``n=None``): its ``offset`` is
            where that record starts. The rest of the stream is consumed, as in Java.

        Examples
        --------
        >>> from java_datastream import RecordFormat
        >>> fmt = RecordFormat(id="int", price="double")
        >>> data = "00000001 3ff8000000000000 00000002 4004000000000000"
        >>> inp = DataInputStream(bytes.fromhex(data))
        >>> inp.read_records(fmt).tolist()
        [(1, 1.5), (2, 2.5)]
        >>> inp = DataInputStream(bytes.fromhex("00000007 0002 6869"))
        >>> inp.read_records(RecordFormat(id="int", name="utf"))
        {'id': array([7], dtype=int32), 'name': ['hi']}
        """
        count = None if n is None else _count(n, "read_records")
        if not isinstance(fmt, _records.RecordFormat):
            raise TypeError(f"read_records: expected a RecordFormat, got {type(fmt).__name__}")
        _arrays.numpy_module()  # fail before consuming anything
        if not self._started:
            self._start()
        if fmt.size is not None:
            return _records.fixed_array(fmt, self._take_records(fmt.size, count))
        return self._read_variable_records(fmt, count)

    def _take_records(self, size: int, n: int | None) -> memoryview | bytes:
        """The bytes of `n` fixed-size records (``None``: all that are left)."""
        have = self._fill(1 << 62 if n is None else n * size)  # None: everything
        pos = self._pos
        take = have if n is None else min(have, n * size)
        whole = take - take % size
        if whole < take or (n is not None and whole < n * size):
            self._pos = self._limit
            raise TruncatedDataError(self._base + pos + whole, size, take - whole)
        self._pos = pos + take
        return memoryview(self._buf)[pos : pos + take]

    def _read_variable_records(self, fmt: _records.RecordFormat, n: int | None) -> Any:
        numpy = _arrays.numpy_module()
        gaps, tail = _records.layout(fmt)
        fixed_parts = []
        texts: list[list[str]] = []
        total = 0
        while n is None or total < n:
            first = self._pos
            count, end, lengths, strings = _records.parse_segment(
                gaps, tail, self._buf, first, self._limit, -1 if n is None else n - total
            )
            if count:
                fixed_parts.append(_records.gather_fixed(fmt, self._buf, first, lengths))
                if texts:
                    for column, new in zip(texts, strings, strict=True):
                        column.extend(new)
                else:
                    texts = strings
            total += count
            self._pos = end
            if n is not None and total == n:
                break
            have = self._limit - self._pos
            if self._fill(max(2 * have, 1 << 16)) > have:
                continue
            if have == 0 and n is None:
                break
            self._pos = self._limit
            raise TruncatedDataError(self._base + end, have + 1, have)
        if not texts:
            texts = [[] for _ in gaps]
        if len(fixed_parts) == 1:
            fixed = fixed_parts[0]
        elif fixed_parts:
            fixed = numpy.concatenate(fixed_parts)
        else:
            fixed = numpy.empty(0, dtype=fmt.dtype())
        return _records.columns_of(fmt, fixed, texts)

    @overload
    def read_shorts(self, n: SupportsIndex, *, numpy: Literal[False] = False) -> array[int]: ...
    @overload
    def read_shorts(self, n: SupportsIndex, *, numpy: Literal[True]) -> NDArray[np.int16]: ...
    def read_shorts(self, n: SupportsIndex, *, numpy: object = False) -> Any:
        """Read `n` shorts at once, as ``array('h')`` or (``numpy=True``) an int16 array."""
        return self._read_bulk(_arrays.SHORT, n, numpy)

    @overload
    def read_ints(self, n: SupportsIndex, *, numpy: Literal[False] = False) -> array[int]: ...
    @overload
    def read_ints(self, n: SupportsIndex, *, numpy: Literal[True]) -> NDArray[np.int32]: ...
    def read_ints(self, n: SupportsIndex, *, numpy: object = False) -> Any:
        """Read `n` ints at once, as ``array('i')`` or (``numpy=True``) an int32 array.

        The values are exactly those of `n` ``read_int`` calls; if the stream ends first,
        `TruncatedDataError` is raised and the rest of the stream is consumed.

        Examples
        --------
        >>> DataInputStream(bytes.fromhex("00000001ffffffff")).read_ints(2)
        array('i', [1, -1])
        """
        return self._read_bulk(_arrays.INT, n, numpy)

    @overload
    def read_longs(self, n: SupportsIndex, *, numpy: Literal[False] = False) -> array[int]: ...
    @overload
    def read_longs(self, n: SupportsIndex, *, numpy: Literal[True]) -> NDArray[np.int64]: ...
    def read_longs(self, n: SupportsIndex, *, numpy: object = False) -> Any:
        """Read `n` longs at once, as ``array('q')`` or (``numpy=True``) an int64 array."""
        return self._read_bulk(_arrays.LONG, n, numpy)

    @overload
    def read_floats(self, n: SupportsIndex, *, numpy: Literal[False] = False) -> array[float]: ...
    @overload
    def read_floats(self, n: SupportsIndex, *, numpy: Literal[True]) -> NDArray[np.float32]: ...
    def read_floats(self, n: SupportsIndex, *, numpy: object = False) -> Any:
        """Read `n` floats at once, as ``array('f')`` or (``numpy=True``) a float32 array.

        The raw bits are kept in the array, NaN payloads included.
        """
        return self._read_bulk(_arrays.FLOAT, n, numpy)

    @overload
    def read_doubles(self, n: SupportsIndex, *, numpy: Literal[False] = False) -> array[float]: ...
    @overload
    def read_doubles(self, n: SupportsIndex, *, numpy: Literal[True]) -> NDArray[np.float64]: ...
    def read_doubles(self, n: SupportsIndex, *, numpy: object = False) -> Any:
        """Read `n` doubles at once, as ``array('d')`` or (``numpy=True``) a float64 array."""
        return self._read_bulk(_arrays.DOUBLE, n, numpy)


def _interpreted_reader(name: str, fmt: str) -> Callable[[DataInputStream], Any]:
    """The pure build's `name`: struct's C unpacking, which the interpreter runs faster.

    Compiled, the inline indexing of `DataInputStream` costs a few machine instructions;
    interpreted, each indexing and shift is a bytecode, and one ``unpack_from`` beats four
    or eight of them. Both shapes read the same values; each build's tests run its own.
    """
    unpack = struct.Struct(fmt).unpack_from
    size = struct.calcsize(fmt)
    compiled_shape = getattr(DataInputStream, name)

    def read(self: DataInputStream) -> Any:
        pos = self._pos
        try:
            value = unpack(self._buf, pos)[0]
        except struct.error:  # past the buffer's end: refill, refuse or raise at the end
            pos = self._need(size)
            value = unpack(self._buf, pos)[0]
        self._pos = pos + size
        return value

    read.__name__, read.__qualname__ = compiled_shape.__name__, compiled_shape.__qualname__
    read.__doc__ = compiled_shape.__doc__
    return read


def _interpreted_read_utf() -> Callable[[DataInputStream], str]:
    """The pure build's `read_utf`: the compiled shape's Python path, with what it looks up
    bound in the closure and no test of which build runs.

    Each global or attribute lookup and each test is a bytecode the interpreter pays on
    every call; compiled, they cost next to nothing. Both shapes read the same strings and
    raise the same errors; each build's tests run its own.

    Strict UTF-8 and Java read every sequence of 1 to 3 bytes alike; Java refuses the
    4-byte ones (leads F0..F4). Rather than look for them in each string, the first
    non-ASCII string checks the next `_WINDOW` bytes of the buffer in one C pass; the
    strings that end inside a window found clean need no check of their own. A window
    that holds a byte from F0 up (any field of binary data may) is not scanned again:
    the strings inside it are checked one by one, as before.
    """
    compiled_shape = DataInputStream.read_utf
    slow = DataInputStream._read_utf_slow
    decode_mutf8 = _decode_mutf8
    below_f0 = _BELOW_F0
    window = _WINDOW

    def checked(self: DataInputStream, buf: bytes, start: int, raw: bytes, text: str) -> str:
        """`text` if `raw` (at `start` in `buf`) holds no 4-byte form, else Java's error."""
        end = start + len(raw)
        if end > self._mixed_to:
            stop = start + window
            if stop < end:
                stop = end
            elif stop > self._limit:
                stop = self._limit
            if not buf[start:stop].translate(None, below_f0):
                self._under_f0_to = stop
                return text
            self._mixed_to = stop
        if raw.lstrip(below_f0):
            return decode_mutf8(raw)  # raises Java's error
        return text

    def read_utf(self: DataInputStream) -> str:
        pos = self._pos
        limit = self._limit
        start = pos + 2
        if start <= limit:
            buf = self._buf
            end = start + ((buf[pos] << 8) | buf[pos + 1])
            if end <= limit:
                self._pos = end
                raw = buf[start:end]
                try:
                    text = raw.decode()  # UTF-8; no codec name to look up
                except UnicodeDecodeError:  # C0 80 (NUL), surrogates, overlong forms, errors
                    return decode_mutf8(raw)
                if end <= self._under_f0_to or text.isascii():
                    return text
                return checked(self, buf, start, raw, text)
        return slow(self)

    read_utf.__name__, read_utf.__qualname__ = compiled_shape.__name__, compiled_shape.__qualname__
    read_utf.__doc__ = compiled_shape.__doc__
    return read_utf


if not COMPILED:
    for _name, _fmt in (("read_int", ">i"), ("read_long", ">q"), ("read_float", ">f"),
                        ("read_double", ">d")):  # fmt: skip
        setattr(DataInputStream, _name, _interpreted_reader(_name, _fmt))
    DataInputStream.read_utf = _interpreted_read_utf()  # type: ignore[method-assign, assignment]
