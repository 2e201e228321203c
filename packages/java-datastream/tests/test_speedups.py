"""The compiled build's C accelerator (``_speedups.c``) against the Python code it stands in for.

Each C function answers only what it is sure of and otherwise hands the input back (None)
or to the Python decoder, so it must agree with the Python code on every input: valid,
malformed, cut short. The JDK vectors of test_modified_utf8.py, test_java_conformance.py and
test_records.py run through it too on the compiled build. The pure build must not load it.
"""

from __future__ import annotations

import io
import os
import random
import struct
from array import array

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from test_modified_utf8 import any_text, interesting_bytes, naive_decode

import java_datastream
from java_datastream import (
    DataInputStream,
    DataOutputStream,
    RecordFormat,
    UTFDataFormatError,
    _build,
    _input,
    _output,
    _records,
    modified_utf8,
)

speedups = _build.speedups(_input.__file__)
needs_speedups = pytest.mark.skipif(
    speedups is None, reason="the pure build has no C accelerator (the compiled run tests it)"
)


def test_only_the_compiled_build_loads_the_accelerator() -> None:
    for module in (_input, _output, _records, modified_utf8):
        assert (_build.speedups(module.__file__) is not None) is java_datastream.compiled
    if os.environ.get("SIXPACK_BUILD") == "compiled":  # the compiled wheel must ship it
        assert speedups is not None


def _python_decode(data: bytes) -> tuple[str, str]:
    try:
        return "ok", naive_decode(data)
    except UTFDataFormatError as error:
        return "error", str(error)


def _public_decode(data: bytes) -> tuple[str, str]:
    try:
        return "ok", modified_utf8.decode(data)
    except UTFDataFormatError as error:
        return "error", str(error)


def _no_surrogate(text: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF and ord(ch) <= 0xFFFF for ch in text)


@needs_speedups
@given(interesting_bytes, st.binary(max_size=3), st.binary(max_size=3))
@example(b"\xc0\x80", b"", b"")
@example(b"\xed\xa0\xbd\xed\xb8\x80", b"", b"")
def test_decode_gives_java_s_string_or_leaves_it_to_python(
    data: bytes, before: bytes, after: bytes
) -> None:
    assert speedups is not None
    buf = before + data + after
    answer = speedups.decode(buf, len(before), len(before) + len(data))
    expected = _python_decode(data)
    if answer is None:  # malformed, or a surrogate: Python's to decide
        assert expected[0] == "error" or not _no_surrogate(expected[1])
    else:
        assert expected == ("ok", answer)
    # Whatever C declines, the public decoder (C first on this build) still answers as Java.
    assert _public_decode(data) == expected


@needs_speedups
@given(any_text)
def test_read_utf_reads_what_write_utf_wrote(text: str) -> None:
    assert speedups is not None
    encoded = modified_utf8.encode(text)
    buf = b"\x07" + struct.pack(">H", len(encoded)) + encoded + b"\x08"
    answer = speedups.read_utf(buf, 1)
    joined = text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")
    assert answer == joined if _no_surrogate(joined) else answer in (None, joined)


@needs_speedups
@given(st.binary(max_size=12), st.integers(-3, 14), st.integers(-3, 14))
def test_spans_outside_the_buffer_are_refused_before_any_read(
    buf: bytes, start: int, end: int
) -> None:
    assert speedups is not None
    if 0 <= start <= end <= len(buf):
        speedups.decode(buf, start, end)
    else:
        with pytest.raises(ValueError, match="outside a buffer"):
            speedups.decode(buf, start, end)
    prefixed = start >= 0 and len(buf) - start >= 2
    if prefixed and start + 2 + ((buf[start] << 8) | buf[start + 1]) <= len(buf):
        speedups.read_utf(buf, start)
    else:  # the length, or the payload it announces, runs past the end
        with pytest.raises(ValueError, match="outside a buffer"):
            speedups.read_utf(buf, start)


@needs_speedups
@given(any_text)
@example("\0")
@example("\U0001f600")
@example("\ud83d\ude00")
def test_encode_is_java_s_write_utf(text: str) -> None:
    assert speedups is not None
    payload = modified_utf8.encode(text)
    assert speedups.encode(text) == struct.pack(">H", len(payload)) + payload


