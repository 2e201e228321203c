"""DataOutputStream on its own; expected bytes are the JDK's ground truth (research note §1)."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

import numpy as np
import pytest

from java_datastream import DataOutputStream, UTFDataFormatError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def written(action: Callable[[DataOutputStream], object]) -> str:
    sink = io.BytesIO()
    action(DataOutputStream(sink))
    return sink.getvalue().hex()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(255, "ff"), (256, "00"), (-129, "7f"), (0x1234, "34"), (-128, "80"), (2**31 - 1, "ff")],
)
def test_write_byte_keeps_the_low_8_bits(value: int, expected: str) -> None:
    assert written(lambda out: out.write_byte(value)) == expected
    assert written(lambda out: out.write(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(65535, "ffff"), (65536, "0000"), (0x12345, "2345"), (-1, "ffff"), (-32768, "8000")],
)
def test_write_short_and_char_keep_the_low_16_bits(value: int, expected: str) -> None:
    assert written(lambda out: out.write_short(value)) == expected
    assert written(lambda out: out.write_char(value)) == expected


def test_write_char_takes_one_utf16_code_unit_as_str() -> None:
    assert written(lambda out: out.write_char("\ud800")) == "d800"
    with pytest.raises(ValueError, match="one UTF-16 code unit"):
        DataOutputStream(io.BytesIO()).write_char("😀")


@pytest.mark.parametrize(
    ("method", "value"),
    [
        ("write_int", 2**31),
        ("write_int", -(2**31) - 1),
        ("write_long", 2**63),
        ("write_long", -(2**63) - 1),
        ("write_byte", 2**31),
        ("write_short", -(2**31) - 1),
        ("write_char", 2**40),
        ("write_int", np.int64(2**40)),  # numpy integers are ints too
        ("write_long", np.uint64(2**63)),
    ],
)
def test_ints_java_cannot_hold_raise_value_error_and_write_nothing(
    method: str, value: int
) -> None:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    with pytest.raises(ValueError, match=rf"{method}: value out of range for a Java (int|long)"):
        getattr(out, method)(value)
    assert sink.getvalue() == b""
    assert out.size() == 0


@pytest.mark.parametrize("method", ["write_int", "write_long", "write_byte", "write_short"])
def test_non_integers_raise_type_error(method: str) -> None:
    with pytest.raises(TypeError, match=rf"{method}: expected an int, got float"):
        getattr(DataOutputStream(io.BytesIO()), method)(1.5)


def test_write_takes_bytes_or_an_int_but_not_text() -> None:
    assert (
        written(lambda out: (out.write(b"ab"), out.write(memoryview(b"c")), out.write(0x164)))
        == "61626364"
    )
    with pytest.raises(TypeError, match="write text with write_utf"):
        DataOutputStream(io.BytesIO()).write("text")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["write_utf", "write_chars", "write_bytes"])
@pytest.mark.parametrize("value", [b"text", None])
def test_text_methods_name_a_non_str_argument(method: str, value: object) -> None:
    sink = io.BytesIO()
    kind = "bytes" if value else "None"
    with pytest.raises(TypeError, match=rf"^{method}: expected a str, got {kind}"):
        getattr(DataOutputStream(sink), method)(value)
    assert sink.getvalue() == b""


def test_min_and_max_ints_and_longs() -> None:
    assert written(lambda out: out.write_int(-(2**31))) == "80000000"
    assert written(lambda out: out.write_long(-(2**63))) == "8000000000000000"
    assert written(lambda out: out.write_long(2**63 - 1)) == "7fffffffffffffff"


def test_write_boolean_takes_truthiness() -> None:
    assert written(lambda out: (out.write_boolean(2), out.write_boolean([]))) == "0100"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (math.inf - math.inf, "7fc00000"),
        (-math.nan, "7fc00000"),
        (1e39, "7f800000"),
        (-1e39, "ff800000"),
        (3.4028235677973366e38, "7f800000"),
        (0.1, "3dcccccd"),
        (-0.0, "80000000"),
        (1e-46, "00000000"),
        (2.0**-149, "00000001"),
    ],
)
def test_write_float_canonical_nan_and_java_overflow(value: float, expected: str) -> None:
    assert written(lambda out: out.write_float(value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (math.inf - math.inf, "7ff8000000000000"),
        (-math.nan, "7ff8000000000000"),
        (-0.0, "8000000000000000"),
        (5e-324, "0000000000000001"),
        (-math.inf, "fff0000000000000"),
    ],
)
def test_write_double_canonical_nan(value: float, expected: str) -> None:
    assert written(lambda out: out.write_double(value)) == expected


@pytest.mark.parametrize(("value", "expected"), [(10**39, "7f800000"), (-(2**128), "ff800000")])
def test_write_float_of_an_int_beyond_float32_is_infinity_as_in_bulk(
    value: int, expected: str
) -> None:
    assert written(lambda out: out.write_float(value)) == expected
    assert written(lambda out: out.write_floats([value])) == expected


@pytest.mark.parametrize("method", ["write_float", "write_double"])
def test_an_int_beyond_any_double_is_an_overflow_not_a_type_error(method: str) -> None:
    with pytest.raises(OverflowError, match="too large to convert to float"):
        getattr(DataOutputStream(io.BytesIO()), method)(10**400)


def test_write_float_rejects_non_numbers() -> None:
    with pytest.raises(TypeError, match="write_float: expected a number, got str"):
        DataOutputStream(io.BytesIO()).write_float("1")  # type: ignore[arg-type]


def test_write_bytes_keeps_the_low_byte_of_each_utf16_unit() -> None:
    assert written(lambda out: out.write_bytes("\u0100\u00ff\u4e2d\0")) == "00ff2d00"
    assert written(lambda out: out.write_bytes("😀")) == "3d00"


def test_write_chars_writes_utf16_units() -> None:
    assert written(lambda out: out.write_chars("A中😀\0")) == "00414e2dd83dde000000"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "0000"),
        ("\0", "0002c080"),
        ("😀", "0006eda0bdedb880"),
        ("\ud800", "0003eda080"),
        ("\udc00\ud800", "0006edb080eda080"),
        ("\ud55c", "0003ed959c"),
        ("\ufeff", "0003efbbbf"),
    ],
)
def test_write_utf_encodes_modified_utf8(text: str, expected: str) -> None:
    assert written(lambda out: out.write_utf(text)) == expected


@pytest.mark.parametrize("text", ["a" * 65536, "\u0800" * 21846, "\0" * 32768, "😀" * 10923])
def test_write_utf_too_long_writes_nothing(text: str) -> None:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    out.write_int(1)
    with pytest.raises(UTFDataFormatError, match=r"encoded string \(.+\.\.\..+\) too long"):
        out.write_utf(text)
    assert sink.getvalue() == b"\0\0\0\1"
    assert out.size() == 4


@pytest.mark.parametrize(
    ("text", "length"), [("a" * 65535, 65535), ("\u0800" * 21845, 65535), ("\0" * 32767, 65534)]
)
def test_write_utf_longest_strings_fit(text: str, length: int) -> None:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    out.write_utf(text)
    assert sink.getvalue()[:2] == length.to_bytes(2, "big")
    assert out.size() == len(sink.getvalue()) == 2 + length


def test_size_counts_every_byte() -> None:
    out = DataOutputStream(io.BytesIO())
    out.write_boolean(True)
    out.write_short(1)
    out.write_utf("hé")
    out.write_bytes("ab")
    out.write(b"xyz")
    out.write_doubles([1.0, 2.0])
    assert out.size() == 1 + 2 + 5 + 2 + 3 + 16


class TrickleSink(io.RawIOBase):
    """A raw sink that takes at most 3 bytes per write, like a pipe under pressure."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: object) -> int:
        chunk = bytes(memoryview(b)[:3])  # type: ignore[call-overload]
        self.data += chunk
        return len(chunk)


