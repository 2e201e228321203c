"""The MongoDB wire protocol, server side: read OP_MSG / OP_QUERY commands, write replies.

Only what a driver needs to talk to a replica set: OP_MSG (body plus document sequences)
and the legacy OP_QUERY command form some drivers use for their first handshake.
Compression is never announced, so OP_COMPRESSED never arrives.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import bson
from bson.errors import BSONError

if TYPE_CHECKING:
    import socket

__all__ = ["ProtocolError", "Request", "encode_reply", "read_request"]

OP_REPLY = 1
OP_QUERY = 2004
OP_MSG = 2013

_HEADER = struct.Struct("<iiii")
_INT = struct.Struct("<i")
_UINT = struct.Struct("<I")
_CHECKSUM_PRESENT = 1
_MORE_TO_COME = 1 << 1
_MAX_MESSAGE = 48_000_000
_reply_ids = itertools.count(1)


class ProtocolError(Exception):
    """The client sent bytes that are not a command this server understands."""


@dataclass(frozen=True)
class Request:
    """One command read off a connection.

    Attributes
    ----------
    request_id : int
        The client's id, echoed as ``responseTo`` in the reply.
    opcode : int
        ``OP_MSG`` or ``OP_QUERY``; the reply uses the matching format.
    body : dict
        The command document, document sequences merged in (``documents``, ``updates``...).
    expects_reply : bool
        False for an OP_MSG with ``moreToCome`` (an unacknowledged write).
    """

    request_id: int
    opcode: int
    body: dict[str, Any]
    expects_reply: bool

    @property
    def command_name(self) -> str:
        """The first key of the body, as the client spelled it."""
        return next(iter(self.body), "")


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    received = 0
    while received < size:
        chunk = sock.recv_into(view[received:])
        if chunk == 0:
            return None
        received += chunk
    return bytes(buffer)


def _c_string(data: bytes, start: int) -> tuple[str, int]:
    end = data.index(b"\x00", start)
    return data[start:end].decode(), end + 1


def _parse_op_msg(payload: bytes) -> tuple[dict[str, Any], bool]:
    (flags,) = _UINT.unpack_from(payload, 0)
    end = len(payload) - (4 if flags & _CHECKSUM_PRESENT else 0)
    body: dict[str, Any] = {}
    sequences: dict[str, list[dict[str, Any]]] = {}
    position = 4
    while position < end:
        kind = payload[position]
        (size,) = _INT.unpack_from(payload, position + 1)
        if kind == 0:
            body = bson.decode(payload[position + 1 : position + 1 + size])
        elif kind == 1:
            identifier, docs_start = _c_string(payload, position + 5)
            raw = payload[docs_start : position + 1 + size]
            sequences[identifier] = bson.decode_all(raw)
        else:
            raise ProtocolError(f"OP_MSG section kind {kind} is not defined")
        position += 1 + size
    body.update(sequences)
    return body, not flags & _MORE_TO_COME


def _parse_op_query(payload: bytes) -> dict[str, Any]:
    namespace, position = _c_string(payload, 4)
    if not namespace.endswith(".$cmd"):
        raise ProtocolError(f"OP_QUERY on {namespace!r}: only commands are supported")
    body = bson.decode_all(payload[position + 8 :])[0]
    body.setdefault("$db", namespace[: -len(".$cmd")])
    # Legacy commands may be wrapped as {"$query": {...}, "$readPreference": ...}.
    if "$query" in body:
        inner = dict(body.pop("$query"))
        inner.update(body)
        body = inner
    return body


def read_request(sock: socket.socket) -> Request | None:
    """Read one request; ``None`` when the client closed the connection."""
    header = _recv_exactly(sock, _HEADER.size)
    if header is None:
        return None
    length, request_id, _, opcode = _HEADER.unpack(header)
    if not _HEADER.size < length <= _MAX_MESSAGE:
        raise ProtocolError(f"message length {length} is out of range")
    payload = _recv_exactly(sock, length - _HEADER.size)
    if payload is None:
        return None
    try:
        if opcode == OP_MSG:
            body, expects_reply = _parse_op_msg(payload)
            return Request(request_id, opcode, body, expects_reply)
        if opcode == OP_QUERY:
            return Request(request_id, opcode, _parse_op_query(payload), True)
    except (BSONError, struct.error, ValueError, IndexError) as error:
        raise ProtocolError(f"malformed message: {error}") from error
    raise ProtocolError(f"opcode {opcode} is not supported")


def encode_reply(request: Request, document: dict[str, Any]) -> bytes:
    """Frame ``document`` as the reply to ``request`` (OP_MSG or OP_REPLY)."""
    data = bson.encode(document)
    if request.opcode == OP_MSG:
        message = b"\x00\x00\x00\x00\x00" + data
        opcode = OP_MSG
    else:
        # OP_REPLY: responseFlags, cursorID, startingFrom, numberReturned, documents.
        message = struct.pack("<iqii", 0, 0, 0, 1) + data
        opcode = OP_REPLY
    header = _HEADER.pack(
        _HEADER.size + len(message), next(_reply_ids) & 0x7FFFFFFF, request.request_id, opcode
    )
    return header + message
