"""DataInputStream on its own: sources, end of stream, read_line, skipping, the ACED guard."""

from __future__ import annotations

import io
import os
import socket
import threading
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sources import OnlyRead, Trickle

from java_datastream import (
    DataInputStream,
    DataOutputStream,
    JavaSerializationError,
    TruncatedDataError,
    UTFDataFormatError,
    modified_utf8,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


def mixed_stream() -> bytes:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    out.write_boolean(True)
    out.write_byte(-2)
    out.write_short(-3)
    out.write_char("\ud800")
    out.write_int(-4)
    out.write_long(-5)
    out.write_float(1.5)
    out.write_double(-2.25)
    out.write_utf("hé 😀\0")
    out.write_bytes("line one\r\n")
    out.write_ints(range(100_000))  # larger than the 64 KiB read-ahead
    out.write_utf("end")
    return sink.getvalue()


def read_mixed(inp: DataInputStream) -> list[object]:
    values: list[object] = [
        inp.read_boolean(),
        inp.read_byte(),
        inp.read_short(),
        inp.read_char(),
        inp.read_int(),
        inp.read_long(),
        inp.read_float(),
        inp.read_double(),
        inp.read_utf(),
        inp.read_line(),
        list(inp.read_ints(100_000)) == list(range(100_000)),
        inp.read_utf(),
        inp.read(1),
    ]
    return values


EXPECTED = [True, -2, -3, "\ud800", -4, -5, 1.5, -2.25, "hé 😀\0", "line one", True, "end", b""]


def _pipe(data: bytes) -> Iterator[io.BufferedReader]:
    read_fd, write_fd = os.pipe()

    def feed() -> None:
        with os.fdopen(write_fd, "wb", buffering=0) as writer:
            for start in range(0, len(data), 1000):
                writer.write(data[start : start + 1000])

    thread = threading.Thread(target=feed)
    thread.start()
    with os.fdopen(read_fd, "rb") as reader:
        yield reader
    thread.join()


@pytest.fixture(params=["bytes", "bytearray", "memoryview", "BytesIO", "file", "raw-file",
                        "trickle", "only-read", "pipe"])  # fmt: skip
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    data = mixed_stream()
    kind = request.param
    if kind in ("bytes", "bytearray", "memoryview"):
        yield {"bytes": bytes, "bytearray": bytearray, "memoryview": memoryview}[kind](data)
    elif kind == "BytesIO":
        yield io.BytesIO(data)
    elif kind in ("file", "raw-file"):
        (tmp_path / "data.bin").write_bytes(data)
        with (tmp_path / "data.bin").open("rb", buffering=-1 if kind == "file" else 0) as file:
            yield file
    elif kind == "trickle":
        yield Trickle(data)
    elif kind == "only-read":
        yield OnlyRead(data)
    else:
        yield from _pipe(data)


def test_every_source_reads_the_same_values(source: object) -> None:
    assert read_mixed(DataInputStream(source)) == EXPECTED


def test_a_plain_read_source_is_never_read_ahead() -> None:
    source = OnlyRead(b"\0\0\0\1\0\0\0\2rest")
    inp = DataInputStream(source)
    assert inp.read_int() == 1
    assert source._data.tell() == 4  # only what read_int needed


@pytest.mark.parametrize(
    ("method", "size"),
    [("read_boolean", 1), ("read_byte", 1), ("read_unsigned_byte", 1), ("read_short", 2),
     ("read_unsigned_short", 2), ("read_char", 2), ("read_int", 4), ("read_long", 8),
     ("read_float", 4), ("read_double", 8)],
)  # fmt: skip
@pytest.mark.parametrize("wrap", [bytes, io.BytesIO])
def test_a_value_cut_off_raises_eof_and_consumes_the_rest(
    method: str, size: int, wrap: Callable[[bytes], object]
) -> None:
    for have in range(size):
        inp = DataInputStream(wrap(b"\x01\x02\x03\x04\x05\x06\x07"[:have]))
        with pytest.raises(TruncatedDataError) as caught:
            getattr(inp, method)()
        assert isinstance(caught.value, EOFError)
        assert (caught.value.offset, caught.value.needed, caught.value.got) == (0, size, have)
        assert inp.tell() == have
        assert inp.read(1) == b""


def test_eof_error_names_where_the_value_started() -> None:
    inp = DataInputStream(b"\0\0\0\1\0\0")
    inp.read_int()
    with pytest.raises(TruncatedDataError, match="needed 4 bytes from byte 4, got 2"):
        inp.read_int()


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO])
def test_read_utf_cut_off_is_eof_not_a_format_error(wrap: Callable[[bytes], object]) -> None:
    inp = DataInputStream(wrap(b"\0\5abc"))
    with pytest.raises(TruncatedDataError, match="needed 7 bytes from byte 0, got 5"):
        inp.read_utf()
    assert inp.tell() == 5
    with pytest.raises(TruncatedDataError):
        DataInputStream(wrap(b"\0")).read_utf()


