"""Bulk conversion between big-endian bytes and ``array.array`` / numpy arrays.

Every conversion produces the bytes the per-value calls would: Java's ranges, the low
16 bits for shorts, canonical NaN (``floatToIntBits``), ±Infinity for floats beyond the
float32 range.
"""

from __future__ import annotations

import math
import struct
import sys
from array import array
from typing import TYPE_CHECKING, Any, SupportsFloat

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from types import ModuleType

__all__ = [
    "DOUBLE", "FLOAT", "INT", "LONG", "SHORT", "Kind", "empty", "finish", "numpy_module", "pack",
    "pack_double", "pack_float", "range_error", "unpack",
]  # fmt: skip

_SWAP = sys.byteorder == "little"
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_NAN32 = 0x7FC00000
_NAN64 = 0x7FF8000000000000
_CHUNK_ITEMS = 1 << 15  # values per chunk of a large write: small enough to stay in cache


class Kind:
    """How one Java primitive type is laid out in bulk."""

    __slots__ = ("code", "dtype", "hi", "java", "lo", "size", "wire")

    def __init__(
        self, java: str, code: str, size: int, dtype: str, wire: str, lo: int, hi: int
    ) -> None:
        self.java = java  # Java type name, used in messages
        self.code = code  # array.array typecode of the values read
        self.size = size  # bytes per value on the wire
        self.dtype = dtype  # numpy dtype of the values read (native byte order)
        self.wire = wire  # numpy dtype of the bytes on the wire
        self.lo = lo  # Java range of the values accepted on write (floats: unused)
        self.hi = hi


# Java's writeShort takes an int and keeps its low 16 bits, hence the int range for SHORT.
SHORT = Kind("short", "h", 2, "int16", ">i2", INT32_MIN, INT32_MAX)
INT = Kind("int", "i", 4, "int32", ">i4", INT32_MIN, INT32_MAX)
LONG = Kind("long", "q", 8, "int64", ">i8", INT64_MIN, INT64_MAX)
FLOAT = Kind("float", "f", 4, "float32", ">f4", 0, 0)
DOUBLE = Kind("double", "d", 8, "float64", ">f8", 0, 0)

_PACK_FLOAT = struct.Struct(">f").pack
_PACK_DOUBLE = struct.Struct(">d").pack
_NAN32_BYTES = _NAN32.to_bytes(4, "big")
_NAN64_BYTES = _NAN64.to_bytes(8, "big")
# The bytes after the first of ±Infinity: all exponent bits set and no mantissa bit is not NaN.
_INF32_TAIL = b"\x80\x00\x00"
_INF64_TAIL = b"\xf0\x00\x00\x00\x00\x00\x00"


def numpy_module() -> ModuleType:
    """Import numpy for ``numpy=True``, with an install hint when it is missing."""
    try:
        # __import__, not an import statement: compiled code may take a module from
        # sys.modules without the None check that makes a blocked import fail.
        numpy = __import__("numpy")
    except ImportError:
        raise ImportError("numpy=True needs numpy: pip install 'java-datastream[numpy]'") from None
    return numpy


def range_error(kind: Kind, method: str) -> ValueError:
    """The error for a value Java's parameter type cannot hold."""
    return ValueError(
        f"{method}: value out of range for a Java {'int' if kind is SHORT else kind.java}"
        f" parameter [{kind.lo}, {kind.hi}]"
    )


def pack_float(value: SupportsFloat) -> bytes:
    """``writeFloat``: canonical NaN, overflow to ±Infinity, big-endian."""
    try:
        data = _PACK_FLOAT(value)
    except OverflowError:
        return _PACK_FLOAT(math.copysign(math.inf, value))
    except struct.error:
        if isinstance(value, int):  # struct refuses big ints; convert as the bulk path does
            return pack_float(float(value))
        raise TypeError(f"write_float: expected a number, got {type(value).__name__}") from None
    # NaN is told from the bits, not by value != value: a numpy NaN compares to a numpy
    # bool, which the compiled build would refuse as a bool.
    if data[0] & 0x7F == 0x7F and data[1] >= 0x80 and data[1:] != _INF32_TAIL:
        return _NAN32_BYTES
    return data


def pack_double(value: SupportsFloat) -> bytes:
    """``writeDouble``: canonical NaN, big-endian."""
    try:
        data = _PACK_DOUBLE(value)
    except struct.error:
        if isinstance(value, int):  # struct refuses big ints; convert as the bulk path does
            return pack_double(float(value))
        raise TypeError(f"write_double: expected a number, got {type(value).__name__}") from None
    if data[0] & 0x7F == 0x7F and data[1] >= 0xF0 and data[1:] != _INF64_TAIL:
        return _NAN64_BYTES
    return data


