"""Whole records against the JDK: Java writes the rows field by field with DataOutputStream,
read_records must return them and write_records must write Java's bytes; Java's
DataInputStream reads Python's records back field by field."""

from __future__ import annotations

import io
import math
import random
import struct
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from java_cases import Op, f32, f64, java_table

from java_datastream import DataInputStream, DataOutputStream, RecordFormat, TruncatedDataError

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Jdk

SEED = 20261203
NANS64 = [0x7FF0000000000001, 0xFFF8000000000000, 0x7FF8000000000001]


def _rows(fmt: RecordFormat, count: int) -> list[tuple[Any, ...]]:
    """Rows as raw values: floats and doubles as IEEE bits, so NaN payloads are expressible."""
    rng = random.Random(SEED + len(fmt.types))
    texts = ["", "hello", "héllo", "中文", "😀", "\0", "\ud800", "a" * 300, "\udc00\ud800"]
    makers = {
        "boolean": lambda: rng.random() < 0.5,
        "byte": lambda: rng.randint(-128, 127),
        "short": lambda: rng.randint(-32768, 32767),
        "char": lambda: rng.randint(0, 0xFFFF),
        "int": lambda: rng.randint(-(2**31), 2**31 - 1),
        "long": lambda: rng.randint(-(2**63), 2**63 - 1),
        "float": lambda: rng.getrandbits(32) | (0xFF << 23 if rng.random() < 0.2 else 0),
        "double": lambda: rng.choice([*NANS64, rng.getrandbits(64)]),
        "utf": lambda: rng.choice(texts)
        + "".join(chr(rng.randint(32, 0x7FF)) for _ in range(rng.randrange(4))),
    }  # fmt: skip
    return [tuple(makers[kind]() for kind in fmt.types) for _ in range(count)]


def _value(kind: str, raw: Any) -> Any:
    """A raw table value as Python passes it to write_<kind>."""
    return f32(raw) if kind == "float" else f64(raw) if kind == "double" else raw


def _canonical(kind: str, raw: Any) -> Any:
    """What reading back gives, in comparable form: float bits canonical, char as int."""
    if kind == "float":
        return 0x7FC00000 if math.isnan(f32(raw)) else raw
    if kind == "double":
        exponent, mantissa = 0x7FF0000000000000, 0xFFFFFFFFFFFFF
        return 0x7FF8000000000000 if raw & exponent == exponent and raw & mantissa else raw
    return raw


def _ours(kind: str, value: Any) -> Any:
    if kind == "float":
        return (
            struct.unpack(">I", struct.pack(">f", value))[0]
            if not math.isnan(value)
            else 0x7FC00000
        )
    if kind == "double":
        return struct.unpack(">Q", struct.pack(">d", value))[0]
    if kind == "utf":
        return value
    return bool(value) if kind == "boolean" else int(value)


FORMATS = [
    RecordFormat("int long double"),
    RecordFormat(id="int", name="utf"),
    RecordFormat("boolean byte short char int long float double utf"),
    RecordFormat("utf utf"),
    RecordFormat(a="double", b="utf", c="int", d="utf", e="byte"),
]


def _java_bytes(jdk: Jdk, tmp_path: Path, fmt: RecordFormat, rows: list[tuple[Any, ...]]) -> bytes:
    ops = [Op(kind, raw) for row in rows for kind, raw in zip(fmt.types, row, strict=True)]
    (tmp_path / "ops.tsv").write_text(java_table(ops), encoding="ascii")
    result = jdk.oracle("write", str(tmp_path / "ops.tsv"), str(tmp_path / "java.bin"))
    assert result.returncode == 0, result.stderr
    return (tmp_path / "java.bin").read_bytes()


def _as_rows(fmt: RecordFormat, got: Any) -> list[tuple[Any, ...]]:
    if isinstance(got, dict):
        columns = [got[name] for name in fmt.names]
    else:
        columns = [got[name] for name in fmt.names]
    return [
        tuple(_ours(kind, v) for kind, v in zip(fmt.types, row, strict=True))
        for row in zip(*columns, strict=True)
    ]


@pytest.mark.java
@pytest.mark.parametrize("fmt", FORMATS, ids=repr)
@pytest.mark.parametrize("source", ["bytes", "file"])
def test_read_records_returns_what_java_wrote(
    jdk: Jdk, tmp_path: Path, fmt: RecordFormat, source: str
) -> None:
    rows = _rows(fmt, 3000)
    data = _java_bytes(jdk, tmp_path, fmt, rows)
    with (tmp_path / "java.bin").open("rb") as file:
        got = DataInputStream(data if source == "bytes" else file).read_records(fmt)
    if fmt.size is not None:
        assert got.dtype == fmt.dtype()
        assert all(got.dtype[name].byteorder in "=|" for name in fmt.names)
    wanted = [tuple(_canonical(k, v) for k, v in zip(fmt.types, row, strict=True)) for row in rows]
    assert _as_rows(fmt, got) == wanted


