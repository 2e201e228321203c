"""Hadoop ``WritableUtils`` variable-length integers and the ``Text`` string framing.

A VLong is one byte for -112 .. 127; otherwise a marker byte giving the sign and the
number of bytes (1-8), then the magnitude (one's complement for negatives), high byte
first. ``Text`` is a VInt byte length followed by *standard* UTF-8 (not modified UTF-8).

Examples
--------
>>> import io
>>> from java_datastream import DataInputStream, DataOutputStream
>>> buf = io.BytesIO()
>>> out = DataOutputStream(buf)
>>> write_vint(out, 300)
>>> write_text(out, "héllo")
>>> buf.getvalue().hex()
'8e012c0668c3a96c6c6f'
>>> inp = DataInputStream(buf.getvalue())
>>> read_vint(inp), read_text(inp)
(300, 'héllo')
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING

from java_datastream._errors import VIntRangeError

if TYPE_CHECKING:
    from java_datastream._input import DataInputStream
    from java_datastream._output import DataOutputStream

__all__ = ["read_text", "read_vint", "read_vlong", "write_text", "write_vint", "write_vlong"]

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def write_vlong(out: DataOutputStream, value: int) -> None:
    """Write `value` (a Java long) as ``WritableUtils.writeVLong`` does: 1 to 9 bytes."""
    try:
        value = operator.index(value)  # numpy integers too, as Python ints
    except TypeError:
        raise TypeError(f"write_vlong: expected an int, got {type(value).__name__}") from None
    if not _LONG_MIN <= value <= _LONG_MAX:
        raise ValueError(f"write_vlong: {value} is outside the Java long range")
    if -112 <= value <= 127:
        out.write_byte(value)
        return
    marker = -112
    if value < 0:
        value = ~value
        marker = -120
    size = (value.bit_length() + 7) // 8
    out.write_byte(marker - size)
    out.write(value.to_bytes(size, "big"))


def write_vint(out: DataOutputStream, value: int) -> None:
    """Write `value` (a Java int) as ``WritableUtils.writeVInt`` does: 1 to 5 bytes."""
    try:
        value = operator.index(value)  # numpy integers too, as Python ints
    except TypeError:
        raise TypeError(f"write_vint: expected an int, got {type(value).__name__}") from None
    if not _INT_MIN <= value <= _INT_MAX:
        raise ValueError(f"write_vint: {value} is outside the Java int range")
    write_vlong(out, value)


def read_vlong(inp: DataInputStream) -> int:
    """Read a VLong as ``WritableUtils.readVLong`` does (non-canonical lengths accepted)."""
    first = inp.read_byte()
    if first >= -112:
        return first
    size = -120 - first if first < -120 else -112 - first
    value = int.from_bytes(inp.read_fully(size), "big")
    if value > _LONG_MAX:  # Java accumulates in a long, which wraps
        value -= 1 << 64
    return ~value if first < -120 else value


def read_vint(inp: DataInputStream) -> int:
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


def write_text(out: DataOutputStream, text: str) -> None:
    """Write `text` as Hadoop ``Text.writeString``: VInt byte length + UTF-8.

    As Hadoop's encoder does, a lone surrogate is replaced by ``?``.
    """
    data = text.encode("utf-8", "replace")
    write_vint(out, len(data))
    out.write(data)


def read_text(inp: DataInputStream) -> str:
    """Read a Hadoop ``Text`` (``Text.readString``): VInt byte length + UTF-8.

    As Hadoop does, malformed UTF-8 is replaced by U+FFFD rather than rejected.

    Raises
    ------
    VIntRangeError
        If the length is negative or does not fit a Java int.
    """
    length = read_vint(inp)
    if length < 0:
        raise VIntRangeError(f"Text length must be >= 0, got {length}")
    return inp.read_fully(length).decode("utf-8", "replace")