@needs_speedups
@pytest.mark.parametrize(
    ("text", "fits"),
    [("a" * 65535, True), ("a" * 65536, False), ("é" * 32767, True), ("é" * 32768, False),
     ("\0" * 32767, True), ("\0" * 32768, False), ("😀" * 10922, True), ("😀" * 10923, False),
     ("中" * 21845, True), ("中" * 21846, False)],
)  # fmt: skip
def test_encode_refuses_what_write_utf_refuses(text: str, fits: bool) -> None:
    assert speedups is not None
    answer = speedups.encode(text)
    assert (answer is not None) is fits
    out = DataOutputStream(io.BytesIO())
    if fits:
        out.write_utf(text)
        assert out.size() == len(answer)
    else:
        with pytest.raises(UTFDataFormatError, match=r"too long: \d+ bytes"):
            out.write_utf(text)
        assert out.size() == 0


def _segment(parse: object, *args: object) -> object:
    try:
        return parse(*args)  # type: ignore[operator]
    except UTFDataFormatError as error:
        return "error", str(error)


# Records of (int, utf, short, utf, byte) or (int, utf): well formed, then cut and corrupted.
string_payloads = st.one_of(any_text.map(modified_utf8.encode), interesting_bytes)


@needs_speedups
@given(
    st.lists(st.tuples(string_payloads, string_payloads), max_size=6),
    st.sampled_from([([4, 2], 1), ([4], 0), ([0], 3), ([0, 0], 0)]),
    st.integers(0, 200),
    st.integers(-1, 7),
)
def test_parse_segment_matches_the_python_loop(
    rows: list[tuple[bytes, bytes]],
    layout: tuple[list[int], int],
    cut: int,
    wanted: int,
) -> None:
    assert speedups is not None
    gaps, tail = layout
    buf = bytearray(b"\x99")  # pos starts after a byte of something else
    for row in rows:
        for gap, payload in zip(gaps, row, strict=False):
            buf += b"\x01" * gap + struct.pack(">H", len(payload)) + payload
        buf += b"\x02" * tail
    data = bytes(buf[: max(1, len(buf) - cut)]) + b"\xff" * 3  # bytes past limit: not read
    limit = len(data) - 3
    args = (gaps, tail, data, 1, limit, wanted)
    c = _segment(speedups.parse_segment, *args, modified_utf8.decode)
    python = _segment(_records.parse_segment_python, *args)
    if isinstance(c, tuple) and len(c) == 4:  # C gives offsets where Python gives lengths
        count, end, offsets, strings = c
        starts = list(array("q", offsets))
        ends = [*starts[1:], end] if count else []
        assert [b - a for a, b in zip(starts, ends, strict=True)] == python[2]
        assert starts[:1] == ([1] if count else [])
        c = count, end, python[2], strings
    assert c == python


@needs_speedups
def test_parse_segment_refuses_a_limit_past_the_buffer() -> None:
    assert speedups is not None
    with pytest.raises(ValueError, match="outside a buffer"):
        speedups.parse_segment([0], 0, b"\x00\x01a", 0, 4, -1, modified_utf8.decode)


# Fixed-width records: every Java type, any bytes, any count (the first 8 records, the short
# block up to the output's first cache line, a shuffle path's whole lines and the blocks
# around them take different paths), from any offset of the buffer into an output at any
# 8-byte offset from a cache line; with each path capped (0 generic, 1 SSSE3, 2 AVX-512 VBMI,
# as far as the CPU goes) the result must be the same.
record_types = st.lists(st.sampled_from(list(_records.TYPES[:-1])), min_size=1, max_size=11)


def _swap_into(data: memoryview, fmt: RecordFormat, out_offset: int, path: int) -> bytes:
    """swap_records(data) into a view out_offset bytes past a cache line of a larger buffer,
    whose bytes around the view must stay as they were."""
    import numpy as np

    assert speedups is not None
    nbytes = len(data)
    room = np.full(nbytes + 192, 0xA5, dtype=np.uint8)
    start = -room.ctypes.data % 64 + out_offset
    view = room[start : start + nbytes]
    speedups.swap_records(data, view, _records._swap_spec(fmt), path)
    around = np.concatenate([room[:start], room[start + nbytes :]])
    assert (around == 0xA5).all()  # no store spilled out of the output
    return view.tobytes()


def _random_records(fmt: RecordFormat, count: int, skip: int, rng: random.Random) -> memoryview:
    assert fmt.size is not None
    raw = bytes(rng.getrandbits(8) for _ in range(skip + count * fmt.size + 5))
    return memoryview(raw)[skip : skip + count * fmt.size]  # bytes around it: not read


