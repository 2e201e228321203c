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

from java_datastream._errors import UTFDataFormatError

__all__ = ["decode", "encode"]

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_FOUR_BYTE_LEAD = re.compile(b"[\xf0-\xff]")


def _split_astral(match: re.Match[str]) -> str:
    code = ord(match.group()) - 0x10000
    return chr(0xD800 | (code >> 10)) + chr(0xDC00 | (code & 0x3FF))


def encode(text: str) -> bytes:
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
    if text.isascii() and "\0" not in text:
        return text.encode("ascii")
    if not text.isascii():
        text = _ASTRAL.sub(_split_astral, text)
    return text.encode("utf-8", "surrogatepass").replace(b"\0", b"\xc0\x80")


def decode(data: bytes | bytearray | memoryview) -> str:
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
    if raw.isascii():
        return raw.decode("ascii")
    text = None
    if _FOUR_BYTE_LEAD.search(raw) is None:
        # The standard codec agrees with Java on every input it accepts once C0 80 is
        # mapped to NUL (00 is never a continuation byte, so this cannot make bad input
        # good); whatever it rejects goes through the transcription of Java's loop.
        try:
            text = raw.replace(b"\xc0\x80", b"\0").decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            text = None
    if text is None:
        text = _decode_like_java(raw)
    if _SURROGATE.search(text) is not None:
        text = text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")
    return text


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
