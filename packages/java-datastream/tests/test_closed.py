"""Closed means closed: after close() every read and write raises, as Python's files do.

The reference is OpenJDK's test/jdk/java/io/InputStream/OpsAfterClose.java and
OutputStream/OpsAfterClose.java: each operation after close must throw, whatever was
buffered.
"""

from __future__ import annotations

import io
import tracemalloc
from typing import TYPE_CHECKING

import pytest

from java_datastream import DataInputStream, DataOutputStream, UTFDataFormatError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

CLOSED = "I/O operation on closed stream"

READS: dict[str, Callable[[DataInputStream], object]] = {
    "read_boolean": lambda inp: inp.read_boolean(),
    "read_byte": lambda inp: inp.read_byte(),
    "read_unsigned_byte": lambda inp: inp.read_unsigned_byte(),
    "read_short": lambda inp: inp.read_short(),
    "read_unsigned_short": lambda inp: inp.read_unsigned_short(),
    "read_char": lambda inp: inp.read_char(),
    "read_int": lambda inp: inp.read_int(),
    "read_long": lambda inp: inp.read_long(),
    "read_float": lambda inp: inp.read_float(),
    "read_double": lambda inp: inp.read_double(),
    "read_utf": lambda inp: inp.read_utf(),
    "read_line": lambda inp: inp.read_line(),
    "read_fully": lambda inp: inp.read_fully(2),
    "read_fully(0)": lambda inp: inp.read_fully(0),
    "read": lambda inp: inp.read(2),
    "read(0)": lambda inp: inp.read(0),
    "skip_bytes": lambda inp: inp.skip_bytes(2),
    "skip_bytes(0)": lambda inp: inp.skip_bytes(0),
    "read_ints": lambda inp: inp.read_ints(1),
    "read_ints(0)": lambda inp: inp.read_ints(0),
    "read_doubles(numpy)": lambda inp: inp.read_doubles(1, numpy=True),
    "tell": lambda inp: inp.tell(),
    "with": lambda inp: inp.__enter__(),
}

DATA = b"\x00\x02hi" + bytes(range(64)) + b"line\n"


@pytest.fixture(params=["bytes", "file", "raw-file", "BytesIO"])
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], DataInputStream]:
    """A factory of streams over DATA that have already served a read (so bytes are buffered)."""
    (tmp_path / "data.bin").write_bytes(DATA)

    def make() -> DataInputStream:
        if request.param == "bytes":
            inp = DataInputStream(DATA)
        elif request.param == "BytesIO":
            inp = DataInputStream(io.BytesIO(DATA))
        else:
            buffering = -1 if request.param == "file" else 0
            file = (tmp_path / "data.bin").open("rb", buffering=buffering)
            request.addfinalizer(file.close)
            inp = DataInputStream(file)
        assert inp.read_byte() == 0
        return inp

    return make


@pytest.mark.parametrize("read", list(READS))
def test_every_read_after_close_raises(opened: Callable[[], DataInputStream], read: str) -> None:
    inp = opened()
    inp.close()
    assert inp.closed
    with pytest.raises(ValueError, match=CLOSED):
        READS[read](inp)
    with pytest.raises(ValueError, match=CLOSED):  # and again: closing is not undone
        READS[read](inp)


def test_the_issues_example_a_file_read_then_closed(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"\x01\x02\x03")
    with (tmp_path / "data.bin").open("rb") as file:
        inp = DataInputStream(file)
        assert inp.read_byte() == 1
        inp.close()
        assert file.closed
        with pytest.raises(ValueError, match=CLOSED):
            inp.read_byte()


def test_close_twice_and_with_close_once(opened: Callable[[], DataInputStream]) -> None:
    inp = opened()
    with inp:
        assert not inp.closed
    assert inp.closed
    inp.close()
    assert inp.closed


WRITES: dict[str, Callable[[DataOutputStream], object]] = {
    "write": lambda out: out.write(b"ab"),
    "write(int)": lambda out: out.write(1),
    "write(b'')": lambda out: out.write(b""),
    "write_boolean": lambda out: out.write_boolean(True),
    "write_byte": lambda out: out.write_byte(1),
    "write_short": lambda out: out.write_short(1),
    "write_char": lambda out: out.write_char("a"),
    "write_int": lambda out: out.write_int(1),
    "write_long": lambda out: out.write_long(1),
    "write_float": lambda out: out.write_float(1.0),
    "write_double": lambda out: out.write_double(1.0),
    "write_bytes": lambda out: out.write_bytes("ab"),
    "write_chars": lambda out: out.write_chars("ab"),
    "write_utf": lambda out: out.write_utf("ab"),
    "write_ints": lambda out: out.write_ints([1, 2]),
    "write_doubles": lambda out: out.write_doubles([1.0]),
    "flush": lambda out: out.flush(),
    "with": lambda out: out.__enter__(),
}


@pytest.mark.parametrize("sink_kind", ["BytesIO", "file", "raw-file", "plain"])
@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_after_close_raises(sink_kind: str, write: str, tmp_path: Path) -> None:
    class Plain:  # only write(): no close, no flush
        def __init__(self) -> None:
            self.data = bytearray()

        def write(self, data: bytes) -> None:
            self.data += data

    if sink_kind == "BytesIO":
        sink: object = io.BytesIO()
    elif sink_kind == "plain":
        sink = Plain()
    else:
        sink = (tmp_path / "out.bin").open("wb", buffering=-1 if sink_kind == "file" else 0)
    out = DataOutputStream(sink)
    out.write_int(7)
    out.close()
    assert out.closed
    with pytest.raises(ValueError, match=CLOSED):
        WRITES[write](out)
    assert out.size() == 4
    out.close()  # a second close is a no-op
    if sink_kind in ("file", "raw-file"):
        assert (tmp_path / "out.bin").read_bytes() == b"\0\0\0\7"


def test_write_utf_refuses_10m_characters_without_encoding_them() -> None:
    text = "x" + "é" * 10_000_000 + "y"
    out = DataOutputStream(io.BytesIO())
    tracemalloc.start()
    try:
        with pytest.raises(UTFDataFormatError) as caught:
            out.write_utf(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value) == ("encoded string (xééééééé...éééééééy) too long: 20000002 bytes")
    assert peak < 1_000_000  # the 20 MB encoding was never built (chunks of 64 Ki characters)
    assert out.size() == 0
