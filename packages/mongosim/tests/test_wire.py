"""The wire protocol at the byte level: what pymongo 4.20 does not exercise by itself."""

from __future__ import annotations

import socket
import struct
from typing import TYPE_CHECKING, Any

import bson
from pymongo import WriteConcern

if TYPE_CHECKING:
    from conftest import Client

    from mongosim import ReplicaSet

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013


def _open(rs: ReplicaSet, member: int = 0) -> socket.socket:
    host, port = rs.hosts[member].rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=5)


def _receive(sock: socket.socket) -> tuple[int, int, bytes]:
    header = b""
    while len(header) < 16:
        chunk = sock.recv(16 - len(header))
        if not chunk:
            raise ConnectionError("closed")
        header += chunk
    length, _, response_to, opcode = struct.unpack("<iiii", header)
    body = b""
    while len(body) < length - 16:
        body += sock.recv(length - 16 - len(body))
    return response_to, opcode, body


def _op_msg(request_id: int, document: dict[str, Any]) -> bytes:
    payload = struct.pack("<I", 0) + b"\x00" + bson.encode(document)
    return struct.pack("<iiii", 16 + len(payload), request_id, 0, OP_MSG) + payload


def test_legacy_op_query_handshake_gets_an_op_reply(rs: ReplicaSet) -> None:
    query = bson.encode({"isMaster": 1, "helloOk": True})
    payload = struct.pack("<i", 0) + b"admin.$cmd\x00" + struct.pack("<ii", 0, -1) + query
    with _open(rs) as sock:
        sock.sendall(struct.pack("<iiii", 16 + len(payload), 7, 0, OP_QUERY) + payload)
        response_to, opcode, body = _receive(sock)

    (returned,) = struct.unpack_from("<i", body, 16)  # after responseFlags, cursorID, startingFrom
    reply = bson.decode(body[20:])
    assert (response_to, opcode, returned) == (7, OP_REPLY, 1)
    assert reply["ismaster"] is True
    assert reply["setName"] == "rs0"


def test_op_msg_document_sequences_are_merged_into_the_command(rs: ReplicaSet) -> None:
    body = bson.encode({"insert": "c", "$db": "db"})
    docs = bson.encode({"_id": 1}) + bson.encode({"_id": 2})
    sequence = struct.pack("<i", 4 + len(b"documents\x00") + len(docs)) + b"documents\x00" + docs
    payload = struct.pack("<I", 0) + b"\x00" + body + b"\x01" + sequence
    with _open(rs) as sock:
        sock.sendall(struct.pack("<iiii", 16 + len(payload), 9, 0, OP_MSG) + payload)
        response_to, opcode, reply_body = _receive(sock)

    assert (response_to, opcode) == (9, OP_MSG)
    reply = bson.decode(reply_body[5:])
    assert (reply["n"], reply["ok"]) == (2, 1.0)


def test_unsupported_opcode_closes_the_connection(rs: ReplicaSet) -> None:
    with _open(rs) as sock:
        sock.sendall(struct.pack("<iiii", 20, 1, 0, 2001) + b"\x00" * 4)  # OP_UPDATE

        assert sock.recv(1) == b""


def test_the_connection_survives_many_requests(rs: ReplicaSet) -> None:
    with _open(rs) as sock:
        for request_id in range(1, 4):
            sock.sendall(_op_msg(request_id, {"ping": 1, "$db": "admin"}))
            response_to, _, body = _receive(sock)
            assert response_to == request_id
            assert bson.decode(body[5:])["ok"] == 1.0


def test_unacknowledged_write_gets_no_reply_but_is_applied(rs: ReplicaSet, client: Client) -> None:
    fire_and_forget = client.db.get_collection("c", write_concern=WriteConcern(w=0))

    fire_and_forget.insert_one({"_id": "w0"})

    assert client.db.c.find_one({"_id": "w0"}) == {"_id": "w0"}


def test_malformed_bson_closes_only_that_connection(rs: ReplicaSet, client: Client) -> None:
    payload = struct.pack("<I", 0) + b"\x00" + struct.pack("<i", 12) + b"\xff" * 8
    with _open(rs) as sock:
        sock.sendall(struct.pack("<iiii", 16 + len(payload), 3, 0, OP_MSG) + payload)

        assert sock.recv(1) == b""
    assert client.admin.command("ping")["ok"] == 1.0


def test_a_txn_number_without_lsid_is_refused_before_anything_else(rs: ReplicaSet) -> None:
    # pymongo always sends an lsid with a txnNumber; an older or broken driver might not.
    command = {"insert": "c", "documents": [{"_id": 1}], "txnNumber": bson.Int64(1), "$db": "db"}
    with _open(rs) as sock:
        sock.sendall(_op_msg(3, command))
        _, _, body = _receive(sock)

    reply = bson.decode(body[5:])
    assert (reply["ok"], reply["code"], reply["codeName"]) == (0.0, 72, "InvalidOptions")
    assert reply["errmsg"] == "Transaction number requires a session ID to also be specified"
