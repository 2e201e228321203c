"""The framers against naive oracles, for every way a stream can be cut into chunks."""

from __future__ import annotations

import itertools
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitter_stream_client._chunked import ChunkedDecoder, ChunkError
from twitter_stream_client._framing import FramingError, LengthFramer, LineFramer

# Message bodies: any bytes without "\r\n", including bare "\n", "\r" and UTF-8.
bodies = st.binary(min_size=0, max_size=40).filter(lambda b: b"\r\n" not in b)


def naive_lines(stream: bytes, max_bytes: int) -> tuple[list[bytes], int]:
    """Oracle: split the whole stream at once; the unterminated tail is pending."""
    *complete, _tail = stream.split(b"\r\n")
    lines, dropped = [], 0
    for part in complete:
        if len(part) > max_bytes:
            dropped += 1
        else:
            lines.append(b"" if not part or part.isspace() else part)
    return lines, dropped


def feed_all(framer: LineFramer | LengthFramer, stream: bytes, cuts: list[int]) -> list[bytes]:
    out: list[bytes] = []
    start = 0
    for cut in [*sorted(set(cuts)), len(stream)]:
        out += framer.feed(stream[start:cut])
        start = cut
    return out


@settings(deadline=None)
@given(
    messages=st.lists(bodies, max_size=12),
    cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=30),
    max_bytes=st.integers(min_value=1, max_value=50),
)
def test_line_framer_matches_the_oracle_for_any_chunking(
    messages: list[bytes], cuts: list[int], max_bytes: int
) -> None:
    stream = b"".join(m + b"\r\n" for m in messages)
    cuts = [c for c in cuts if c <= len(stream)]
    framer = LineFramer(max_bytes)
    got = feed_all(framer, stream, cuts)
    expected, dropped = naive_lines(stream, max_bytes)
    assert got == expected
    assert framer.dropped == dropped


def test_every_split_point_of_one_message() -> None:
    message = '{"text":"caf\u00e9 \U0001f426 \\n ok"}'.encode() + b"\r\n"
    for cut in range(1, len(message)):
        framer = LineFramer(1000)
        assert framer.feed(message[:cut]) == []
        assert framer.feed(message[cut:]) == [message[:-2]]


def test_cr_and_lf_in_different_chunks_give_no_spurious_keep_alive() -> None:
    framer = LineFramer(100)
    assert framer.feed(b'{"a":1}\r') == []
    assert framer.feed(b'\n{"b":2}\r') == [b'{"a":1}']
    assert framer.feed(b"\n") == [b'{"b":2}']


def test_blank_lines_are_keep_alives() -> None:
    assert LineFramer(100).feed(b"\r\n\r\n{}\r\n \r\n") == [b"", b"", b"{}", b""]


def test_oversize_line_is_dropped_and_the_next_one_kept() -> None:
    framer = LineFramer(10)
    out = framer.feed(b"x" * 7) + framer.feed(b"y" * 7) + framer.feed(b"z\r")
    out += framer.feed(b"\n{}\r\n")
    assert out == [b"{}"]
    assert framer.dropped == 1


def test_oversize_line_uses_bounded_memory() -> None:
    framer = LineFramer(64 * 1024)
    block = b"a" * 65536
    tracemalloc.start()
    try:
        for _ in range(320):  # a 20 MiB line
            framer.feed(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert framer.feed(b"\r\n{}\r\n") == [b"{}"]
    assert framer.dropped == 1
    assert peak < 1024 * 1024, f"peak {peak} bytes while dropping a 20 MiB line"


def length_stream(messages: list[bytes], keep_alives: list[int]) -> bytes:
    out = b""
    for index, message in enumerate(messages):
        out += b"\r\n" * keep_alives[index % len(keep_alives)] if keep_alives else b""
        body = message + b"\r\n"
        out += str(len(body)).encode() + b"\r\n" + body
    return out


@settings(deadline=None)
@given(
    messages=st.lists(
        st.binary(min_size=1, max_size=40).filter(
            lambda b: b.strip(b"\r\n") == b and not b.isspace()
        ),
        max_size=10,
    ),
    keep_alives=st.lists(st.integers(min_value=0, max_value=2), max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=30),
)
def test_length_framer_any_chunking(
    messages: list[bytes], keep_alives: list[int], cuts: list[int]
) -> None:
    stream = length_stream(messages, keep_alives)
    cuts = [c for c in cuts if c <= len(stream)]
    got = [f for f in feed_all(LengthFramer(1000), stream, cuts) if f]
    assert got == messages


def test_length_counts_bytes_not_characters() -> None:
    body = '{"text":"\u00e9\u00e9"}\r\n'.encode()
    framer = LengthFramer(1000)
    assert framer.feed(b"\r\n" + str(len(body)).encode() + b"\r\n" + body) == [b"", body[:-2]]


def test_length_frame_may_hold_bare_newlines() -> None:
    body = b'{\n  "warning": {"code": "FALLING_BEHIND"}\n}\r\n'
    framer = LengthFramer(1000)
    assert framer.feed(str(len(body)).encode() + b"\r\n" + body) == [body[:-2]]


def test_oversize_length_frame_is_skipped_across_chunks() -> None:
    framer = LengthFramer(10)
    out = framer.feed(b"30\r\n" + b"a" * 10) + framer.feed(b"a" * 18)
    out += framer.feed(b"\r\n4\r\n{}\r\n")
    assert out == [b"{}"]
    assert framer.dropped == 1


def test_garbage_instead_of_a_length_is_a_framing_error() -> None:
    with pytest.raises(FramingError, match="expected a length line"):
        LengthFramer(100).feed(b'{"text": "not length framed"}\r\n')


def chunk_encode(payloads: list[bytes]) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in payloads if p) + b"0\r\n\r\n"


@settings(deadline=None)
@given(
    payloads=st.lists(st.binary(min_size=0, max_size=300), max_size=10),
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=30),
)
def test_chunked_decoder_matches_the_payload_for_any_split(
    payloads: list[bytes], cuts: list[int]
) -> None:
    stream = chunk_encode(payloads)
    decoder = ChunkedDecoder()
    got = b"".join(b"".join(decoder.feed(part)) for part in split(stream, cuts))
    assert got == b"".join(payloads)
    assert decoder.finished


def split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(c for c in set(cuts) if c <= len(stream)), len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(points)]


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (b"zz\r\nnot a chunk\r\n", "bad chunk size line b'zz'"),
        (b"-1\r\n", "bad chunk size line"),
        (b"3\r\nabcX\r\n", "expected CRLF after a chunk, got b'X\\\\r'"),
        (b"f" * 2000, "chunk size line too long"),
    ],
)
def test_chunked_decoder_names_broken_framing(stream: bytes, message: str) -> None:
    with pytest.raises(ChunkError, match=message):
        ChunkedDecoder().feed(stream)


def test_chunked_decoder_ignores_extensions_and_trailers() -> None:
    decoder = ChunkedDecoder()
    assert decoder.feed(b"3;name=value\r\nabc\r\n0\r\nTrailer: x\r\n\r\n") == [b"abc"]
    assert decoder.finished
    assert decoder.feed(b"more") == []
