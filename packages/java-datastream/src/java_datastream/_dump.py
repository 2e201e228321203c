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
from java_datastream._records import RecordFormat

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from java_datastream._input import DataInputStream

__all__ = ["Item", "dump", "dump_records", "parse_format", "parse_records"]

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


def parse_records(spec: str) -> RecordFormat:
    """A record format from ``"int long utf"`` or named fields ``"id:int name:utf"``.

    Raises
    ------
    ValueError
        Naming what is not understood.
    """
    words = spec.replace(",", " ").split()
    if any(":" in word for word in words):
        pairs = [word.split(":", 1) for word in words]
        if any(len(pair) != 2 or not pair[0].isidentifier() for pair in pairs):
            raise ValueError(f"record format {spec!r}: write every field as name:type")
        return RecordFormat(**dict(pairs))
    return RecordFormat(" ".join(words))


def dump_records(
    inp: DataInputStream, fmt: RecordFormat
) -> Iterator[tuple[int, int, dict[str, object]]]:
    """Yield ``(index, offset, {field: value})`` for each record up to the end of `inp`.

    Values are read field by field (no numpy needed); a record cut off by the end raises
    `TruncatedDataError` at the record's offset.
    """
    readers = [_READERS[kind] for kind in fmt.types]
    index = 0
    while True:
        offset = inp.tell()
        if not _more_data(inp):
            return
        try:
            values = [read(inp) for read in readers]
        except TruncatedDataError as error:
            raise TruncatedDataError(
                offset, error.offset + error.needed - offset, error.offset + error.got - offset
            ) from None
        yield index, offset, dict(zip(fmt.names, values, strict=True))
        index += 1


def _more_data(inp: DataInputStream) -> bool:
    """Whether a byte follows, without consuming it."""
    return inp._fill(1) > 0
