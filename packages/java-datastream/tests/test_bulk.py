"""Bulk reads and writes against the per-value calls (the naive oracle)."""

from __future__ import annotations

import io
import math
import struct
import sys
from array import array
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sources import OnlyRead, Trickle

from java_datastream import DataInputStream, DataOutputStream, TruncatedDataError

if TYPE_CHECKING:
    from collections.abc import Callable

INT32 = st.integers(-(2**31), 2**31 - 1)
KINDS = {
    # kind: (values the per-value call accepts, array typecode, numpy dtype of the input)
    "short": (INT32, "i", np.int64),
    "int": (INT32, "i", np.int32),
    "long": (st.integers(-(2**63), 2**63 - 1), "q", np.int64),
    "float": (st.floats(width=64) | st.integers(0, 2**32 - 1).map(
        lambda b: struct.unpack(">f", b.to_bytes(4, "big"))[0]), "d", np.float64),
    "double": (st.integers(0, 2**64 - 1).map(
        lambda b: struct.unpack(">d", b.to_bytes(8, "big"))[0]), "d", np.float64),
}  # fmt: skip


def per_value(kind: str, values: list[float]) -> bytes:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    for value in values:
        getattr(out, f"write_{kind}")(value)
    return sink.getvalue()


def bulk(kind: str, values: object) -> bytes:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    getattr(out, f"write_{kind}s")(values)
    assert out.size() == len(sink.getvalue())
    return sink.getvalue()


def containers(kind: str, values: list[float]) -> list[object]:
    _, code, dtype = KINDS[kind]
    if kind == "double":  # keep NaN payloads bit for bit in the numpy input
        raw = np.array([struct.unpack(">Q", struct.pack(">d", v))[0] for v in values], np.uint64)
        as_numpy = raw.view(np.float64)
    else:
        as_numpy = np.array(values, dtype=dtype)
    return [values, tuple(values), iter(values), array(code, values), as_numpy]


@pytest.mark.parametrize("kind", list(KINDS))
def test_bulk_writes_are_the_per_value_bytes(kind: str) -> None:
    @given(st.lists(KINDS[kind][0], max_size=30))
    def check(values: list[float]) -> None:
        expected = per_value(kind, values)
        for container in containers(kind, values):
            assert bulk(kind, container) == expected, type(container)

    check()


@pytest.mark.parametrize("kind", list(KINDS))
def test_bulk_reads_are_the_per_value_reads(kind: str) -> None:
    @given(st.binary(max_size=80).filter(lambda data: not data.startswith(b"\xac\xed\x00\x05")))
    def check(data: bytes) -> None:
        size = {"short": 2, "int": 4, "long": 8, "float": 4, "double": 8}[kind]
        count = len(data) // size
        one = DataInputStream(data)
        expected = [getattr(one, f"read_{kind}")() for _ in range(count)]
        key: Callable[[float], object] = lambda v: math.isnan(v) or v  # noqa: E731
        as_array = getattr(DataInputStream(data), f"read_{kind}s")(count)
        as_numpy = getattr(DataInputStream(data), f"read_{kind}s")(count, numpy=True)
        assert list(map(key, as_array)) == list(map(key, expected))
        assert list(map(key, as_numpy.tolist())) == list(map(key, expected))
        assert isinstance(as_array, array)
        assert isinstance(as_numpy, np.ndarray)
        assert as_numpy.dtype == np.dtype({"short": np.int16, "int": np.int32,
                                           "long": np.int64, "float": np.float32,
                                           "double": np.float64}[kind])  # fmt: skip

    check()


def test_bulk_float_reads_keep_raw_bits() -> None:
    data = bytes.fromhex("7f8000017fc00001")
    assert DataInputStream(data).read_floats(2).tobytes() == bytes.fromhex("0100807f0100c07f")
    as_numpy = DataInputStream(data).read_floats(2, numpy=True)
    assert as_numpy.view(np.uint32).tolist() == [0x7F800001, 0x7FC00001]