def test_read_utf_joins_surrogate_pairs_and_keeps_lone_ones() -> None:
    inp = DataInputStream(bytes.fromhex("0006eda0bdedb8800003eda080"))
    assert inp.read_utf() == "😀"
    assert inp.read_utf() == "\ud800"


# 4-byte UTF-8 forms, which Java's readUTF refuses, as whole payloads or inside one.
FOUR_BYTE_PAYLOADS = [b"\xf0\x9f\x98\x80", "h\u00e9".encode() + b"\xf4\x8f\xbf\xbf" + b"!"]
Field = int | str | bytes  # read_int, read_utf of a string, read_utf of a raw payload


def write_fields(fields: list[Field]) -> bytes:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    for field in fields:
        if isinstance(field, int):
            out.write_int(field)
        elif isinstance(field, str):
            out.write_utf(field)
        else:
            out.write_short(len(field))
            out.write(field)
    return sink.getvalue()


def check_fields(inp: DataInputStream, fields: list[Field]) -> None:
    """Each field reads as that field alone decodes; a refused payload leaves the rest."""
    for field in fields:
        if isinstance(field, int):
            assert inp.read_int() == field
        elif isinstance(field, str):
            assert inp.read_utf() == field
        else:
            with pytest.raises(UTFDataFormatError) as alone:
                modified_utf8.decode(field)
            with pytest.raises(UTFDataFormatError, match=f"^{alone.value}$"):
                inp.read_utf()
    assert inp.read(1) == b""


fields = st.lists(
    st.one_of(
        st.integers(-(2**31), 2**31 - 1),  # -1 and the like put FF bytes between strings
        st.text(max_size=20),
        st.text(alphabet=st.characters(max_codepoint=0x7FF), max_size=3000),  # past 8 KiB
        st.sampled_from(FOUR_BYTE_PAYLOADS),
    ),
    max_size=12,
)


@given(fields)
def test_read_utf_refuses_every_4_byte_form_whatever_comes_before(items: list[Field]) -> None:
    data = write_fields(items)
    check_fields(DataInputStream(data), items)
    check_fields(DataInputStream(Trickle(data, size=1000)), items)


def in_chunks(data: bytes) -> Trickle:
    return Trickle(data, size=5000)


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO, Trickle, in_chunks])
def test_read_utf_refuses_a_4_byte_form_after_many_clean_strings(
    wrap: Callable[[bytes], object],
) -> None:
    # The pure build checks many strings for 4-byte forms at once: the one that holds one,
    # far past the first of them, is still refused, and so is one behind a -1.
    clean = ["h\u00e9llo, w\u00f6rld"] * 2000 + ["\u4e2d\u6587"] * 2000
    four_byte, four_byte_inside = FOUR_BYTE_PAYLOADS
    items: list[Field] = [*clean, four_byte_inside, *clean, -1, four_byte, "\u00e9"]
    check_fields(DataInputStream(wrap(write_fields(items))), items)


