"""Hadoop ``WritableUtils`` variable-length integers and the ``Text`` string framing.

A VLong is one byte for -112 .. 127; otherwise a marker byte giving the sign and the
number of bytes (1-8), then the magnitude (one's complement for negatives), high byte
first. ``Text`` is a VInt byte length followed by *standard* UTF-8 (not modified UTF-8),
decoded and encoded exactly as Hadoop's JDK coders do, malformed input included.

Examples
--------
>>> import io
>>> from java_datastream import DataInputStream, DataOutputStream
>>> buf = io.BytesIO()
>>> out = DataOutputStream(buf)
>>> write_vint(out, 300)
>>> write_text(out, "héllo")  # returns the byte length, as Hadoop's writeString
6
>>> buf.getvalue().hex()
'8e012c0668c3a96c6c6f'
>>> inp = DataInputStream(buf.getvalue())
>>> read_vint(inp), read_text(inp)
(300, 'héllo')
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Final, NoReturn, SupportsIndex

from java_datastream._build import is_compiled
from java_datastream._errors import MalformedInputError, TruncatedDataError, VIntRangeError

if TYPE_CHECKING:
    from typing_extensions import Buffer

    from java_datastream._input import DataInputStream
    from java_datastream._output import DataOutputStream

# Parameters typed `X | NoReturn` are `X` to a type checker, but mypyc does not check them on
# entry (with its own message): in both builds a function checks them itself, or takes any
# object with the methods it calls, as the pure-Python build always did.

__all__ = [
    "decode_text",
    "decode_vint_size",
    "encode_text",
    "get_vint_size",
    "is_negative_vint",
    "read_text",
    "read_vint",
    "read_vint_in_range",
    "read_vlong",
    "skip_text",
    "validate_utf8",
    "write_text",
    "write_vint",
    "write_vlong",
]

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
COMPILED: Final = is_compiled(__file__)
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _integer(value: SupportsIndex, method: str) -> int:
    try:
        return operator.index(value)  # numpy integers too, as Python ints
    except TypeError:
        raise TypeError(f"{method}: expected an int, got {type(value).__name__}") from None


def _java_long(number: SupportsIndex, method: str) -> int:
    value = _integer(number, method)
    if not _LONG_MIN <= value <= _LONG_MAX:
        raise ValueError(f"{method}: {value} is outside the Java long range")
    return value


def _java_byte(number: SupportsIndex, method: str) -> int:
    """A first byte as Java's signed ``byte``; 128..255 (``data[0]``) count as -128..-1."""
    value = _integer(number, method)
    if not -128 <= value <= 255:
        raise ValueError(f"{method}: {value} is not a byte (-128..255)")
    return value - 256 if value > 127 else value


def write_vlong(
    out: DataOutputStream | NoReturn,  # noqa: RUF020
    value: SupportsIndex,
) -> None:
    """Write `value` (a Java long) as ``WritableUtils.writeVLong`` does: 1 to 9 bytes."""
    _write_vlong(out, _java_long(value, "write_vlong"))


def _write_vlong(out: DataOutputStream | NoReturn, value: int) -> None:  # noqa: RUF020
    if -112 <= value <= 127:
        out.write_byte(value)
        return
    marker = -112
    if value < 0:
        value = ~value
        marker = -120
    size = (value.bit_length() + 7) // 8
    out.write(bytes([(marker - size) & 0xFF]) + value.to_bytes(size, "big"))


def write_vint(
    out: DataOutputStream | NoReturn,  # noqa: RUF020
    value: SupportsIndex,
) -> None:
    """Write `value` (a Java int) as ``WritableUtils.writeVInt`` does: 1 to 5 bytes."""
    number = _java_long(value, "write_vint")
    if not _INT_MIN <= number <= _INT_MAX:
        raise ValueError(f"write_vint: {number} is outside the Java int range")
    _write_vlong(out, number)


def get_vint_size(value: SupportsIndex) -> int:
    """Bytes ``write_vlong(value)`` writes, as ``WritableUtils.getVIntSize`` (1 to 9).

    Examples
    --------
    >>> get_vint_size(127), get_vint_size(128), get_vint_size(-(2**63))
    (1, 2, 9)
    """
    number = _java_long(value, "get_vint_size")
    if -112 <= number <= 127:
        return 1
    if number < 0:
        number = ~number
    return (number.bit_length() + 7) // 8 + 1