def test_short_writes_are_retried_until_everything_is_taken() -> None:
    sink = TrickleSink()
    out = DataOutputStream(sink)
    out.write_long(0x0102030405060708)
    out.write_utf("hello, world")
    out.write_ints(range(5))
    assert bytes(sink.data) == bytes.fromhex(
        written(lambda o: (o.write_long(0x0102030405060708), o.write_utf("hello, world"),
                           o.write_ints(range(5))))
    )  # fmt: skip


def test_a_sink_that_would_block_raises_blocking_io_error() -> None:
    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> None:
            return None

    out = DataOutputStream(Full())
    with pytest.raises(BlockingIOError) as caught:
        out.write_int(1)
    assert caught.value.characters_written == 0
    assert out.size() == 0


def test_a_sink_that_blocks_midway_reports_what_it_took() -> None:
    class TakesThree(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int | None:
            self.calls += 1
            return 3 if self.calls == 1 else None

    out = DataOutputStream(TakesThree())
    with pytest.raises(BlockingIOError) as caught:
        out.write_long(1)
    assert caught.value.characters_written == 3
    assert out.size() == 3


def test_a_plain_object_whose_write_returns_nothing_gets_bytes() -> None:
    class Collect:
        def __init__(self) -> None:
            self.parts: list[object] = []

        def write(self, data: bytes) -> None:
            self.parts.append(data)

    sink = Collect()
    out = DataOutputStream(sink)
    out.write_int(1)
    out.write_utf("é")
    assert sink.parts == [b"\0\0\0\1", b"\0\2\xc3\xa9"]
    assert out.size() == 8


def test_text_and_non_writable_sinks_are_refused() -> None:
    with pytest.raises(TypeError, match="binary sink, got a text stream"):
        DataOutputStream(io.StringIO())
    with pytest.raises(TypeError, match="needs an object with write"):
        DataOutputStream(42)


def test_close_flushes_and_closes_the_sink(tmp_path: Path) -> None:
    file = (tmp_path / "out.bin").open("wb")
    with DataOutputStream(file) as out:
        out.write_int(5)
    assert file.closed
    assert (tmp_path / "out.bin").read_bytes() == b"\0\0\0\5"


def test_size_saturates_at_the_largest_java_int_like_javas() -> None:
    class Discard:
        def write(self, data: object) -> int:
            return len(memoryview(data))  # type: ignore[arg-type]

    out = DataOutputStream(Discard())
    block = bytes(1 << 26)
    for _ in range(31):
        out.write(block)
    out.write(block[:-2])
    assert out.size() == 2**31 - 2
    out.write_int(1)
    assert out.size() == 2**31 - 1
