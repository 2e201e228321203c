"""``DataOutputStream``: write Java primitives exactly as ``java.io.DataOutputStream`` does."""

from __future__ import annotations

import errno
import io
import operator
import struct
from typing import TYPE_CHECKING, Any, BinaryIO, Final, NoReturn, SupportsFloat, SupportsIndex

from java_datastream import _arrays, _records
from java_datastream._build import mypyc_attr, speedups
from java_datastream._errors import UTFDataFormatError
from java_datastream.modified_utf8 import encode as _encode_mutf8

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import TracebackType

    from typing_extensions import Buffer

__all__ = ["DataOutputStream"]

_INT = struct.Struct(">i").pack
_LONG = struct.Struct(">q").pack
_USHORT = struct.Struct(">H").pack
_pack_float = _arrays.pack_float
_pack_double = _arrays.pack_double
_INT32_MAX = 2**31 - 1
_SHORT_LENGTHS = [_USHORT(length) for length in range(256)]  # write_utf's common prefixes
_COUNT_CHUNK = 1 << 16
# The C encoder (compiled build only): writeUTF's bytes, or None where the string is too long.
_ENCODE: Final[Callable[[str], bytes | None] | None] = getattr(speedups(__file__), "encode", None)


def _int_error(value: object, method: str, kind: _arrays.Kind) -> Exception:
    if isinstance(value, SupportsIndex):  # an int, a numpy integer: only the range is wrong
        return _arrays.range_error(kind, method)
    return TypeError(f"{method}: expected an int, got {type(value).__name__}")


def _refuse_write(data: bytes | bytearray | memoryview) -> None:
    raise ValueError("I/O operation on closed stream")


def _utf_length(text: str) -> int:
    """Bytes of `text` in modified UTF-8, counted 64 Ki characters at a time.

    Each UTF-16 code unit takes 1 byte (U+0001..U+007F), 2 (U+0000, U+0080..U+07FF) or
    3; a character above U+FFFF is two units, 6 bytes, where UTF-8 takes 4.
    """
    total = 0
    for start in range(0, len(text), _COUNT_CHUNK):
        chunk = text[start : start + _COUNT_CHUNK]
        if chunk.isascii():
            total += len(chunk) + chunk.count("\0")
            continue
        units = len(chunk.encode("utf-16-le", "surrogatepass")) // 2
        # UTF-8 gives 4 bytes for each character above U+FFFF (units - len of them).
        total += len(chunk.encode("utf-8", "surrogatepass")) + chunk.count("\0")
        total += 2 * (units - len(chunk))
    return total


def _excerpt(text: str, head: bool) -> str:
    """The first or last 8 UTF-16 code units of `text`, as Java's message shows them."""
    part = text[:8] if head else text[-8:]
    data = part.encode("utf-16-be", "surrogatepass")
    if len(data) > 16:
        data = data[:16] if head else data[-16:]
    return data.decode("utf-16-be", "surrogatepass")


def _too_long(text: str, length: int) -> UTFDataFormatError:
    excerpt = f"{_excerpt(text, True)}...{_excerpt(text, False)}"
    return UTFDataFormatError(f"encoded string ({excerpt}) too long: {length} bytes")


def _str_error(value: object, method: str) -> TypeError:
    # bytes would otherwise fail deep inside with "a bytes-like object is required, not 'str'"
    return TypeError(f"{method}: expected a str, got {type(value).__name__}")


