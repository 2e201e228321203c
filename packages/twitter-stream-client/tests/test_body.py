"""BodyFramer (chunk decoding, content decoding and framing in one pass) against a naive
oracle: decode the whole stream at once, then split it. Every chunking of the messages,
every cut of the bytes into blocks, with and without gzip."""

from __future__ import annotations

import itertools
import tracemalloc
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitter_stream_client._body import BodyFramer
from twitter_stream_client._chunked import ChunkError

bodies = st.binary(min_size=0, max_size=40).filter(lambda b: b"\r\n" not in b)


def oracle(payload: bytes, max_bytes: int) -> tuple[list[bytes], int]:
    *complete, _tail = payload.split(b"\r\n")
    lines = [b"" if not p or p.isspace() else p for p in complete if len(p) <= max_bytes]
    return lines, sum(len(p) > max_bytes for p in complete)


def cut(data: bytes, points: list[int]) -> list[bytes]:
    marks = [0, *sorted({p for p in points if p <= len(data)}), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(marks)]


def chunked(pieces: list[bytes], extension: bool = False) -> bytes:
    size = b"%x;ext=1\r\n" if extension else b"%x\r\n"
    return b"".join(size % len(p) + p + b"\r\n" for p in pieces if p) + b"0\r\n\r\n"


def feed(body: BodyFramer, blocks: list[bytes]) -> list[bytes]:
    """All frames; a blank line may come as itself (the reader takes it for a keep-alive)."""
    frames: list[bytes] = []
    for block in blocks:
        frames += body.feed(block)
    return [b"" if frame.isspace() else frame for frame in frames]


@settings(deadline=None, max_examples=300)
@given(
    messages=st.lists(bodies, max_size=12),
    chunk_cuts=st.lists(st.integers(min_value=0, max_value=600), max_size=12),
    aligned=st.booleans(),
    block_cuts=st.lists(st.integers(min_value=0, max_value=900), max_size=30),
    max_bytes=st.integers(min_value=1, max_value=50),
    extension=st.booleans(),
    gzip=st.booleans(),
)
def test_the_frames_of_any_chunking_and_any_blocks_match_the_oracle(
    messages: list[bytes], chunk_cuts: list[int], aligned: bool, block_cuts: list[int],
    max_bytes: int, extension: bool, gzip: bool,
) -> None:  # fmt: skip
    payload = b"".join(m + b"\r\n" for m in messages)
    # aligned: one chunk per message, as Twitter sends them
    pieces = [m + b"\r\n" for m in messages] if aligned else cut(payload, chunk_cuts)
    if gzip:
        compressor = zlib.compressobj(wbits=31)
        pieces = [compressor.compress(p) + compressor.flush(zlib.Z_SYNC_FLUSH) for p in pieces]
        pieces.append(compressor.flush())
    stream = chunked(pieces, extension)
    body = BodyFramer(
        chunked=True, encoding="gzip" if gzip else "identity", length_framing=False,
        max_bytes=max_bytes,
    )  # fmt: skip
    frames = feed(body, cut(stream, block_cuts))
    assert (frames, body.dropped) == oracle(payload, max_bytes)
    assert body.finished
    assert body.error is None
    assert body.end_error() is None


@settings(deadline=None)
@given(messages=st.lists(bodies, max_size=12), block_cuts=st.lists(st.integers(0, 600)))
def test_a_body_the_library_decoded_is_only_framed(
    messages: list[bytes], block_cuts: list[int]
) -> None:
    payload = b"".join(m + b"\r\n" for m in messages)
    body = BodyFramer(chunked=False, encoding="identity", length_framing=False, max_bytes=30)
    assert (feed(body, cut(payload, block_cuts)), body.dropped) == oracle(payload, 30)
    assert body.end_error() is None


def test_length_framing_inside_chunks() -> None:
    frames = b"\r\n17\r\n" + b'{"a":"one\ntwo"}\r\n' + b"10\r\n" + b'{"b":22}\r\n'
    body = BodyFramer(chunked=True, encoding="identity", length_framing=True, max_bytes=99)
    got = feed(body, cut(chunked([frames[:7], frames[7:20], frames[20:]]), [5, 11, 30]))
    assert got == [b"", b'{"a":"one\ntwo"}', b'{"b":22}']


def test_a_huge_line_in_one_chunk_is_dropped_while_it_streams_by() -> None:
    # One chunk announces 50 MB of a line without a newline: it must never be held whole.
    body = BodyFramer(chunked=True, encoding="identity", length_framing=False, max_bytes=1000)
    size = 50_000_000
    block = b"x" * 65536
    tracemalloc.start()
    try:
        frames = body.feed(b"%x\r\n" % (size + 2))
        for _ in range(size // len(block)):
            frames += body.feed(block)
        rest = b"x" * (size % len(block)) + b"\r\n\r\n"
        frames += body.feed(rest + b'9\r\n{"a":1}\r\n\r\n0\r\n\r\n')
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert frames == [b'{"a":1}']
    assert body.dropped == 1
    assert body.finished
    assert peak < 2_000_000


def test_a_gzip_bomb_is_inflated_and_dropped_in_bounded_steps() -> None:
    # 50 MB of one line compresses to about 50 KB: inflating a block at once would hold
    # all of it; the limit is max_bytes plus one inflate step.
    compressor = zlib.compressobj(wbits=31)
    bomb = compressor.compress(b"y" * 50_000_000 + b"\r\n" + b'{"b":2}\r\n')
    bomb += compressor.flush()
    assert len(bomb) < 100_000
    body = BodyFramer(chunked=True, encoding="gzip", length_framing=False, max_bytes=1000)
    tracemalloc.start()
    try:
        frames = feed(body, cut(chunked([bomb]), list(range(0, len(bomb), 65536))))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert frames == [b'{"b":2}']
    assert body.dropped == 1
    assert peak < 2_000_000


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ([b'9\r\n{"a":1}\r\n\r\nzz\r\n'], "bad chunk size line b'zz'"),
        ([b'9\r\n{"a":1}\r\n\r\n', b"f" * 2000], "chunk size line too long"),
        ([b'9\r\n{"a":1}\r\n\r\n3\r\nabcX\r\n'], "expected CRLF after a chunk"),
    ],
)
def test_broken_framing_is_an_error_after_the_frames_before_it(
    blocks: list[bytes], message: str
) -> None:
    body = BodyFramer(chunked=True, encoding="identity", length_framing=False, max_bytes=99)
    assert feed(body, blocks) == [b'{"a":1}']
    assert isinstance(body.error, ChunkError)
    assert message in str(body.error)
    assert body.end_error() is body.error
    assert body.feed(b'9\r\n{"a":1}\r\n\r\n') == []


def test_a_body_that_ends_inside_a_chunk_is_an_error() -> None:
    body = BodyFramer(chunked=True, encoding="identity", length_framing=False, max_bytes=99)
    assert body.feed(b'9\r\n{"a":1}\r\n\r\n9\r\n{"b"') == [b'{"a":1}']
    error = body.end_error()
    assert isinstance(error, ChunkError)
    assert "inside a chunk" in str(error)


def test_corrupt_gzip_delivers_what_came_before() -> None:
    compressor = zlib.compressobj(wbits=31)
    good = compressor.compress(b'{"a":1}\r\n') + compressor.flush(zlib.Z_SYNC_FLUSH)
    body = BodyFramer(chunked=True, encoding="gzip", length_framing=False, max_bytes=99)
    assert body.feed(chunked([good, b"not gzip at all"])[:-5]) == [b'{"a":1}']
    assert isinstance(body.error, zlib.error)