def decode_vint_size(first_byte: SupportsIndex) -> int:
    """Total bytes of the VInt/VLong that starts with `first_byte` (``decodeVIntSize``).

    `first_byte` is a Java byte (-128..127) or, as ``data[0]`` gives it, 0..255.

    Examples
    --------
    >>> decode_vint_size(0x8F), decode_vint_size(-120), decode_vint_size(5)
    (2, 9, 1)
    """
    value = _java_byte(first_byte, "decode_vint_size")
    if value >= -112:
        return 1
    if value < -120:
        return -119 - value
    return -111 - value


def is_negative_vint(first_byte: SupportsIndex) -> bool:
    """Whether the VInt/VLong that starts with `first_byte` is negative (``isNegativeVInt``).

    Examples
    --------
    >>> is_negative_vint(0x87), is_negative_vint(0x8F), is_negative_vint(0xFF)
    (True, False, True)
    """
    value = _java_byte(first_byte, "is_negative_vint")
    return value < -120 or -112 <= value < 0


def read_vlong(inp: DataInputStream | NoReturn) -> int:  # noqa: RUF020
    """Read a VLong as ``WritableUtils.readVLong`` does (non-canonical lengths accepted)."""
    first = inp.read_byte()
    if first >= -112:
        return first
    size = -120 - first if first < -120 else -112 - first
    value = int.from_bytes(inp.read_fully(size), "big")
    if value > _LONG_MAX:  # Java accumulates in a long, which wraps
        value -= 1 << 64
    return ~value if first < -120 else value


def read_vint(inp: DataInputStream | NoReturn) -> int:  # noqa: RUF020
    """Read a VInt as ``WritableUtils.readVInt`` does.

    Raises
    ------
    VIntRangeError
        If the encoded value does not fit a Java int (its bytes are consumed).
    """
    value = read_vlong(inp)
    if not _INT_MIN <= value <= _INT_MAX:
        raise VIntRangeError(f"value too long to fit in integer: {value}")
    return value


def read_vint_in_range(
    inp: DataInputStream | NoReturn,  # noqa: RUF020
    lower: SupportsIndex,
    upper: SupportsIndex,
) -> int:
    """Read a VLong and check ``lower <= value <= upper`` (``readVIntInRange``).

    Raises
    ------
    VIntRangeError
        With Hadoop's message (``"expected non-negative integer, got -1"``); the value's
        bytes are consumed.

    Examples
    --------
    >>> from java_datastream import DataInputStream
    >>> read_vint_in_range(DataInputStream(b"\\x05"), 0, 10)
    5
    """
    low = _integer(lower, "read_vint_in_range")
    high = _integer(upper, "read_vint_in_range")
    if not _INT_MIN <= low <= _INT_MAX or not _INT_MIN <= high <= _INT_MAX:
        raise ValueError("read_vint_in_range: lower and upper must be Java ints")
    return _check_range(read_vlong(inp), low, high)


def _check_range(value: int, lower: int, upper: int) -> int:
    if value < lower:
        if lower == 0:
            raise VIntRangeError(f"expected non-negative integer, got {value}")
        raise VIntRangeError(f"expected integer greater than or equal to {lower}, got {value}")
    if value > upper:
        raise VIntRangeError(f"expected integer less or equal to {upper}, got {value}")
    return value


# -- Text: standard UTF-8 through the JDK's coders ------------------------------------------


