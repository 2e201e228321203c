"""The codec against loop transcriptions of Java's writeUTF/readUTF (the naive oracles)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from java_datastream import UTFDataFormatError, modified_utf8


def naive_encode(text: str) -> bytes:
    """DataOutputStream.writeUTF's loop, one UTF-16 code unit at a time."""
    data = text.encode("utf-16-be", "surrogatepass")
    out = bytearray()
    for i in range(0, len(data), 2):
        c = (data[i] << 8) | data[i + 1]
        if 1 <= c <= 0x7F:
            out.append(c)
        elif c <= 0x7FF:
            out += bytes([0xC0 | (c >> 6), 0x80 | (c & 0x3F)])
        else:
            out += bytes([0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F)])
    return bytes(out)


def naive_decode(data: bytes) -> str:
    """DataInputStream.readUTF's switch on c >> 4, raising Java's message."""
    units: list[int] = []
    i = 0
    while i < len(data):
        c = data[i]
        if c >> 4 <= 7:
            units.append(c)
            i += 1
        elif c >> 4 in (12, 13):
            if i + 2 > len(data):
                raise UTFDataFormatError("malformed input: partial character at end")
            if data[i + 1] & 0xC0 != 0x80:
                raise UTFDataFormatError(f"malformed input around byte {i + 2}")
            units.append(((c & 0x1F) << 6) | (data[i + 1] & 0x3F))
            i += 2
        elif c >> 4 == 14:
            if i + 3 > len(data):
                raise UTFDataFormatError("malformed input: partial character at end")
            if data[i + 1] & 0xC0 != 0x80 or data[i + 2] & 0xC0 != 0x80:
                raise UTFDataFormatError(f"malformed input around byte {i + 2}")
            units.append(((c & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F))
            i += 3
        else:
            raise UTFDataFormatError(f"malformed input around byte {i}")
    raw = b"".join(u.to_bytes(2, "big") for u in units)
    return raw.decode("utf-16-be", "surrogatepass")


def outcome(decode: object, data: bytes) -> tuple[str, str]:
    try:
        return "ok", decode(data)  # type: ignore[operator]
    except UTFDataFormatError as error:
        return "error", str(error)


# Any code point, lone surrogates included (hypothesis' text() leaves those out).
any_text = st.lists(st.integers(0, 0x10FFFF).map(chr), max_size=40).map("".join)
# Bytes drawn mostly from the ones that decide between the fast and the Java-mirroring path.
interesting_bytes = st.lists(
    st.one_of(
        st.sampled_from([0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC3, 0xDF, 0xE0, 0xED, 0xEF,
                         0xF0, 0xF4, 0xF8, 0xFF, 0xA0, 0xB0, 0x9F]),
        st.integers(0, 255),
    ),
    max_size=24,
).map(bytes)  # fmt: skip


@given(any_text)
def test_encode_matches_the_writeutf_loop(text: str) -> None:
    assert modified_utf8.encode(text) == naive_encode(text)


@given(any_text)
def test_decode_inverts_encode_joining_surrogate_pairs(text: str) -> None:
    joined = text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")
    assert modified_utf8.decode(modified_utf8.encode(text)) == joined


@given(interesting_bytes)
def test_decode_matches_the_readutf_loop_on_any_bytes(data: bytes) -> None:
    assert outcome(modified_utf8.decode, data) == outcome(naive_decode, data)


@given(any_text)
def test_encoding_never_contains_a_zero_byte_or_a_4_byte_lead(text: str) -> None:
    data = modified_utf8.encode(text)
    assert 0 not in data
    assert not any(b >= 0xF0 for b in data)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("00", "\0"),
        ("c080", "\0"),
        ("c181", "A"),
        ("e08080", "\0"),
        ("e081bf", "\x7f"),
        ("ed959c", "\ud55c"),
        ("eda080", "\ud800"),
        ("edb080eda080", "\udc00\ud800"),
        ("eda0bdedb880", "😀"),
        ("efbbbf", "\ufeff"),
    ],
)
def test_decode_accepts_what_java_accepts(data: str, text: str) -> None:
    assert modified_utf8.decode(bytes.fromhex(data)) == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("f09f9880", "malformed input around byte 0"),
        ("ff", "malformed input around byte 0"),
        ("4180", "malformed input around byte 1"),
        ("c341", "malformed input around byte 2"),
        ("e0a041", "malformed input around byte 2"),
        ("e041a0", "malformed input around byte 2"),
        ("c3", "malformed input: partial character at end"),
        ("41e0a0", "malformed input: partial character at end"),
    ],
)
def test_decode_rejects_what_java_rejects_with_its_message(data: str, message: str) -> None:
    with pytest.raises(UTFDataFormatError) as caught:
        modified_utf8.decode(bytes.fromhex(data))
    assert str(caught.value) == message


def test_decode_takes_any_bytes_like() -> None:
    assert modified_utf8.decode(bytearray(b"a\xc0\x80")) == "a\0"
    assert modified_utf8.decode(memoryview(b"\xc3\xa9")) == "é"
