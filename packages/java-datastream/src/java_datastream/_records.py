"""Whole records: the same fields written for each row, read or written in one call.

The fixed-width part of the work is numpy's (a structured dtype over the bytes), or on the
compiled build one C pass that swaps each record's fields as it copies them; the string
fields take one pass over the buffer that records where each record starts and decodes
each string once.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Final, NoReturn

from java_datastream import _arrays
from java_datastream._build import is_compiled, mypyc_attr, speedups
from java_datastream._errors import TruncatedDataError
from java_datastream.modified_utf8 import _BELOW_F0
from java_datastream.modified_utf8 import decode as _decode_mutf8

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from java_datastream._output import DataOutputStream

__all__ = ["RecordFormat", "pack_records", "parse_segment", "parse_segment_python"]

# Java type -> (bytes on the wire, numpy dtype on the wire, numpy dtype returned)
_FIXED: dict[str, tuple[int, str, str]] = {
    "boolean": (1, "u1", "?"),
    "byte": (1, "i1", "i1"),
    "short": (2, ">i2", "i2"),
    "char": (2, ">u2", "u2"),
    "int": (4, ">i4", "i4"),
    "long": (8, ">i8", "i8"),
    "float": (4, ">f4", "f4"),
    "double": (8, ">f8", "f8"),
}
TYPES = (*_FIXED, "utf")
COMPILED: Final = is_compiled(__file__)
# parse_segment in C (compiled build only); strings it does not decode go to the Python decoder.
_PARSE: Final[Callable[..., tuple[int, int, bytes, list[list[str]]]] | None] = getattr(
    speedups(__file__), "parse_segment", None
)
# Fixed-width records in one C pass (compiled build only): wire bytes to native fields.
_SWAP: Final[Callable[[Any, Any, bytes], None] | None] = getattr(
    speedups(__file__), "swap_records", None
)


# Parameters typed `X | NoReturn` are `X` to a type checker, but mypyc does not check them on
# entry (with its own message): the class checks them itself, in both builds.
@mypyc_attr(allow_interpreted_subclasses=True)
class RecordFormat:
    """The fields of one record, in the order a Java loop writes them.

    Types are ``boolean byte short char int long float double`` (read as numpy
    ``bool int8 int16 uint16 int32 int64 float32 float64``) and ``utf`` (a ``str``).

    Parameters
    ----------
    spec : str, optional
        Java types separated by spaces or commas: ``"int long double utf"``. The fields
        are then named ``f0``, ``f1``, ...
    **fields : str
        Or named fields, in order: ``RecordFormat(id="int", name="utf")``.

    Examples
    --------
    >>> fmt = RecordFormat(id="int", ts="long", price="double")
    >>> fmt.names, fmt.size
    (('id', 'ts', 'price'), 20)
    >>> RecordFormat("int utf").size is None  # variable width
    True
    """

    __slots__ = ("fields", "names", "size", "types")

    def __init__(
        self,
        spec: str | NoReturn | None = None,  # noqa: RUF020
        /,
        **fields: str | NoReturn,  # noqa: RUF020
    ) -> None:
        if (spec is None) == (not fields):
            raise TypeError("RecordFormat takes either a spec string or named fields")
        given: list[tuple[str, object]]
        if spec is not None:
            if not isinstance(spec, str):
                raise TypeError(f"RecordFormat: expected a str spec, got {type(spec).__name__}")
            given = [(f"f{i}", kind) for i, kind in enumerate(spec.replace(",", " ").split())]
        else:
            given = list(fields.items())
        if not given:
            raise ValueError("RecordFormat needs at least one field")
        pairs: list[tuple[str, str]] = []
        for name, kind in given:
            if not isinstance(kind, str) or kind not in TYPES:
                raise ValueError(
                    f"RecordFormat: field {name!r} has type {kind!r}; types are {', '.join(TYPES)}"
                )
            pairs.append((name, kind))
        self.fields: tuple[tuple[str, str], ...] = tuple(pairs)
        self.names: tuple[str, ...] = tuple(name for name, _ in pairs)
        self.types: tuple[str, ...] = tuple(kind for _, kind in pairs)
        self.size: int | None = (
            None if "utf" in self.types else sum(_FIXED[kind][0] for kind in self.types)
        )

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={kind!r}" for name, kind in self.fields)
        return f"RecordFormat({inner})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordFormat) and other.fields == self.fields

    def __hash__(self) -> int:
        return hash(self.fields)

    def __reduce__(self) -> tuple[Any, ...]:
        return _from_fields, (type(self), self.fields)

    def wire_dtype(self) -> Any:
        """The numpy dtype of the fixed-width fields as the bytes hold them (big-endian)."""
        numpy = _arrays.numpy_module()
        return numpy.dtype([(n, _FIXED[k][1]) for n, k in self.fields if k != "utf"])

    def dtype(self) -> Any:
        """The numpy dtype `read_records` returns for a fixed-width format (native order)."""
        numpy = _arrays.numpy_module()
        return numpy.dtype([(n, _FIXED[k][2]) for n, k in self.fields if k != "utf"])


def _from_fields(cls: type[RecordFormat], fields: tuple[tuple[str, str], ...]) -> RecordFormat:
    """Unpickle a `RecordFormat` (or a subclass's) from its fields."""
    return cls(**dict(fields))


def fixed_array(fmt: RecordFormat, data: Any) -> Any:
    """Native-order structured array of the fixed fields held, big-endian, in `data`.

    The C pass writes each record once, its fields swapped on the way (numpy's ``astype``
    converts one field at a time); both give the same array.
    """
    numpy = _arrays.numpy_module()
    if _SWAP is not None and fmt.size is not None:
        out = numpy.empty(len(data) // fmt.size, dtype=fmt.dtype())
        _SWAP(data, out, _swap_spec(fmt))
        return out
    return numpy.frombuffer(data, dtype=fmt.wire_dtype()).astype(fmt.dtype())


def _swap_spec(fmt: RecordFormat) -> bytes:
    """swap_records' description of `fmt`: each field's width, plus 0x80 for a boolean."""
    return bytes(_FIXED[kind][0] | (0x80 if kind == "boolean" else 0) for kind in fmt.types)


def parse_segment(
    gaps: list[int], tail: int, buf: bytes, pos: int, limit: int, wanted: int
) -> tuple[int, int, list[int] | bytes, list[list[str]]]:
    """One pass over `buf[pos:limit]`: complete records, up to `wanted` (-1: all).

    A record is, for each ``utf`` field, `gaps[k]` bytes of fixed fields and the string,
    then `tail` bytes of fixed fields (see `layout`). Returns the record count, the
    position after the last complete record, where the records are (the Python loop: each
    record's length in bytes, a list; the C one: each record's offset in `buf`, as native
    int64 bytes) and the strings of each ``utf`` field.
    """
    if _PARSE is not None:
        return _PARSE(gaps, tail, buf, pos, limit, wanted, _decode_mutf8)
    return parse_segment_python(gaps, tail, buf, pos, limit, wanted)


def parse_segment_python(
    gaps: list[int], tail: int, buf: bytes, pos: int, limit: int, wanted: int
) -> tuple[int, int, list[int], list[list[str]]]:
    """`parse_segment` in Python: the fallback of the C one, and what tests compare it with."""
    nstrings = len(gaps)
    if nstrings == 1:
        return _parse_one_string(gaps[0], tail, buf, pos, limit, wanted)
    strings: list[list[str]] = [[] for _ in range(nstrings)]
    # Lengths rather than positions: most are below 257, ints CPython never allocates.
    lengths: list[int] = []
    count = 0
    while count != wanted:
        start = pos
        column = 0
        while column < nstrings:
            pos += gaps[column]
            if pos + 2 > limit:
                break
            end = pos + 2 + ((buf[pos] << 8) | buf[pos + 1])
            if end > limit:
                break
            strings[column].append(_decode_at(buf, pos + 2, end))
            column += 1
            pos = end
        pos += tail
        if column < nstrings or pos > limit:
            # Strings of a partial record were appended before it ran out: drop them.
            for index in range(column):
                strings[index].pop()
            return count, start, lengths, strings
        lengths.append(pos - start)
        count += 1
    return count, pos, lengths, strings


def _parse_one_string(
    gap: int, tail: int, buf: bytes, pos: int, limit: int, wanted: int
) -> tuple[int, int, list[int], list[list[str]]]:
    """`parse_segment` for the commonest format, one ``utf`` field: a flat loop, which the
    compiled build runs without the per-field list lookups of the general one."""
    strings: list[str] = []
    lengths: list[int] = []
    count = 0
    while count != wanted:
        start = pos
        at = pos + gap
        if at + 2 > limit:
            break
        end = at + 2 + ((buf[at] << 8) | buf[at + 1])
        if end > limit:
            break
        text = _decode_at(buf, at + 2, end)  # as Java, which reads the string first
        if end + tail > limit:
            break
        strings.append(text)
        pos = end + tail
        lengths.append(pos - start)
        count += 1
    return count, pos, lengths, [strings]


def gather_fixed(fmt: RecordFormat, buf: bytes, first: int, lengths: list[int] | bytes) -> Any:
    """The fixed fields of the records of `lengths` bytes from `first` on (or, as bytes,
    at the int64 offsets `lengths` holds), as a native structured array.

    A fixed field after a string starts where that string ends: each field is gathered at
    its record's start plus the bytes before it, the strings' lengths read from `buf`.
    """
    numpy = _arrays.numpy_module()
    if isinstance(lengths, bytes):  # the C parser's offsets
        return _gather_at(fmt, buf, numpy.frombuffer(lengths, dtype=numpy.int64))
    n = len(lengths)
    at = numpy.empty(n, dtype=numpy.int64)
    if n:
        try:  # records under 256 bytes: bytes() converts the list in one C pass
            steps = numpy.frombuffer(bytes(lengths[:-1]), dtype=numpy.uint8)
        except ValueError:
            steps = numpy.array(lengths[:-1], dtype=numpy.int64)
        at[0] = first
        numpy.cumsum(steps, dtype=numpy.int64, out=at[1:])
        at[1:] += first
    return _gather_at(fmt, buf, at)


def _gather_at(fmt: RecordFormat, buf: bytes, at: Any) -> Any:
    """`gather_fixed` of the records that start at the offsets `at` (an int64 array)."""
    numpy = _arrays.numpy_module()
    out = numpy.empty(len(at), dtype=fmt.dtype())
    data = numpy.frombuffer(buf, dtype=numpy.uint8)
    fixed = [index for index, kind in enumerate(fmt.types) if kind != "utf"]
    offset: Any = 0  # the same for every record until the first string
    for name, kind in fmt.fields[: fixed[-1] + 1 if fixed else 0]:  # strings after: unneeded
        if kind == "utf":
            here = at + offset
            length = (data[here].astype(numpy.int64) << 8) | data[here + 1]
            offset = offset + 2 + length
            continue
        width, wire, _ = _FIXED[kind]
        # A view holding, at each byte offset, the value that starts there (its items
        # overlap): one gather picks every record's field.
        at_every_byte = numpy.ndarray(
            shape=(len(buf) - width + 1,), dtype=wire, buffer=buf, strides=(1,)
        )
        out[name] = at_every_byte[at + offset]
        offset = offset + width
    return out


def _decode_at(buf: bytes, start: int, end: int) -> str:
    """The modified UTF-8 string in `buf[start:end]`, as `DataInputStream.read_utf` reads it.

    Strict UTF-8 and Java read every sequence of 1 to 3 bytes alike; what the codec refuses
    (C0 80, surrogates, overlong forms, errors) and its 4-byte forms (Java refuses leads
    F0..FF) go to the full decoder.
    """
    raw = buf[start:end]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_mutf8(raw)
    if len(text) != end - start:  # not ASCII
        if COMPILED:  # compiled, a loop over the bytes is a machine loop
            for index in range(start, end):
                if buf[index] >= 0xF0:
                    return _decode_mutf8(raw)  # raises Java's error
        elif raw.lstrip(_BELOW_F0):  # interpreted, one C pass
            return _decode_mutf8(raw)
    return text


def layout(fmt: RecordFormat) -> tuple[list[int], int]:
    """The fixed bytes before each ``utf`` field, and after the last one."""
    gaps: list[int] = []
    fixed = 0
    for kind in fmt.types:
        if kind == "utf":
            gaps.append(fixed)
            fixed = 0
        else:
            fixed += _FIXED[kind][0]
    return gaps, fixed


def columns_of(fmt: RecordFormat, fixed: Any, strings: list[list[str]]) -> dict[str, Any]:
    """Columns in the format's order: numpy arrays for fixed fields, lists of str for utf."""
    out: dict[str, Any] = {}
    texts = iter(strings)
    for name, kind in fmt.fields:
        out[name] = next(texts) if kind == "utf" else fixed[name]
    return out


def truncated(offset: int, fmt: RecordFormat, got: int) -> TruncatedDataError:
    """The end of the stream inside the record at `offset`, with `got` of its bytes."""
    needed = fmt.size if fmt.size is not None else got + 1
    return TruncatedDataError(offset, needed, got)


# -- writing -----------------------------------------------------------------------------------


def _rows_from_columns(fmt: RecordFormat, columns: Mapping[str, Any]) -> Iterable[Any]:
    missing = [name for name in fmt.names if name not in columns]
    if missing:
        raise ValueError(f"write_records: no column for fields {missing}")
    lengths = {len(columns[name]) for name in fmt.names}
    if len(lengths) > 1:
        raise ValueError(f"write_records: columns of different lengths {sorted(lengths)}")
    return zip(*(columns[name] for name in fmt.names), strict=True)


def _pack_fixed_numpy(fmt: RecordFormat, columns: Mapping[str, Any]) -> bytes:
    """A fixed-width format from numpy columns: one structured array, NaN canonicalised."""
    numpy = _arrays.numpy_module()
    n = len(columns[fmt.names[0]])
    wire = numpy.empty(n, dtype=fmt.wire_dtype())
    for name, kind in fmt.fields:
        column = numpy.asarray(columns[name])
        if column.shape != (n,):
            raise ValueError(f"write_records: column {name!r} has shape {column.shape}")
        if kind in ("float", "double"):
            # The bulk path canonicalises NaN exactly as write_float/write_double do.
            kind_ = _arrays.FLOAT if kind == "float" else _arrays.DOUBLE
            raw = b"".join(bytes(chunk) for chunk in _arrays.pack(kind_, column))
            wire[name] = numpy.frombuffer(raw, dtype=_FIXED[kind][1])
        elif kind == "boolean":
            wire[name] = column.astype(bool)
        else:
            kind_ = _arrays.LONG if kind == "long" else _arrays.INT  # Java's parameter type
            if column.dtype.kind not in "iub":
                raise TypeError(f"write_records: column {name!r} of {column.dtype} for {kind}")
            if column.size and (column.min() < kind_.lo or column.max() > kind_.hi):
                raise _arrays.range_error(kind_, "write_records")
            # Narrowing keeps the low bits, as writeByte/writeShort/writeChar do.
            wire[name] = column.astype(numpy.int64).astype(_FIXED[kind][1].replace("u", "i"))
    data: bytes = wire.tobytes()
    return data


def pack_records(fmt: RecordFormat, rows: Any) -> bytes:
    """The bytes of `rows` written field by field, every value checked before any is written.

    `rows` is a numpy structured array, a mapping of columns (as `read_records` returns)
    or an iterable of rows (tuples in the format's order).
    """
    from java_datastream._output import DataOutputStream

    columns: Mapping[str, Any] | None = None
    names = getattr(getattr(rows, "dtype", None), "names", None)
    if names is not None:
        columns = {name: rows[name] for name in names}
    elif isinstance(rows, dict):
        columns = rows
    if columns is not None:
        numpy = _arrays.numpy_module() if fmt.size is not None else None
        if numpy is not None and all(
            isinstance(columns.get(name), numpy.ndarray) for name in fmt.names
        ):
            return _pack_fixed_numpy(fmt, columns)
        rows = _rows_from_columns(fmt, columns)
    sink = io.BytesIO()
    out: DataOutputStream = DataOutputStream(sink)
    writers = [getattr(out, f"write_{kind}") for kind in fmt.types]
    for row in rows:
        values = tuple(row)
        if len(values) != len(writers):
            raise ValueError(f"write_records: a row of {len(values)} values for {fmt!r}")
        for write, value in zip(writers, values, strict=True):
            write(value.item() if hasattr(value, "item") else value)
    return sink.getvalue()
