"""Exceptions raised by java-datastream.

::

    DataStreamError                       root of everything this package raises on bad data
     ├── TruncatedDataError (EOFError)    the stream ended inside a value (Java: EOFException)
     ├── UTFDataFormatError (ValueError)  modified UTF-8 Java would reject, or a string too long
     ├── JavaSerializationError (ValueError)  the stream is ObjectOutputStream output
     └── VIntRangeError (ValueError)      a Hadoop VInt that does not fit the requested range

Bad *arguments* (``write_int(2**40)``, ``read_fully(-1)``) raise plain ``ValueError`` or
``TypeError`` before anything is read or written.
"""

from __future__ import annotations

__all__ = [
    "DataStreamError",
    "JavaSerializationError",
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
