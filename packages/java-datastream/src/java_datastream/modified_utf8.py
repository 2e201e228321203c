"""Java's modified UTF-8: UTF-8 over UTF-16 code units, NUL as ``C0 80``, no 4-byte form.

Use these functions when the framing is your own (a class-file constant pool, DEX-like
formats); ``DataOutputStream.write_utf`` / ``DataInputStream.read_utf`` add Java's
unsigned 16-bit length prefix.

The decoder accepts exactly what ``java.io.DataInputStream.readUTF`` accepts, including
what the Unicode standard forbids (a raw ``00`` byte, overlong forms such as ``C1 81``,
lone and reversed surrogates), and rejects exactly what it rejects, with Java's message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, NoReturn

from java_datastream._build import speedups
from java_datastream._errors import UTFDataFormatError

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import Buffer

__all__ = ["decode", "encode"]

# lstrip looks each byte of the payload up in its set with memchr: listed with the commonest
# bytes first (ASCII letters, space, the rest of ASCII, continuation bytes, leads), a set is
# searched the least. The sets are what matter; their order is only speed.
_COMMON_FIRST = bytes(
    [*range(0x61, 0x7B), 0x20, *range(0x21, 0x61), *range(0x7B, 0x80), *range(0x80, 0x100),
     *range(0x20)]
)  # fmt: skip
# Every byte but ED (surrogates, U+D000..U+D7FF) and F0..FF (the 4-byte leads Java rejects):
# `raw.lstrip(_ORDINARY)` is empty when the payload holds neither, found in one C pass.
_ORDINARY = bytes(b for b in _COMMON_FIRST if b != 0xED and b < 0xF0)
_BELOW_F0 = bytes(b for b in _COMMON_FIRST if b < 0xF0)
# The C decoder (compiled build only): the str, or None where the code below decides.
_DECODE: Final[Callable[[bytes, int, int], str | None] | None] = getattr(
    speedups(__file__), "decode", None
)
_FOUR_BYTE = re.compile(b"[\xf0-\xf4][\x80-\xbf]{3}")


def _cesu(match: re.Match[bytes]) -> bytes:
    """A 4-byte UTF-8 sequence as Java writes the character: two 3-byte surrogates."""
    pair = match.group().decode("utf-8").encode("utf-16-be")
    high, low = int.from_bytes(pair[:2], "big"), int.from_bytes(pair[2:], "big")
    return (chr(high) + chr(low)).encode("utf-8", "surrogatepass")


# `str | NoReturn` is `str` to a type checker, but mypyc does not check it on entry (with its
# own message): encode checks it and names itself, in both builds.
def encode(text: str | NoReturn) -> bytes:  # noqa: RUF020
    """Encode `text` as modified UTF-8, without a length prefix.

    Each UTF-16 code unit is encoded on its own: NUL becomes ``C0 80``, a character
    above U+FFFF becomes its two surrogates of 3 bytes each, lone surrogates are encoded
    as they are (Java never complains about them).

    Parameters
    ----------
    text : str
        Any string, lone surrogates included.

    Returns
    -------
    bytes
        The encoded bytes; no length limit applies here.

    Examples
    --------
    >>> encode("a\\0b")
    b'a\\xc0\\x80b'
    >>> encode("\\U0001F600").hex()
    'eda0bdedb880'
    """
    if not isinstance(text, str):
        raise TypeError(f"encode: expected a str, got {type(text).__name__}")
    if text.isascii():
        data = text.encode("ascii")
    else:
        data = text.encode("utf-8", "surrogatepass")
        if data.translate(None, _BELOW_F0):  # a character above U+FFFF
            data = _FOUR_BYTE.sub(_cesu, data)
    if b"\0" in data:
        data = data.replace(b"\0", b"\xc0\x80")
    return data


def _join_pairs(text: str) -> str:
    """`text` with each valid surrogate pair joined into the character it encodes."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def decode(data: Buffer) -> str:
    """Decode modified UTF-8 `data` (no length prefix) exactly as Java's ``readUTF`` would.

    A valid surrogate pair becomes one Python code point (``"\\U0001F600"``); lone or
    reversed surrogates stay as they are.

    Parameters
    ----------
    data : bytes-like
        The encoded payload.

    Returns
    -------
    str
        The decoded text.

    Raises
    ------
    UTFDataFormatError
        Where Java throws ``UTFDataFormatException``: a lead byte ``80``–``BF`` or
        ``F0``–``FF``, a continuation byte not of the form ``10xxxxxx``, or a group cut
        off by the end of `data`. The message is Java's.

    Examples
    --------
    >>> decode(b"a\\xc0\\x80b")
    'a\\x00b'
    >>> decode(b"\\xc1\\x81")  # overlong, yet Java accepts it
    'A'
    """
    raw = bytes(data)
    if _DECODE is not None:
        text = _DECODE(raw, 0, len(raw))
        if text is not None:
            return text
    if raw.isascii():
        return raw.decode("ascii")
    if not raw.lstrip(_ORDINARY):
        # No surrogate, no 4-byte lead: where the standard codec accepts the payload it
        # agrees with Java.
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    elif max(raw) >= 0xF0:  # Java rejects every 4-byte lead: its loop names where
        return _join_pairs(_decode_like_java(raw))
    # C0 80 is NUL; 00 is never a continuation byte, so the replacement cannot make bad
    # input good. What the codec still rejects (overlong forms Java accepts, errors) goes
    # through the transcription of Java's loop.
    try:
        text = raw.replace(b"\xc0\x80", b"\0").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        text = _decode_like_java(raw)
    return _join_pairs(text) if b"\xed" in raw else text


def _decode_like_java(raw: bytes) -> str:
    """Transcription of the loop in ``DataInputStream.readUTF``, messages included."""
    units: list[int] = []
    append = units.append
    length = len(raw)
    count = 0
    while count < length:
        c = raw[count]
        kind = c >> 4
        if kind <= 7:
            count += 1
            append(c)
        elif kind in (12, 13):
            count += 2
            if count > length:
                raise UTFDataFormatError("malformed input: partial character at end")
            c2 = raw[count - 1]
            if c2 & 0xC0 != 0x80:
                raise UTFDataFormatError(f"malformed input around byte {count}")
            append(((c & 0x1F) << 6) | (c2 & 0x3F))
        elif kind == 14:
            count += 3
            if count > length:
                raise UTFDataFormatError("malformed input: partial character at end")
            c2 = raw[count - 2]
            c3 = raw[count - 1]
            if c2 & 0xC0 != 0x80 or c3 & 0xC0 != 0x80:
                raise UTFDataFormatError(f"malformed input around byte {count - 1}")
            append(((c & 0x0F) << 12) | ((c2 & 0x3F) << 6) | (c3 & 0x3F))
        else:
            raise UTFDataFormatError(f"malformed input around byte {count}")
    return "".join(map(chr, units))