# Parameters typed `X | NoReturn` are `X` to a type checker, but mypyc does not check them on
# entry (with its own message): the method checks them and names itself, in both builds.
@mypyc_attr(allow_interpreted_subclasses=True)
class DataOutputStream:
    """Write Java primitive values to a binary sink, byte for byte as Java's DataOutputStream.

    Nothing is buffered here: each call writes straight to `sink` (so a ``with open(...)``
    block needs no extra flush), and a sink whose ``write`` accepts fewer bytes than given
    (a raw, unbuffered stream) is written to until everything is taken.

    Parameters
    ----------
    sink : binary writable
        A file opened ``"wb"``, ``io.BytesIO``, ``socket.makefile("wb")``, a raw stream, or
        any object with a ``write(bytes)`` method.

    Examples
    --------
    >>> import io
    >>> buf = io.BytesIO()
    >>> out = DataOutputStream(buf)
    >>> out.write_int(42)
    >>> out.write_utf("hé")
    >>> buf.getvalue().hex(), out.size()
    ('0000002a000368c3a9', 9)
    """

    __slots__ = ("_closed", "_sink", "_write", "_written")

    def __init__(self, sink: BinaryIO | Any) -> None:
        if isinstance(sink, io.TextIOBase):
            raise TypeError("DataOutputStream needs a binary sink, got a text stream")
        write = getattr(sink, "write", None)
        if not callable(write):
            raise TypeError(f"DataOutputStream needs an object with write(), got {sink!r}")
        self._sink = sink
        # BufferedIOBase.write takes all bytes or raises; a raw stream may take fewer.
        self._write: Callable[[bytes | bytearray | memoryview], object] = (
            write if isinstance(sink, io.BufferedIOBase) else self._write_all
        )
        self._written = 0
        self._closed = False

    def _write_all(self, data: bytes | bytearray | memoryview) -> None:
        """Write all of `data` to a sink whose ``write`` may take only part of it."""
        write = self._sink.write
        size = len(data)
        done = 0
        while done < size:
            taken = write(memoryview(data)[done:] if done else data)
            if taken is None:
                if isinstance(self._sink, io.RawIOBase):  # None: it would block
                    self._written += done
                    raise BlockingIOError(
                        errno.EAGAIN, "sink is non-blocking and took no bytes", done
                    )
                return  # a plain object whose write() returns nothing has taken it all
            done += taken

    def size(self) -> int:
        """Bytes written so far, saturating at 2**31 - 1 like Java's ``size()``."""
        written = self._written
        return written if written < _INT32_MAX else _INT32_MAX

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

    def flush(self) -> None:
        """Flush the sink (a no-op for sinks without ``flush``)."""
        if self._closed:
            raise ValueError("I/O operation on closed stream")
        flush = getattr(self._sink, "flush", None)
        if flush is not None:
            flush()

    def close(self) -> None:
        """Flush, then close the sink; every later write raises ``ValueError``.

        Closing twice does nothing more.
        """
        if self._closed:
            return
        try:
            self.flush()
        finally:
            # Every write goes through _write: swapping it refuses them all at no cost to
            # the open stream.
            self._closed = True
            self._write = _refuse_write
            close = getattr(self._sink, "close", None)
            if close is not None:
                close()

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        # A copy would share the sink and count its bytes apart: refuse, as files do.
        raise TypeError(f"cannot pickle or copy a {type(self).__name__}: it writes a stream")

    def __enter__(self) -> DataOutputStream:
        if self._closed:
            raise ValueError("I/O operation on closed stream")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, data: Buffer | SupportsIndex) -> None:
        """Write raw bytes, or the low 8 bits of an integer (Java ``write(int)``).

        Any integer is one here, numpy's included; anything else goes through ``bytes()``.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            try:
                value = operator.index(data)  # type: ignore[arg-type]
            except TypeError:
                pass
            else:
                self.write_byte(value)
                return
        try:
            chunk = bytes(data)
        except TypeError:  # a str above all: bytes() would want an encoding
            raise TypeError(
                "write: expected bytes or an int; write text with write_utf, write_chars"
                " or write_bytes"
            ) from None
        self._write(chunk)
        self._written += len(chunk)

    def write_boolean(self, value: object) -> None:
        """Write ``01`` for a true value, ``00`` for a false one."""
        self._write(b"\x01" if value else b"\x00")
        self._written += 1

    def write_byte(self, value: SupportsIndex) -> None:
        """Write the low 8 bits of `value` (any Java int: -2**31 .. 2**31-1)."""
        try:
            data = _INT(value)
        except (struct.error, OverflowError):
            raise _int_error(value, "write_byte", _arrays.INT) from None
        self._write(data[3:])
        self._written += 1

    def write_short(self, value: SupportsIndex) -> None:
        """Write the low 16 bits of `value` (any Java int), high byte first."""
        try:
            data = _INT(value)
        except (struct.error, OverflowError):
            raise _int_error(value, "write_short", _arrays.INT) from None
        self._write(data[2:])
        self._written += 2

    def write_char(self, value: SupportsIndex | str) -> None:
        """Write a UTF-16 code unit: a one-character str up to U+FFFF, or an int (low 16 bits)."""
        if isinstance(value, str):
            if len(value) != 1 or value > "\uffff":
                raise ValueError(
                    f"write_char: expected one UTF-16 code unit (U+0000..U+FFFF), got {value!r}"
                )
            value = ord(value)
        try:
            data = _INT(value)
        except (struct.error, OverflowError):
            raise _int_error(value, "write_char", _arrays.INT) from None
        self._write(data[2:])
        self._written += 2

    def write_int(self, value: SupportsIndex) -> None:
        """Write a 32-bit two's-complement int; outside -2**31 .. 2**31-1 raises ValueError."""
        try:
            data = _INT(value)
        except (struct.error, OverflowError):
            raise _int_error(value, "write_int", _arrays.INT) from None
        self._write(data)
        self._written += 4

    def write_long(self, value: SupportsIndex) -> None:
        """Write a 64-bit two's-complement long; outside -2**63 .. 2**63-1 raises ValueError."""
        try:
            data = _LONG(value)
        except (struct.error, OverflowError):
            raise _int_error(value, "write_long", _arrays.LONG) from None
        self._write(data)
        self._written += 8

    def write_float(self, value: SupportsFloat) -> None:
        """Write an IEEE 754 float32 as ``floatToIntBits`` does.

        Every NaN becomes ``7fc00000``; a finite value beyond the float32 range becomes
        ±Infinity, as Java's ``(float)`` conversion does.
        """
        self._write(_pack_float(value))
        self._written += 4

    def write_double(self, value: SupportsFloat) -> None:
        """Write an IEEE 754 float64 as ``doubleToLongBits`` does (every NaN ``7ff8…0``)."""
        self._write(_pack_double(value))
        self._written += 8

    def write_bytes(self, text: str | NoReturn) -> None:  # noqa: RUF020
        """Write the low 8 bits of each UTF-16 code unit of `text` (Java ``writeBytes``).

        A character above U+FFFF is two code units, so it writes two bytes.
        """
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            data = text.encode("utf-16-be", "surrogatepass")[1::2]
        except AttributeError:
            raise _str_error(text, "write_bytes") from None
        self._write(data)
        self._written += len(data)

    def write_chars(self, text: str | NoReturn) -> None:  # noqa: RUF020
        """Write each UTF-16 code unit of `text` as 2 bytes, high byte first."""
        if not isinstance(text, str):
            raise _str_error(text, "write_chars")
        data = text.encode("utf-16-be", "surrogatepass")
        self._write(data)
        self._written += len(data)

    def write_utf(self, text: str | NoReturn) -> None:  # noqa: RUF020
        """Write a 2-byte length and `text` in modified UTF-8 (Java ``writeUTF``).

        Raises
        ------
        UTFDataFormatError
            If the encoding is longer than 65535 bytes; nothing is written then. The
            message is Java's, with the head and tail of the string:
            ``encoded string (aaaaaaaa...aaaaaaaa) too long: 65536 bytes``. A string too
            long by its length alone is measured without being encoded.
        """
        if not isinstance(text, str):
            raise _str_error(text, "write_utf")
        if _ENCODE is not None:
            encoded = _ENCODE(text)
            if encoded is None:
                raise _too_long(text, _utf_length(text))
            self._write(encoded)
            self._written += len(encoded)
            return
        if len(text) > 0xFFFF:  # each character takes at least one byte
            raise _too_long(text, _utf_length(text))
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            data = _encode_mutf8(text)
        else:
            if len(data) != len(text) or "\0" in text:
                data = _encode_mutf8(text)  # ASCII without NUL is its own modified UTF-8
        length = len(data)
        if length < 256:
            self._write(_SHORT_LENGTHS[length] + data)
        elif length <= 0xFFFF:
            self._write(_USHORT(length) + data)
        else:
            raise _too_long(text, length)
        self._written += 2 + length

    def write_records(
        self,
        fmt: _records.RecordFormat | NoReturn,  # noqa: RUF020
        rows: Any,
    ) -> None:
        """Write `rows` as records of `fmt`: the bytes of the per-field writes, in order.

        `rows` is what `DataInputStream.read_records` returns (a numpy structured array
        or a dict of columns) or any iterable of rows, each a sequence in the format's
        order. Every value is checked before anything is written.

        Examples
        --------
        >>> import io
        >>> from java_datastream import RecordFormat
        >>> buf = io.BytesIO()
        >>> DataOutputStream(buf).write_records(RecordFormat("int utf"), [(1, "a"), (2, "b")])
        >>> buf.getvalue().hex()
        '0000000100016100000002000162'
        """
        if self._closed:
            raise ValueError("I/O operation on closed stream")
        if not isinstance(fmt, _records.RecordFormat):
            raise TypeError(f"write_records: expected a RecordFormat, got {type(fmt).__name__}")
        data = _records.pack_records(fmt, rows)
        self._write(data)
        self._written += len(data)

    def _write_bulk(self, kind: _arrays.Kind, values: Iterable[float] | Any) -> None:
        write = self._write
        for chunk in _arrays.pack(kind, values):
            write(chunk)
            self._written += len(chunk)

    def write_shorts(self, values: Iterable[int] | Any) -> None:
        """Write many shorts at once: the same bytes as ``write_short`` on each value.

        `values` is any iterable of ints, an ``array.array`` or a numpy integer array
        (flattened in C order). Nothing is written if a value is out of range.
        """
        self._write_bulk(_arrays.SHORT, values)

    def write_ints(self, values: Iterable[int] | Any) -> None:
        """Write many ints at once: the same bytes as ``write_int`` on each value.

        Examples
        --------
        >>> import io
        >>> from array import array
        >>> buf = io.BytesIO()
        >>> DataOutputStream(buf).write_ints(array("i", [1, -1]))
        >>> buf.getvalue().hex()
        '00000001ffffffff'
        """
        self._write_bulk(_arrays.INT, values)

    def write_longs(self, values: Iterable[int] | Any) -> None:
        """Write many longs at once: the same bytes as ``write_long`` on each value."""
        self._write_bulk(_arrays.LONG, values)

    def write_floats(self, values: Iterable[float] | Any) -> None:
        """Write many floats at once: the same bytes as ``write_float`` on each value."""
        self._write_bulk(_arrays.FLOAT, values)

    def write_doubles(self, values: Iterable[float] | Any) -> None:
        """Write many doubles at once: the same bytes as ``write_double`` on each value."""
        self._write_bulk(_arrays.DOUBLE, values)