@pytest.mark.java
@pytest.mark.parametrize("fmt", FORMATS, ids=repr)
def test_write_records_writes_java_bytes_and_java_reads_them(
    jdk: Jdk, tmp_path: Path, fmt: RecordFormat
) -> None:
    rows = _rows(fmt, 3000)
    data = _java_bytes(jdk, tmp_path, fmt, rows)
    values = [tuple(_value(k, v) for k, v in zip(fmt.types, row, strict=True)) for row in rows]
    for given in (values, DataInputStream(data).read_records(fmt)):
        sink = io.BytesIO()
        DataOutputStream(sink).write_records(fmt, given)
        assert sink.getvalue() == data
    (tmp_path / "python.bin").write_bytes(sink.getvalue())
    result = jdk.oracle("verify", str(tmp_path / "ops.tsv"), str(tmp_path / "python.bin"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("fmt", FORMATS, ids=repr)
@pytest.mark.parametrize("cut", [1, 2, 5])
def test_a_truncated_last_record_names_its_offset(fmt: RecordFormat, cut: int) -> None:
    rows = _rows(fmt, 4)
    values = [tuple(_value(k, v) for k, v in zip(fmt.types, row, strict=True)) for row in rows]
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    out.write_records(fmt, values[:3])
    last = out.size()
    out.write_records(fmt, values[3:])
    data = sink.getvalue()[:-cut]
    for n in (None, 4):
        for wrap in (bytes, io.BytesIO):
            inp = DataInputStream(wrap(data))
            with pytest.raises(TruncatedDataError) as caught:
                inp.read_records(fmt, n)
            assert caught.value.offset == last
            assert caught.value.got == len(data) - last
            assert inp.read(1) == b""  # consumed, as Java would have


def test_n_records_leave_the_rest_and_n_none_reads_to_the_end() -> None:
    fmt = RecordFormat(id="int", name="utf")
    sink = io.BytesIO()
    DataOutputStream(sink).write_records(fmt, [(i, str(i)) for i in range(100_000)])
    inp = DataInputStream(io.BytesIO(sink.getvalue()))  # 64 KiB read ahead: many segments
    first = inp.read_records(fmt, 3)
    assert first["name"] == ["0", "1", "2"]
    rest = inp.read_records(fmt)
    assert rest["id"].tolist() == list(range(3, 100_000))
    assert rest["name"][-1] == "99999"
    assert inp.read_records(fmt)["name"] == []
    assert inp.read_records(RecordFormat("int long"), 0).shape == (0,)


def test_numpy_columns_write_the_bulk_bytes() -> None:
    fmt = RecordFormat(a="int", b="double", c="boolean", d="short")
    columns = {
        "a": np.arange(5, dtype=np.int64),
        "b": np.array([0.5, np.nan, -np.inf, -0.0, 1e300]),
        "c": np.array([0, 1, 2, 0, 1]),
        "d": np.array([70000, -1, 0, 1, 2]),
    }
    sink = io.BytesIO()
    DataOutputStream(sink).write_records(fmt, columns)
    slow = io.BytesIO()
    out = DataOutputStream(slow)
    for a, b, c, d in zip(*columns.values(), strict=True):
        out.write_int(int(a))
        out.write_double(float(b))
        out.write_boolean(bool(c))
        out.write_short(int(d))
    assert sink.getvalue() == slow.getvalue()


def test_bad_rows_write_nothing() -> None:
    fmt = RecordFormat("int utf")
    sink = io.BytesIO()
    with pytest.raises(ValueError, match="out of range"):
        DataOutputStream(sink).write_records(fmt, [(1, "a"), (2**31, "b")])
    with pytest.raises(ValueError, match="a row of 1 values"):
        DataOutputStream(sink).write_records(fmt, [(1, "a"), (2,)])
    assert sink.getvalue() == b""


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("int lnog",), {}, "has type 'lnog'"),
        ((), {}, "a spec string or named fields"),
        (("int",), {"a": "int"}, "a spec string or named fields"),
        (("",), {}, "at least one field"),
    ],
)
def test_record_format_refuses_bad_specs(
    args: tuple[str, ...], kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        RecordFormat(*args, **kwargs)


@pytest.mark.parametrize("long_at", [None, 0, 500, 998, 999])
def test_records_of_any_length_match_the_per_field_reads(long_at: int | None) -> None:
    # Records under 256 bytes and longer ones take different paths to their positions.
    fmt = RecordFormat(id="int", name="utf", tag="short", note="utf", last="long")
    rows = [
        (i, "é" * (i % 7), -i, "x" * (400 if i == long_at else i % 3), 3 * i) for i in range(1000)
    ]
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    for i, name, tag, note, last in rows:
        out.write_int(i)
        out.write_utf(name)
        out.write_short(tag)
        out.write_utf(note)
        out.write_long(last)
    got = DataInputStream(sink.getvalue()).read_records(fmt)
    columns = [got[name] for name in fmt.names]
    assert [tuple(row) for row in zip(*columns, strict=True)] == rows
