"""Server-side cursors: batchSize, getMore and killCursors over the wire."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from conftest import operations
from hypothesis import given, settings
from hypothesis import strategies as st
from pymongo.errors import CursorNotFound

from mongosim._command_error import CommandError
from mongosim.cursors import DEFAULT_FIRST_BATCH, CursorRegistry

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Client

    from mongosim import ReplicaSet


def test_batch_size_two_over_ten_documents_does_get_more(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_many([{"_id": i} for i in range(10)])
    before = rs.commands()

    ids = [d["_id"] for d in client.db.c.find().sort("_id", 1).batch_size(2)]

    assert ids == list(range(10))
    assert operations(rs.commands() - before) == {"find": 1, "getMore": 4}


def test_default_first_batch_is_101_documents(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_many([{"_id": i} for i in range(150)])
    before = rs.commands()

    assert len(list(client.db.c.find())) == 150

    assert operations(rs.commands() - before) == {"find": 1, "getMore": 1}


def test_closing_a_cursor_early_kills_it(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_many([{"_id": i} for i in range(10)])
    before = rs.commands()

    cursor = client.db.c.find().batch_size(3)
    next(cursor)
    cursor.close()

    assert operations(rs.commands() - before) == {"find": 1, "killCursors": 1}


def test_aggregate_cursor_and_limit(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_many([{"_id": i, "even": i % 2 == 0} for i in range(10)])
    before = rs.commands()

    evens = list(client.db.c.aggregate([{"$match": {"even": True}}], batchSize=2))
    limited = list(client.db.c.find().batch_size(2).limit(3))

    assert len(evens) == 5
    assert len(limited) == 3
    assert (rs.commands() - before)["getMore"] == 2 + 1


def test_cursor_is_lost_when_its_member_dies(
    rs: ReplicaSet, client: Client, connect: Callable[..., Client]
) -> None:
    client.db.c.insert_many([{"_id": i} for i in range(10)])
    cursor_id = client.db.command("find", "c", batchSize=2)["cursor"]["id"]
    assert client.db.command("getMore", cursor_id, collection="c", batchSize=2)["ok"] == 1

    rs.kill(0)
    rs.revive(0)
    rs.elect(0)
    fresh = connect(rs.uri)  # the old client's pooled connections died with the member

    with pytest.raises(CursorNotFound, match=f"cursor id {cursor_id} not found"):
        fresh.db.command("getMore", cursor_id, collection="c")


def test_get_more_of_an_unknown_cursor_is_cursor_not_found() -> None:
    with pytest.raises(CommandError, match="cursor id 42 not found") as raised:
        CursorRegistry().get_more(42, "db.c", None)

    assert raised.value.code == 43


def test_get_more_on_another_namespace_is_refused() -> None:
    cursors = CursorRegistry()
    cursor_id = cursors.open("db.c", [{"_id": 1}, {"_id": 2}], batch_size=1)["id"]

    with pytest.raises(CommandError, match=r"cursor belongs to a different namespace db\.c"):
        cursors.get_more(cursor_id, "db.other", None)


def test_kill_cursors_reports_killed_and_unknown_ids() -> None:
    cursors = CursorRegistry()
    cursor_id = cursors.open("db.c", [{"_id": 1}, {"_id": 2}], batch_size=1)["id"]

    reply = cursors.kill([cursor_id, 7])

    assert reply["cursorsKilled"] == [cursor_id]
    assert reply["cursorsNotFound"] == [7]
    assert len(cursors) == 0


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(0, 40),
    batch_size=st.one_of(st.none(), st.integers(0, 12)),
    more=st.one_of(st.none(), st.integers(1, 12)),
)
def test_batches_hand_out_every_document_once_in_order(
    count: int, batch_size: int | None, more: int | None
) -> None:
    docs = [{"_id": i} for i in range(count)]
    cursors = CursorRegistry()

    reply = cursors.open("db.c", docs, batch_size=batch_size)
    seen, cursor_id, rounds = list(reply["firstBatch"]), reply["id"], 0
    first_size = DEFAULT_FIRST_BATCH if batch_size is None else batch_size
    assert len(seen) == min(first_size, count)
    while cursor_id:
        batch = cursors.get_more(cursor_id, "db.c", more)
        seen += batch["nextBatch"]
        cursor_id = batch["id"]
        rounds += 1

    assert seen == docs
    assert len(cursors) == 0
    left = count - min(first_size, count)
    assert rounds == (0 if left == 0 else (1 if more is None else -(-left // more)))
