"""Exceptions raised by java-datastream.

::

    DataStreamError                       root of everything this package raises on bad data
     ├── TruncatedDataError (EOFError)    the stream ended inside a value (Java: EOFException)
     ├── UTFDataFormatError (ValueError)  modified UTF-8 Java would reject, or a string too long
     ├── JavaSerializationError (ValueError)  the stream is ObjectOutputStream output
     ├── VIntRangeError (ValueError)      a Hadoop VInt that does not fit the requested range
     └── MalformedInputError (ValueError) UTF-8 Hadoop's strict decode or validateUTF8 rejects

Bad *arguments* (``write_int(2**40)``, ``read_fully(-1)``) raise plain ``ValueError`` or
``TypeError`` before anything is read or written; any read or write after ``close()`` raises
``ValueError("I/O operation on closed stream")``, as Python's own files do.
"""

from __future__ import annotations

__all__ = [
    "DataStreamError",
    "JavaSerializationError",
    "MalformedInputError",
    "TruncatedDataError",
    "UTFDataFormatError",
    "VIntRangeError",
]


class DataStreamError(Exception):
    """Root of the errors raised for data that cannot be read or written as Java would.

    Retrying the same call on the same stream never helps: the data is what it is.
    """


class TruncatedDataError(DataStreamError, EOFError):
    """The stream ended before a value was complete, like Java's ``EOFException``.

    As in Java, the bytes of the partial value are consumed: after a failed ``read_int``
    on a stream holding 3 bytes, those 3 bytes are gone.

    Attributes
    ----------
    offset : int
        Stream position (bytes consumed through this reader) where the value started.
    needed : int
        Bytes the value needed.
    got : int
        Bytes that were left, all consumed.
    """

    def __init__(self, offset: int, needed: int, got: int) -> None:
        super().__init__(
            f"end of stream at byte {offset + got}: needed {needed} bytes from byte {offset},"
            f" got {got}"
        )
        self.offset = offset
        self.needed = needed
        self.got = got


class UTFDataFormatError(DataStreamError, ValueError):
    """Bytes that are not modified UTF-8 as Java reads it, or a string too long to write.

    The message is Java's ``UTFDataFormatException`` message, e.g.
    ``"malformed input around byte 2"`` or ``"malformed input: partial character at end"``.
    When raised by ``write_utf`` nothing has been written.
    """


class JavaSerializationError(DataStreamError, ValueError):
    """The stream starts with ``AC ED 00 05``: it was written by ObjectOutputStream.

    Java object serialization wraps primitive values in block-data records, so reading it
    as a plain data stream would return wrong numbers. Use a deserialization library
    (for example javaobj-py3) instead. Nothing has been consumed.
    """


class VIntRangeError(DataStreamError, ValueError):
    """A Hadoop VInt/VLong decoded to a value outside the range the caller needs.

    Hadoop's ``readVInt`` raises ``IOException("value too long to fit in integer")`` here.
    The bytes of the value have been consumed.
    """


class MalformedInputError(DataStreamError, ValueError):
    """UTF-8 that Hadoop rejects: Java's ``MalformedInputException``.

    Raised by ``hadoop.read_text(strict=True)`` / ``hadoop.decode_text(strict=True)``
    where ``Text.decode(bytes, start, length, false)`` throws, and by
    ``hadoop.validate_utf8`` where ``Text.validateUTF8`` throws. A text read from a stream
    has been consumed whole.

    Attributes
    ----------
    offset : int
        Index in the text's bytes of the first byte that is not UTF-8.
    length : int
        How many bytes the JDK decoder takes as malformed there (its
        ``getInputLength()``); ``validate_utf8`` reports 1. Hadoop's ``validateUTF8``
        puts the offset in ``getInputLength()``.
    """

    def __init__(self, offset: int, length: int) -> None:
        super().__init__(f"malformed UTF-8 at byte {offset} ({length} byte(s))")
        self.offset = offset
        self.length = length