def _join_pairs(text: str) -> str:
    """`text` with surrogate pairs held as two code points joined, as a Java String sees them."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def encode_text(text: str | NoReturn) -> bytes:  # noqa: RUF020
    """`text` as Hadoop's ``Text.encode`` gives it: UTF-8, a lone surrogate as ``?``.

    A surrogate pair held as two code points (``"\\ud83d\\ude00"``, what two ``read_char``
    calls give) is one character to Java, and is encoded as that character.

    Examples
    --------
    >>> encode_text("\\ud83d\\ude00 \\udc00").hex()
    'f09f9880203f'
    """
    if not isinstance(text, str):
        raise TypeError(f"encode_text: expected a str, got {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # surrogates: pairs join, lone ones become "?" as in Java
        return _join_pairs(text).encode("utf-8", "replace")


def write_text(
    out: DataOutputStream | NoReturn,  # noqa: RUF020
    text: str | NoReturn,  # noqa: RUF020
    *,
    max_length: SupportsIndex | None = None,
) -> int:
    """Write `text` as Hadoop ``Text.writeString``: VInt byte length + UTF-8 (see `encode_text`).

    Returns the byte length written after the VInt, as Hadoop does.

    Raises
    ------
    ValueError
        If `max_length` is given and the encoding is longer (Hadoop's message); nothing
        is written then.
    """
    limit = None if max_length is None else _integer(max_length, "write_text")
    data = encode_text(text)
    if limit is not None and len(data) > limit:
        raise ValueError(
            f"string was too long to write!  Expected less than or equal to {limit}"
            f" bytes, but got {len(data)} bytes."
        )
    write_vint(out, len(data))
    out.write(data)
    return len(data)


def _continuation(byte: int) -> bool:
    return byte & 0xC0 == 0x80


def _malformed_length(raw: bytes, pos: int) -> int:
    """Bytes the JDK's UTF-8 decoder takes as one malformed group at `pos`, or 0 if valid.

    The rules of ``sun.nio.cs.UTF_8.Decoder`` (``decodeArrayLoop`` and ``malformedN``),
    including the end of input, where an unfinished sequence is one group whatever its
    length. The test suite checks them against the JDK on every input of up to 3 bytes.
    """
    b1 = raw[pos]
    left = len(raw) - pos
    if b1 < 0x80:
        return 0
    if 0xC2 <= b1 <= 0xDF:
        if left < 2:
            return left
        return 0 if _continuation(raw[pos + 1]) else 1
    if 0xE0 <= b1 <= 0xEF:
        if left > 1:
            b2 = raw[pos + 1]
            if (b1 == 0xE0 and b2 & 0xE0 == 0x80) or not _continuation(b2):
                return 1
            if left < 3:
                return left
            if not _continuation(raw[pos + 2]):
                return 2
            if b1 == 0xED and b2 >= 0xA0:  # an encoded surrogate (CESU-8): the whole group
                return 3
            return 0
        return left
    if 0xF0 <= b1 <= 0xF4:
        if left > 1:
            b2 = raw[pos + 1]
            if (
                (b1 == 0xF0 and not 0x90 <= b2 <= 0xBF)
                or (b1 == 0xF4 and b2 & 0xF0 != 0x80)
                or not _continuation(b2)
            ):
                return 1
            if left > 2:
                if not _continuation(raw[pos + 2]):
                    return 2
                if left > 3:
                    return 0 if _continuation(raw[pos + 3]) else 3
        return left
    return 1


def _scan(raw: bytes, strict: bool) -> str:
    """Decode `raw` as the JDK does with REPLACE (or raise where REPORT throws)."""
    parts: list[str] = []
    start = 0
    pos = 0
    size = len(raw)
    while pos < size:
        b1 = raw[pos]
        bad = 0 if b1 < 0x80 else _malformed_length(raw, pos)
        if bad == 0:
            pos += 1 if b1 < 0x80 else 2 if b1 < 0xE0 else 3 if b1 < 0xF0 else 4
            continue
        if strict:
            raise MalformedInputError(pos, bad)
        parts.append(raw[start:pos].decode("utf-8"))
        parts.append("\ufffd")
        pos += bad
        start = pos
    if not parts:  # well-formed UTF-8: the JDK and CPython agree
        return raw.decode("utf-8")
    parts.append(raw[start:].decode("utf-8"))
    return "".join(parts)


def decode_text(data: Buffer, *, strict: bool | NoReturn = False) -> str:  # noqa: RUF020
    """Decode UTF-8 `data` exactly as Hadoop's ``Text.decode`` does.

    Malformed input becomes U+FFFD where and as often as the JDK decoder puts it: one
    for each malformed group, so an encoded surrogate (``ED A0 80``, CESU-8) is one
    U+FFFD, not three as in CPython.

    Parameters
    ----------
    data : bytes-like
        The encoded text.
    strict : bool
        Raise `MalformedInputError` where ``Text.decode(bytes, 0, len, false)`` throws,
        instead of replacing.

    Examples
    --------
    >>> decode_text(bytes.fromhex("eda0bdedb880"))
    '\\ufffd\\ufffd'
    >>> bytes.fromhex("eda0bdedb880").decode("utf-8", "replace")
    '\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd'
    """
    raw = bytes(data)
    if raw.isascii():
        return raw.decode("ascii")
    if COMPILED:  # compiled, the scan costs less than the exception of a failed decode
        return _scan(raw, bool(strict))
    try:
        return raw.decode("utf-8")  # well-formed UTF-8: the JDK and CPython agree
    except UnicodeDecodeError:
        return _scan(raw, bool(strict))


def validate_utf8(data: Buffer) -> None:
    """Check `data` as Hadoop's ``Text.validateUTF8`` does.

    Hadoop's own check, not the JDK decoder: a sequence cut off by the end of `data` is
    accepted, as Hadoop accepts it.

    Raises
    ------
    MalformedInputError
        At the byte where ``validateUTF8`` throws (its ``offset``).

    Examples
    --------
    >>> validate_utf8("héllo".encode())
    >>> validate_utf8(b"ab\\xff")
    Traceback (most recent call last):
    ...
    java_datastream._errors.MalformedInputError: malformed UTF-8 at byte 2 (1 byte(s))
    """
    raw = bytes(data)
    if raw.isascii():
        return
    lead = 0
    follow = 0  # continuation bytes still expected
    first = False  # the next byte is the first continuation after `lead`
    for pos in range(len(raw)):
        byte = raw[pos]
        if follow == 0:
            lead = byte
            if byte < 0x80:
                continue
            if 0xC2 <= byte <= 0xDF:
                follow = 1
            elif 0xE0 <= byte <= 0xEF:
                follow = 2
            elif 0xF0 <= byte <= 0xF4:
                follow = 3
            else:
                raise MalformedInputError(pos, 1)
            first = True
            continue
        if first and (
            (lead == 0xF0 and byte < 0x90)
            or (lead == 0xF4 and byte > 0x8F)
            or (lead == 0xE0 and byte < 0xA0)
            or (lead == 0xED and byte > 0x9F)
        ):
            raise MalformedInputError(pos, 1)
        if not _continuation(byte):
            raise MalformedInputError(pos, 1)
        first = False
        follow -= 1


def read_text(
    inp: DataInputStream | NoReturn,  # noqa: RUF020
    *,
    max_length: SupportsIndex | None = None,
    strict: bool | NoReturn = False,  # noqa: RUF020
) -> str:
    """Read a Hadoop ``Text`` (``Text.readString``): VInt byte length + UTF-8.

    Malformed UTF-8 is replaced by U+FFFD exactly as Hadoop does (see `decode_text`).

    Parameters
    ----------
    inp : DataInputStream
        The stream.
    max_length : int, optional
        Refuse a longer text before reading it, as ``Text.readString(in, maxLength)``.
        Use it on untrusted data: otherwise a corrupt length may ask for up to 2 GiB.
    strict : bool
        Raise `MalformedInputError` instead of replacing (the text is consumed).

    Raises
    ------
    VIntRangeError
        If the length is negative or above `max_length` (Hadoop's message).
    TruncatedDataError
        If the stream ends inside the text.
    """
    limit = _INT_MAX if max_length is None else _integer(max_length, "read_text")
    length = read_vint_in_range(inp, 0, limit)
    return decode_text(inp.read_fully(length), strict=strict)


def skip_text(inp: DataInputStream | NoReturn) -> int:  # noqa: RUF020
    """Skip one ``Text`` (``Text.skip``) and return the byte length skipped.

    Raises
    ------
    TruncatedDataError
        If the stream ends first (Hadoop: "Not able to skip N bytes").
    VIntRangeError
        If the length is negative (Hadoop skips nothing then; corrupt data here).
    """
    length = read_vint(inp)
    if length < 0:
        raise VIntRangeError(f"expected non-negative integer, got {length}")
    offset = inp.tell()
    skipped = inp.skip_bytes(length)
    if skipped < length:
        raise TruncatedDataError(offset, length, skipped)
    return length