def _astype(data: memoryview, fmt: RecordFormat) -> bytes:
    import numpy as np

    return np.frombuffer(data, dtype=fmt.wire_dtype()).astype(fmt.dtype()).tobytes()


@needs_speedups
@given(
    record_types,
    st.integers(0, 300),
    st.integers(0, 3),
    st.sampled_from(range(0, 64, 8)),
    st.integers(0, 2),
    st.randoms(use_true_random=False),
)
@example(["int", "long", "double"], 40, 0, 0, 2, random.Random(1))
@example(["boolean", "byte", "char"], 70, 1, 16, 2, random.Random(2))
@example(["boolean", "byte", "char"], 70, 1, 16, 1, random.Random(2))
@example(["long"] * 9, 9, 3, 8, 0, random.Random(3))
@example(["boolean", "int", "long", "double"], 300, 0, 56, 2, random.Random(4))
def test_swap_records_matches_numpy_astype(
    types: list[str], count: int, skip: int, out_offset: int, path: int, rng: random.Random
) -> None:
    fmt = RecordFormat(" ".join(types))
    data = _random_records(fmt, count, skip, rng)
    # bit for bit: NaN payloads, bools as 0 or 1
    assert _swap_into(data, fmt, out_offset, path) == _astype(data, fmt)


# Record sizes that fill cache lines evenly (1, 4, 16, 64 bytes), that take several records
# to (3, 13, 20, 24, 36), and whose lines are too long for the shuffle paths (39 bytes: 2496).
SWAP_FORMATS = [
    "byte",
    "int",
    "boolean boolean boolean",
    "long long",
    "int long byte",
    "int long double",
    "boolean int long boolean float short short boolean",
    "double long int float short char byte boolean",
    "long long long long long long long long",
    "long long long long double byte short",
    "double double double double boolean",
]


@needs_speedups
@pytest.mark.parametrize("types", SWAP_FORMATS)
def test_swap_records_at_every_count_and_output_alignment(types: str) -> None:
    """Tiny counts, where head, short block and tail meet, and counts with whole lines."""
    fmt = RecordFormat(types)
    rng = random.Random(types)
    for count in [*range(21), 63, 64, 65, 200, 1001]:
        data = _random_records(fmt, count, count % 4, rng)
        expected = _astype(data, fmt)
        for out_offset in range(0, 64, 8):
            for path in range(3):
                assert _swap_into(data, fmt, out_offset, path) == expected, (
                    count, out_offset, path)  # fmt: skip


@needs_speedups
def test_swap_records_has_the_shuffle_paths_the_cpu_has() -> None:
    """So that a machine which has a path is known to have tested it above."""
    import platform
    import sys

    assert speedups is not None
    flags: set[str] = set()
    if sys.platform.startswith("linux") and os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            line = next((line for line in cpuinfo if line.startswith("flags")), "")
        flags = set(line.partition(":")[2].split())
    if platform.machine() in ("x86_64", "AMD64") and flags:
        vbmi = {"avx512f", "avx512bw", "avx512vbmi"} <= flags
        assert speedups.shuffle_records == (2 if vbmi else 1 if "ssse3" in flags else 0)
    else:
        assert speedups.shuffle_records in (0, 1, 2)


@needs_speedups
def test_swap_records_refuses_a_mismatched_output() -> None:
    import numpy as np

    assert speedups is not None
    with pytest.raises(ValueError, match="12 bytes in, 8 out"):
        speedups.swap_records(bytes(12), np.empty(2, dtype="i4"), b"\x04")
    with pytest.raises(ValueError, match="width must be 1, 2, 4 or 8"):
        speedups.swap_records(bytes(6), bytearray(6), b"\x03")
    with pytest.raises(TypeError, match="fields must be"):
        speedups.swap_records(bytes(6), bytearray(6), b"")
    with pytest.raises(TypeError, match="3 or 4 arguments"):
        speedups.swap_records(bytes(6), bytearray(6))


def test_read_utf_and_write_utf_agree_with_java_s_loop_on_any_input() -> None:
    """Through the public API, whichever build runs: malformed strings raise Java's error."""
    cases = (b"\xc0", b"\xe0\x80", b"\x80", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"ok\xc0\x80")
    for data in cases:
        stream = DataInputStream(struct.pack(">H", len(data)) + data)
        expected = _python_decode(data)
        try:
            got: tuple[str, str] = ("ok", stream.read_utf())
        except UTFDataFormatError as error:
            got = ("error", str(error))
        assert got == expected
