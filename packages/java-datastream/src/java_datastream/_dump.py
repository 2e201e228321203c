"""The format language of ``python -m java_datastream dump``.

A format is a comma-separated list of items, read in order::

    item   := type ["*" [count]]
    type   := boolean | byte | ubyte | short | ushort | char | int | long | float | double
            | utf | line | vint | vlong | text | bytes:N | skip:N

``int*3`` reads three ints; a bare ``*`` (only on the last item, e.g. ``utf*``) repeats
until the stream ends on a value boundary. ``bytes:N`` prints N raw bytes in hex,
``skip:N`` skips N bytes; ``vint``, ``vlong`` and ``text`` are Hadoop's encodings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from java_datastream import hadoop
from java_datastream._errors import TruncatedDataError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from java_datastream._input import DataInputStream

__all__ = ["Item", "dump", "parse_format"]

_READERS: dict[str, Callable[[DataInputStream], object]] = {
    "boolean": lambda inp: inp.read_boolean(),
    "byte": lambda inp: inp.read_byte(),
    "ubyte": lambda inp: inp.read_unsigned_byte(),
    "short": lambda inp: inp.read_short(),
    "ushort": lambda inp: inp.read_unsigned_short(),
    "char": lambda inp: inp.read_char(),
    "int": lambda inp: inp.read_int(),
    "long": lambda inp: inp.read_long(),
    "float": lambda inp: inp.read_float(),
    "double": lambda inp: inp.read_double(),
    "utf": lambda inp: inp.read_utf(),
    "line": lambda inp: inp.read_line(),
    "vint": hadoop.read_vint,
    "vlong": hadoop.read_vlong,
    "text": hadoop.read_text,
}
_ITEM = re.compile(r"(?P<type>[a-z]+)(?::(?P<size>\d+))?(?P<star>\*(?P<count>\d+)?)?")
_SIZED = ("bytes", "skip")


class Item(NamedTuple):
    """One item of a format: what to read, its byte size (bytes/skip), how many times."""

    type: str
    size: int
    repeat: int | None  # None: until the end of the stream


def parse_format(spec: str) -> list[Item]:
    """Parse a dump format such as ``"int,utf,double,int*3,utf*"``.

    Raises
    ------
    ValueError
        Naming the first item that is not understood.
    """
    items = []
    texts = [text.strip() for text in spec.split(",")]
    for index, text in enumerate(texts):
        match = _ITEM.fullmatch(text)
        if match is None or match["type"] not in (*_READERS, *_SIZED):
            known = ", ".join((*_READERS, "bytes:N", "skip:N"))
            raise ValueError(f"format item {text!r} is not understood; types are {known}")
        if (match["type"] in _SIZED) != (match["size"] is not None) or match["size"] == "0":
            raise ValueError(
                f"format item {text!r}: bytes:N and skip:N (and only they) need a size N >= 1"
            )
        if match["star"] and match["count"] is None and index != len(texts) - 1:
            raise ValueError(f"format item {text!r}: only the last item may repeat to the end")
        count = 1 if not match["star"] else None if match["count"] is None else int(match["count"])
        items.append(Item(match["type"], int(match["size"] or 0), count))
    return items


def _read_one(inp: DataInputStream, item: Item) -> object:
    if item.type == "bytes":
        return inp.read_fully(item.size)
    if item.type == "skip":
        return inp.skip_bytes(item.size)
    return _READERS[item.type](inp)


def dump(inp: DataInputStream, items: list[Item]) -> Iterator[tuple[int, str, object]]:
    """Yield ``(offset, type, value)`` for each value the format reads from `inp`."""
    for item in items:
        done = 0
        while item.repeat is None or done < item.repeat:
            offset = inp.tell()
            try:
                value = _read_one(inp, item)
            except TruncatedDataError as error:
                # The end only if no byte of this value was there: a utf length or a
                # VLong marker followed by nothing is a cut value, not the end.
                if item.repeat is None and error.got == 0 and error.offset == offset:
                    return
                raise
            if item.repeat is None and (value is None or (item.type == "skip" and value == 0)):
                return  # read_line or skip_bytes at the end of the stream
            yield offset, item.type, value
            done += 1