def test_read_fully_and_read() -> None:
    inp = DataInputStream(io.BytesIO(b"abcdef"))
    assert inp.read_fully(0) == b""
    assert inp.read_fully(2) == b"ab"
    assert inp.read(10) == b"cdef"  # fewer than asked, like InputStream.read
    assert inp.read(10) == b""
    with pytest.raises(ValueError, match="read_fully: n must be >= 0, got -1"):
        inp.read_fully(-1)
    with pytest.raises(ValueError, match="read: n must be >= 0"):
        inp.read(-1)


@pytest.mark.parametrize("count", [np.int64(3), np.uint8(3), np.int32(3)])
def test_counts_take_any_integer_and_give_back_ints(count: object) -> None:
    inp = DataInputStream(bytes(range(64)))
    assert inp.read_fully(count) == b"\x00\x01\x02"  # type: ignore[arg-type]
    assert inp.read(count) == b"\x03\x04\x05"  # type: ignore[arg-type]
    assert inp.skip_bytes(count) == 3  # type: ignore[arg-type]
    assert list(inp.read_shorts(count)) == [0x090A, 0x0B0C, 0x0D0E]  # type: ignore[arg-type]
    assert type(inp.tell()) is int
    assert inp.tell() == 15


@pytest.mark.parametrize("method", ["read", "read_fully", "skip_bytes", "read_ints"])
@pytest.mark.parametrize("count", [1.5, "3", None])
def test_counts_that_are_not_integers_are_named(method: str, count: object) -> None:
    inp = DataInputStream(bytes(range(64)))
    kind = type(count).__name__
    with pytest.raises(TypeError, match=rf"^{method}: expected an int, got {kind}$"):
        getattr(inp, method)(count)
    assert inp.tell() == 0


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO, Trickle, OnlyRead])
def test_skip_bytes_reports_what_was_really_skipped(wrap: Callable[[bytes], object]) -> None:
    inp = DataInputStream(wrap(bytes(range(100))))
    assert inp.skip_bytes(-1) == 0
    assert inp.skip_bytes(10) == 10
    assert inp.read_unsigned_byte() == 10
    assert inp.skip_bytes(1000) == 89
    assert inp.skip_bytes(1) == 0


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO, Trickle, OnlyRead])
def test_read_line_terminators_and_pushback(wrap: Callable[[bytes], object]) -> None:
    inp = DataInputStream(wrap(b"abc\ndef\r\nghi\rXjk\r\r\n\xe9\0\n\rlast"))
    lines = [inp.read_line() for _ in range(4)]
    assert lines == ["abc", "def", "ghi", "Xjk"]
    assert inp.read_line() == ""
    assert inp.read_line() == "\xe9\0"
    assert inp.read_line() == ""
    assert inp.read_unsigned_byte() == ord("l")
    assert inp.read_line() == "ast"
    assert inp.read_line() is None


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO, Trickle])
def test_read_line_lone_cr_leaves_the_next_byte_readable(wrap: Callable[[bytes], object]) -> None:
    inp = DataInputStream(wrap(b"a\r\0\0\0\x07b\r"))
    assert inp.read_line() == "a"
    assert inp.read_int() == 7
    assert inp.read_line() == "b"
    assert inp.read_line() is None


SERIALIZED = bytes.fromhex("aced0005770800000001000268697400046869c08077040000000200")


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO, Trickle, OnlyRead])
def test_object_output_stream_data_is_refused_on_the_first_read(
    wrap: Callable[[bytes], object],
) -> None:
    inp = DataInputStream(wrap(SERIALIZED))
    for read in (inp.read_int, inp.read_utf, lambda: inp.skip_bytes(1), lambda: inp.read(4)):
        with pytest.raises(JavaSerializationError, match="ObjectOutputStream"):
            read()
        assert inp.tell() == 0


@pytest.mark.parametrize("data", [b"\xac", b"\xac\xed", b"\xac\xed\x00\x06", b"\xac\xed\x00"])
def test_streams_that_only_start_like_the_magic_read_normally(data: bytes) -> None:
    assert DataInputStream(Trickle(data)).read_fully(len(data)) == data


