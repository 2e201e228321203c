"""Hadoop VInt/VLong and Text.

The Python side on its own; test_hadoop_jdk.py checks all of it against Hadoop's own code.
The vectors here are the research note's (section 3.1), which Hadoop's code confirms.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from java_datastream import (
    DataInputStream,
    DataOutputStream,
    MalformedInputError,
    TruncatedDataError,
    VIntRangeError,
)
from java_datastream.hadoop import (
    decode_text,
    decode_vint_size,
    is_negative_vint,
    read_text,
    read_vint,
    read_vlong,
    skip_text,
    validate_utf8,
    write_text,
    write_vint,
    write_vlong,
)

if TYPE_CHECKING:
    from collections.abc import Callable

VECTORS = [
    (0, "00"), (127, "7f"), (-112, "90"), (128, "8f80"), (-113, "8770"), (255, "8fff"),
    (256, "8e0100"), (-129, "8780"), (-256, "87ff"), (-257, "860100"), (65536, "8d010000"),
    (1000000, "8d0f4240"), (2**31 - 1, "8c7fffffff"), (-(2**31), "847fffffff"),
    (2**63 - 1, "887fffffffffffffff"), (-(2**63), "807fffffffffffffff"),
]  # fmt: skip


def encoded(write: object, value: int) -> str:
    sink = io.BytesIO()
    write(DataOutputStream(sink), value)  # type: ignore[operator]
    return sink.getvalue().hex()


@pytest.mark.parametrize(("value", "data"), VECTORS)
def test_vlong_vectors(value: int, data: str) -> None:
    assert encoded(write_vlong, value) == data
    inp = DataInputStream(bytes.fromhex(data))
    assert read_vlong(inp) == value
    assert inp.read(1) == b""


@pytest.mark.parametrize(("value", "data"), [v for v in VECTORS if abs(v[0]) < 2**31 + 1])
def test_vint_vectors(value: int, data: str) -> None:
    assert encoded(write_vint, value) == data
    assert read_vint(DataInputStream(bytes.fromhex(data))) == value


@pytest.mark.parametrize("data", ["8f05", "8e0005", "880000000000000005"])
def test_non_canonical_lengths_are_accepted(data: str) -> None:
    assert read_vlong(DataInputStream(bytes.fromhex(data))) == 5


@given(st.integers(-(2**63), 2**63 - 1))
def test_vlong_round_trip(value: int) -> None:
    assert read_vlong(DataInputStream(bytes.fromhex(encoded(write_vlong, value)))) == value


@given(st.integers(-(2**31), 2**31 - 1))
def test_vint_is_vlong_within_the_int_range(value: int) -> None:
    assert encoded(write_vint, value) == encoded(write_vlong, value)


@pytest.mark.parametrize("write", [write_vint, write_vlong])
def test_writes_take_numpy_integers(write: Callable[..., None]) -> None:
    assert encoded(write, np.int64(-129)) == encoded(write, -129) == "8780"


def test_read_vint_refuses_values_beyond_an_int() -> None:
    inp = DataInputStream(bytes.fromhex("8b0100000000") + b"\x01")
    with pytest.raises(VIntRangeError, match="value too long to fit in integer: 4294967296"):
        read_vint(inp)
    assert inp.read_byte() == 1  # the VLong's bytes were consumed


@pytest.mark.parametrize(("write", "value"), [(write_vint, 2**31), (write_vlong, -(2**63) - 1)])
def test_writes_refuse_values_java_cannot_hold(write: object, value: int) -> None:
    with pytest.raises(ValueError, match=r"outside the Java (int|long) range"):
        encoded(write, value)


@pytest.mark.parametrize("write", [write_vint, write_vlong])
@pytest.mark.parametrize("value", [1.5, 1e10, "7"])
def test_writes_name_a_non_int(write: Callable[..., None], value: object) -> None:
    sink = io.BytesIO()
    with pytest.raises(TypeError, match=rf"^{write.__name__}: expected an int, got "):
        write(DataOutputStream(sink), value)
    assert sink.getvalue() == b""


def test_text_is_vint_length_and_standard_utf8() -> None:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    write_text(out, "😀\0")
    write_text(out, "lone \ud800")
    assert sink.getvalue().hex() == "05f09f988000" + "066c6f6e65203f"
    inp = DataInputStream(sink.getvalue())
    assert read_text(inp) == "😀\0"
    assert read_text(inp) == "lone ?"


def test_read_text_replaces_malformed_utf8_like_hadoop() -> None:
    assert read_text(DataInputStream(bytes.fromhex("0361ff62"))) == "a\ufffdb"


def test_read_text_refuses_a_negative_length() -> None:
    with pytest.raises(VIntRangeError, match="expected non-negative integer, got -1"):
        read_text(DataInputStream(bytes.fromhex("ff")))


def test_read_text_cut_off_raises_eof() -> None:
    with pytest.raises(TruncatedDataError):
        read_text(DataInputStream(bytes.fromhex("0561")))


@given(st.text(max_size=50))
def test_text_round_trip(text: str) -> None:
    sink = io.BytesIO()
    write_text(DataOutputStream(sink), text)
    assert read_text(DataInputStream(sink.getvalue())) == text


def test_write_text_max_length_refuses_before_writing() -> None:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    assert write_text(out, "héllo", max_length=6) == 6
    with pytest.raises(ValueError, match="Expected less than or equal to 5 bytes, but got 6"):
        write_text(out, "héllo", max_length=5)
    assert sink.getvalue().hex() == "0668c3a96c6c6f"


def test_skip_text_skips_one_text_and_refuses_a_cut_or_negative_one() -> None:
    inp = DataInputStream(bytes.fromhex("0568656c6c6f07"))
    assert skip_text(inp) == 5
    assert inp.read_byte() == 7
    with pytest.raises(TruncatedDataError, match="needed 5 bytes from byte 1, got 2"):
        skip_text(DataInputStream(bytes.fromhex("056865")))
    with pytest.raises(VIntRangeError, match="expected non-negative integer, got -1"):
        skip_text(DataInputStream(bytes.fromhex("ff")))


@pytest.mark.parametrize("function", [decode_vint_size, is_negative_vint])
def test_first_byte_functions_refuse_what_is_not_a_byte(function: Callable[[int], object]) -> None:
    with pytest.raises(ValueError, match="is not a byte"):
        function(256)
    with pytest.raises(ValueError, match="is not a byte"):
        function(-129)


def test_read_text_max_length_refuses_before_reading() -> None:
    inp = DataInputStream(bytes.fromhex("8c7fffffff"))
    with pytest.raises(
        VIntRangeError, match="expected integer less or equal to 100, got 2147483647"
    ):
        read_text(inp, max_length=100)


def test_strict_read_text_consumes_the_text_and_names_the_byte() -> None:
    inp = DataInputStream(bytes.fromhex("0361ff62") + b"\x07")
    with pytest.raises(MalformedInputError) as caught:
        read_text(inp, strict=True)
    assert (caught.value.offset, caught.value.length) == (1, 1)
    assert inp.read_byte() == 7


def test_validate_utf8_accepts_a_sequence_cut_by_the_end_as_hadoop_does() -> None:
    validate_utf8(b"ab\xe4\xb8")
    with pytest.raises(MalformedInputError) as caught:
        decode_text(b"ab\xe4\xb8", strict=True)
    assert (caught.value.offset, caught.value.length) == (2, 2)