def pack(kind: Kind, values: Iterable[float] | Any) -> Iterator[bytes | bytearray | memoryview]:
    """Big-endian chunks of `values` as the per-value ``write_<kind.java>`` calls would write.

    Every value is checked before the first chunk is produced, so a bad value means nothing
    is written. Large inputs go out in chunks that stay in the CPU cache while swapped.
    """
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(values, numpy.ndarray):
        return _pack_numpy(numpy, kind, values)
    if isinstance(values, (bytes, bytearray)):
        values = list(values)  # array() would take these as raw machine bytes
    if isinstance(values, array) and values.typecode == kind.code and kind is not SHORT:
        if kind.code in "fd" and _has_nan(values):
            return iter([_pack_with_nans(kind, values)])
        return _swapped_chunks(values)  # an array of the right type is valid as it is
    if kind.code in "fd":
        return iter([_pack_floats(kind, values)])
    code = "i" if kind is SHORT else kind.code
    try:
        arr = array(code, values)
    except OverflowError:
        raise range_error(kind, f"write_{kind.java}s") from None
    if _SWAP:
        arr.byteswap()
    if kind is SHORT:
        # writeShort keeps the low 16 bits of an int: the last two bytes of each word.
        data = memoryview(arr).cast("B")
        out = bytearray(len(arr) * 2)
        out[0::2] = data[2::4]
        out[1::2] = data[3::4]
        return iter([out])
    return iter([memoryview(arr).cast("B")])


def _swapped_chunks(values: array[Any]) -> Iterator[bytes | bytearray | memoryview]:
    for start in range(0, len(values), _CHUNK_ITEMS):
        chunk = values[start : start + _CHUNK_ITEMS]
        if _SWAP:
            chunk.byteswap()
        yield memoryview(chunk).cast("B")


def _has_nan(values: array[float]) -> bool:
    total = sum(values)
    return total != total  # NaN, or +inf and -inf together: then look value by value


def _pack_with_nans(kind: Kind, values: Iterable[float]) -> bytes:
    return b"".join(map(pack_float if kind is FLOAT else pack_double, values))


def _pack_floats(kind: Kind, values: Iterable[float]) -> bytes | bytearray | memoryview:
    # array('f') narrows like a C cast, which is Java's (float) conversion.
    arr = array(kind.code, values)
    if _has_nan(arr):
        return _pack_with_nans(kind, arr)
    if _SWAP:
        arr.byteswap()
    return memoryview(arr).cast("B")


def _pack_numpy(
    numpy: ModuleType, kind: Kind, values: Any
) -> Iterator[bytes | bytearray | memoryview]:
    if values.dtype.kind not in "iubf" or (values.dtype.kind == "f" and kind.code not in "fd"):
        raise TypeError(f"write_{kind.java}s: cannot write a {values.dtype} array")
    values = values.reshape(-1)
    if kind.code in "fd":
        return _numpy_float_chunks(numpy, kind, values)
    wide = not numpy.can_cast(values.dtype, "int32" if kind is SHORT else kind.dtype)
    if wide and values.size and (values.min() < kind.lo or values.max() > kind.hi):
        raise range_error(kind, f"write_{kind.java}s")
    # Integer narrowing in numpy keeps the low bits, which is what writeShort does.
    return (
        memoryview(values[start : start + _CHUNK_ITEMS].astype(kind.wire)).cast("B")
        for start in range(0, values.size, _CHUNK_ITEMS)
    )


def _numpy_float_chunks(numpy: ModuleType, kind: Kind, values: Any) -> Iterator[memoryview]:
    unsigned = numpy.uint32 if kind is FLOAT else numpy.uint64
    for start in range(0, values.size, _CHUNK_ITEMS):
        chunk = values[start : start + _CHUNK_ITEMS]
        if chunk.dtype.kind != "f":
            chunk = chunk.astype(numpy.float64)  # as Python's float(int) would
        with numpy.errstate(over="ignore"):
            floats = chunk.astype(kind.dtype)
        bits = floats.view(unsigned)
        nan = numpy.isnan(floats)
        if nan.any():
            bits = bits.copy()
            bits[nan] = _NAN32 if kind is FLOAT else _NAN64
        yield memoryview(bits.astype(kind.wire.replace("f", "u"))).cast("B")


def empty(kind: Kind, count: int, use_numpy: bool) -> tuple[Any, memoryview]:
    """A new array for `count` values and a writable byte view of it, for ``readinto``."""
    if use_numpy:
        numpy = numpy_module()
        arr = numpy.empty(count, dtype=kind.wire)
        return arr, memoryview(arr.view(numpy.uint8))
    arr = array(kind.code, [0]) * count
    return arr, memoryview(arr).cast("B")


def finish(kind: Kind, arr: Any, use_numpy: bool) -> Any:
    """Turn an array filled with big-endian bytes by `empty`'s view into native values."""
    if use_numpy:
        if _SWAP:
            arr.byteswap(inplace=True)
        return arr.view(kind.dtype)
    if _SWAP:
        arr.byteswap()
    return arr


def unpack(kind: Kind, data: bytes | memoryview, use_numpy: bool) -> Any:
    """Values of `kind` from big-endian `data`, as ``array.array`` or a numpy array."""
    if use_numpy:
        numpy = numpy_module()
        return numpy.frombuffer(data, dtype=kind.wire).astype(kind.dtype)
    arr = array(kind.code)
    arr.frombytes(data)
    if _SWAP:
        arr.byteswap()
    return arr