def test_the_magic_check_stops_waiting_at_the_first_byte_that_differs() -> None:
    class Peer:
        """read(n) waits for all n bytes, like a blocking pipe: here it fails instead."""

        def __init__(self, sent: bytes) -> None:
            self._sent = io.BytesIO(sent)

        def read(self, n: int) -> bytes:
            chunk = self._sent.read(n)
            assert len(chunk) == n, "waited for bytes the peer has not sent"
            return chunk

    assert DataInputStream(Peer(b"\xac\x01")).read_short() == -21503
    assert DataInputStream(Peer(b"\xac\xed\x01")).read_byte() == -84


def test_a_source_with_nothing_ready_raises_blocking_and_keeps_the_partial_value() -> None:
    class NonBlocking(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes | None] = [b"\0\0", None, b"\0\x09"]

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes | None:
            return self.chunks.pop(0) if self.chunks else b""

    inp = DataInputStream(NonBlocking())
    with pytest.raises(BlockingIOError):
        inp.read_int()
    assert inp.read_int() == 9


def test_read_utf_on_a_source_not_ready_inside_the_payload_starts_again_at_the_length() -> None:
    class NonBlocking(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes | None] = [b"\0\3ab", None, b"c\0\1d"]

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes | None:
            return self.chunks.pop(0) if self.chunks else b""

    inp = DataInputStream(NonBlocking())
    with pytest.raises(BlockingIOError):
        inp.read_utf()
    assert inp.tell() == 0
    assert inp.read_utf() == "abc"
    assert inp.read_utf() == "d"


def test_text_and_non_readable_sources_are_refused() -> None:
    with pytest.raises(TypeError, match="binary source, got a text stream"):
        DataInputStream(io.StringIO("x"))
    with pytest.raises(TypeError, match="needs bytes or an object with read"):
        DataInputStream(3.5)


def test_bytes_sources_are_copied_once() -> None:
    data = bytearray(b"\0\0\0\1")
    inp = DataInputStream(data)
    data[3] = 2
    assert inp.read_int() == 1


def test_close_closes_the_source(tmp_path: Path) -> None:
    (tmp_path / "in.bin").write_bytes(b"\0\1")
    file = (tmp_path / "in.bin").open("rb")
    with DataInputStream(file) as inp:
        assert inp.read_short() == 1
    assert file.closed


def test_read_line_on_a_source_not_ready_mid_line_loses_nothing() -> None:
    class NonBlocking(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes | None] = [b"hel", None, b"lo\r", None, b"\nnext\n"]

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes | None:
            return self.chunks.pop(0) if self.chunks else b""

    inp = DataInputStream(NonBlocking())
    with pytest.raises(BlockingIOError):
        inp.read_line()
    with pytest.raises(BlockingIOError):
        inp.read_line()  # the CR is there, but is an LF next?
    assert inp.read_line() == "hello"
    assert inp.read_line() == "next"
    assert inp.read_line() is None


def test_a_closed_source_raises_what_the_source_raises() -> None:
    source = io.BytesIO(b"\0\0\0\1")
    source.close()
    with pytest.raises(ValueError, match="closed file"):
        DataInputStream(source).read_int()


@pytest.mark.parametrize("buffering", [-1, 0])
def test_reading_ahead_never_waits_for_bytes_a_socket_peer_has_not_sent(buffering: int) -> None:
    left, right = socket.socketpair()
    right.settimeout(60)  # a read waiting for bytes never sent fails instead of hanging
    with left, right, left.makefile("wb") as sending, right.makefile("rb", buffering) as receiving:
        out, inp = DataOutputStream(sending), DataInputStream(receiving)
        for turn in range(3):  # request/response: each read must return with what was sent
            out.write_int(turn)
            out.write_utf(f"turn {turn}")
            out.flush()
            assert inp.read_int() == turn
            assert inp.read_utf() == f"turn {turn}"