@pytest.mark.parametrize(
    ("method", "values"),
    [
        ("write_ints", [1, 2**31]),
        ("write_ints", np.array([1, -(2**31) - 1], dtype=np.int64)),
        ("write_shorts", [2**31]),
        ("write_shorts", np.array([2**40], dtype=np.int64)),
        ("write_longs", [2**63]),
        ("write_longs", np.array([2**63], dtype=np.uint64)),
    ],
)
def test_bulk_values_java_cannot_hold_raise_and_write_nothing(method: str, values: object) -> None:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    with pytest.raises(ValueError, match=rf"{method}: value out of range for a Java"):
        getattr(out, method)(values)
    assert sink.getvalue() == b""


def test_bulk_ints_refuse_floats() -> None:
    with pytest.raises(TypeError):
        bulk("int", [1.5])
    with pytest.raises(TypeError, match="write_ints: cannot write a float64 array"):
        bulk("int", np.array([1.5]))


def test_bytes_are_taken_as_a_sequence_of_numbers() -> None:
    assert bulk("int", b"ab") == per_value("int", [97, 98])


def test_numpy_shorts_keep_the_low_16_bits_like_write_short() -> None:
    values = [65535, 70000, -1, 2**31 - 1]
    assert bulk("short", np.array(values, dtype=np.int64)) == per_value("short", values)
    unsigned = [65535, 70000, 2**32 - 1]
    with pytest.raises(ValueError, match="write_shorts: value out of range"):
        bulk("short", np.array(unsigned, dtype=np.uint32))
    assert bulk("short", np.array(unsigned[:2], dtype=np.uint32)) == per_value(
        "short", unsigned[:2]
    )


def test_numpy_floats_from_float32_input_keep_their_bits_except_nan() -> None:
    raw = np.array([0x7F800001, 0x00000001, 0xFF800000], dtype=np.uint32).view(np.float32)
    assert bulk("float", raw).hex() == "7fc0000000000001ff800000"


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO, Trickle, OnlyRead])
@pytest.mark.parametrize("use_numpy", [False, True])
def test_bulk_read_cut_off_raises_eof_and_consumes_the_rest(
    wrap: Callable[[bytes], object], use_numpy: bool
) -> None:
    inp = DataInputStream(wrap(b"\0\0\0\1" + bytes(range(200))))
    inp.read_short()
    with pytest.raises(TruncatedDataError) as caught:
        inp.read_ints(60, numpy=use_numpy)
    assert (caught.value.offset, caught.value.needed, caught.value.got) == (2, 240, 202)
    assert inp.tell() == 204
    assert inp.read(1) == b""


@pytest.mark.parametrize("use_numpy", [False, True])
def test_bulk_read_from_a_source_with_nothing_ready_can_be_retried(use_numpy: bool) -> None:
    class NonBlocking(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes | None] = [b"\0\0\0\1\0", None, b"\0\0\2\0\0\0\3"]

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: object) -> int | None:
            chunk = self.chunks.pop(0) if self.chunks else b""
            if chunk is None:
                return None
            view = memoryview(buffer).cast("B")  # type: ignore[call-overload]
            view[: len(chunk)] = chunk
            return len(chunk)

    inp = DataInputStream(NonBlocking())
    with pytest.raises(BlockingIOError):
        inp.read_ints(3, numpy=use_numpy)
    assert inp.tell() == 0
    assert inp.read_ints(3, numpy=use_numpy).tolist() == [1, 2, 3]


def test_bulk_read_count_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="read_ints: n must be >= 0, got -1"):
        DataInputStream(b"").read_ints(-1)


@pytest.mark.parametrize("wrap", [io.BytesIO, Trickle, OnlyRead])
@pytest.mark.parametrize("use_numpy", [False, True])
def test_bulk_read_from_a_stream_larger_than_the_read_ahead(
    wrap: Callable[[bytes], object], use_numpy: bool
) -> None:
    values = list(range(-50_000, 50_000))
    inp = DataInputStream(wrap(b"\0\0\0\7" + bulk("int", values) + b"\0\5"))
    assert inp.read_int() == 7
    assert inp.read_ints(len(values), numpy=use_numpy).tolist() == values
    assert inp.tell() == 4 + 4 * len(values)
    assert inp.read_short() == 5


def test_numpy_true_without_numpy_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)  # what an absent numpy looks like
    inp = DataInputStream(b"\0\0\0\1")
    with pytest.raises(ImportError, match=r"pip install 'java-datastream\[numpy\]'"):
        inp.read_ints(1, numpy=True)
    assert inp.read_ints(1).tolist() == [1]  # nothing was consumed
