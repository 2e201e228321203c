"""Retryable writes and write concern as a replica set enforces them, through pymongo."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from bson import Int64
from pymongo.errors import NotPrimaryError, OperationFailure, WriteConcernError
from pymongo.write_concern import WriteConcern

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Client

    from mongosim import ReplicaSet


@pytest.fixture
def raw(rs: ReplicaSet, connect: Callable[..., Client]) -> Callable[..., dict[str, Any]]:
    """Send commands as written in one explicit session: the test chooses each txnNumber."""
    client = connect(rs.uri, retryWrites=False)
    session = client.start_session()

    def send(command: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = client.db.command(command, session=session)
        return reply

    return send


@pytest.mark.parametrize(
    ("command", "code", "message"),
    [
        (
            {"update": "c", "updates": [{"q": {}, "u": {"$set": {"x": 1}}, "multi": True}]},
            72,
            "retryable writes with multi=true",
        ),
        ({"delete": "c", "deletes": [{"q": {}, "limit": 0}]}, 72, "with limit=0"),
        ({"find": "c"}, 50768, "illegal to provide a txnNumber for command find"),
    ],
)
def test_txn_number_where_mongod_refuses_it(
    raw: Callable[..., dict[str, Any]], command: dict[str, Any], code: int, message: str
) -> None:
    with pytest.raises(OperationFailure) as raised:
        raw({**command, "txnNumber": Int64(1)})

    assert raised.value.code == code
    assert message in str(raised.value)


def test_a_retry_skips_the_documents_the_first_attempt_inserted(
    rs: ReplicaSet, client: Client, raw: Callable[..., dict[str, Any]]
) -> None:
    command = {"insert": "c", "documents": [{"_id": i} for i in range(4)], "txnNumber": Int64(5)}
    rs.step_down(during="insert", after_documents=2)
    with pytest.raises(NotPrimaryError):
        raw(command)

    retry = raw(command)  # on the new primary, same lsid and txnNumber

    assert retry["n"] == 4  # two recorded by the first attempt, two inserted now
    assert sorted(d["_id"] for d in client.db.c.find()) == [0, 1, 2, 3]


def test_a_retried_update_reports_the_first_result_without_applying_again(
    client: Client, raw: Callable[..., dict[str, Any]]
) -> None:
    client.db.c.insert_one({"_id": 1, "n": 0})
    command = {
        "update": "c",
        "updates": [{"q": {"_id": 1}, "u": {"$inc": {"n": 1}}}],
        "txnNumber": Int64(1),
    }

    first, second = raw(command), raw(command)

    assert (first["n"], first["nModified"]) == (second["n"], second["nModified"]) == (1, 1)
    assert client.db.c.find_one() == {"_id": 1, "n": 1}


def test_an_update_retrying_an_insert_reports_it_as_an_upsert(
    raw: Callable[..., dict[str, Any]],
) -> None:
    raw({"insert": "c", "documents": [{"_id": 7}], "txnNumber": Int64(2)})

    reply = raw(
        {
            "update": "c",
            "updates": [{"q": {"_id": 7}, "u": {"$set": {"x": 1}}, "upsert": True}],
            "txnNumber": Int64(2),
        }
    )

    assert reply["n"] == 1
    assert reply["upserted"] == [{"index": 0, "_id": 7}]


def test_a_same_txn_number_retry_of_another_kind_of_statement_is_refused(
    client: Client, raw: Callable[..., dict[str, Any]]
) -> None:
    client.db.c.insert_one({"_id": 1})
    raw({"delete": "c", "deletes": [{"q": {"_id": 1}, "limit": 1}], "txnNumber": Int64(3)})

    reply = raw(
        {
            "update": "c",
            "updates": [{"q": {"_id": 1}, "u": {"$set": {"x": 1}}}],
            "txnNumber": Int64(3),
        }
    )

    # mongod fails that statement (a write error), not the whole command.
    assert [error["code"] for error in reply["writeErrors"]] == [40638]
    assert "not compatible with previous write" in reply["writeErrors"][0]["errmsg"]
    assert client.db.c.count_documents({}) == 0


def test_an_older_txn_number_is_too_old(raw: Callable[..., dict[str, Any]]) -> None:
    raw({"insert": "c", "documents": [{"_id": 1}], "txnNumber": Int64(7)})

    with pytest.raises(OperationFailure) as raised:
        raw({"insert": "c", "documents": [{"_id": 2}], "txnNumber": Int64(6)})

    assert raised.value.code == 225


@pytest.mark.parametrize(
    ("w", "code"),
    [(5, 100), ("dataCenterEast", 79)],
)
def test_an_unsatisfiable_write_concern_is_reported_after_the_write(
    client: Client, w: Any, code: int
) -> None:
    collection = client.db.get_collection("c", write_concern=WriteConcern(w=w))

    with pytest.raises(WriteConcernError) as raised:
        collection.insert_one({"_id": 1})

    assert raised.value.code == code
    assert client.db.c.count_documents({}) == 1


@pytest.mark.parametrize("w", [1, 3, "majority"])
def test_a_satisfiable_write_concern_is_met(client: Client, w: Any) -> None:
    collection = client.db.get_collection("c", write_concern=WriteConcern(w=w))

    assert collection.insert_one({"_id": 1}).acknowledged


def test_missing_members_make_the_write_wait_until_wtimeout(
    rs: ReplicaSet, client: Client
) -> None:
    rs.kill(1)
    rs.kill(2)
    majority = client.db.get_collection(
        "c", write_concern=WriteConcern(w="majority", wtimeout=100)
    )

    with pytest.raises(WriteConcernError) as raised:
        majority.insert_one({"_id": 1})

    assert raised.value.code == 64
    assert raised.value.details is not None
    assert raised.value.details["errInfo"]["wtimeout"] is True
    assert client.db.c.count_documents({}) == 1  # applied on the primary


def test_a_waiting_write_concern_is_met_when_a_member_comes_back(
    rs: ReplicaSet, client: Client
) -> None:
    rs.kill(2)
    all_three = client.db.get_collection("c", write_concern=WriteConcern(w=3, wtimeout=20_000))
    rs.schedule(0.2, rs.revive, 2)

    assert all_three.insert_one({"_id": 1}).acknowledged
