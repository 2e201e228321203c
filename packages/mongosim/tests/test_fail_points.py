"""configureFailPoint over the wire, per member, as a mongod in test mode has it.

Every option of ``failCommand`` (mode times/skip/alwaysOn/off/activationProbability,
failCommands, errorCode with its codeName, errorLabels, closeConnection, blockConnection
+ blockTimeMS, appName, namespace, writeConcernError), ``onPrimaryTransactionalWrite`` and
``failGetMoreAfterCursorCheckout``, through pymongo over TCP.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

import pytest
from bson import Int64
from pymongo.errors import (
    AutoReconnect,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    WriteConcernError,
)

from mongosim import ReplicaSet

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Client


def fail_point(client: Client, mode: Any, name: str = "failCommand", **data: Any) -> Any:
    """Configure ``name`` on the member ``client`` talks to (the primary)."""
    return client.admin.command("configureFailPoint", name, mode=mode, data=data)


@pytest.fixture
def unretried(rs: ReplicaSet, connect: Callable[..., Client]) -> Client:
    """A client that retries nothing, so each fail point activation is visible."""
    return connect(rs.uri, retryWrites=False, retryReads=False)


def _address(rs: ReplicaSet, member: int) -> tuple[str, int]:
    host, port = rs.hosts[member].rsplit(":", 1)
    return host, int(port)


def test_times_fails_the_next_n_matching_commands(unretried: Client) -> None:
    unretried.db.c.insert_one({"_id": 1})
    fail_point(unretried, {"times": 2}, failCommands=["find"], errorCode=2)

    for _ in range(2):
        with pytest.raises(OperationFailure) as raised:
            unretried.db.c.find_one()
        assert raised.value.code == 2

    assert unretried.db.c.find_one() == {"_id": 1}


def test_skip_lets_the_first_n_through_then_fails_the_rest(unretried: Client) -> None:
    fail_point(unretried, {"skip": 2}, failCommands=["ping"], errorCode=8)

    unretried.admin.command("ping")
    unretried.admin.command("ping")
    for _ in range(3):
        with pytest.raises(OperationFailure, match="Failing command via 'failCommand'"):
            unretried.admin.command("ping")


def test_always_on_until_turned_off(unretried: Client) -> None:
    fail_point(unretried, "alwaysOn", failCommands=["ping"], errorCode=8)
    for _ in range(3):
        with pytest.raises(OperationFailure):
            unretried.admin.command("ping")

    reply = fail_point(unretried, "off")

    assert reply["count"] == 3  # how many times it fired
    assert unretried.admin.command("ping")["ok"] == 1


def test_activation_probability_draws_from_the_injected_random(
    connect: Callable[..., Client],
) -> None:
    with ReplicaSet(members=1, rng=random.Random(7)) as rs:
        client = connect(rs.uri, retryReads=False)
        fail_point(client, {"activationProbability": 0.5}, failCommands=["ping"], errorCode=8)
        outcomes = []
        for _ in range(20):
            try:
                client.admin.command("ping")
            except OperationFailure:
                outcomes.append(True)
            else:
                outcomes.append(False)
        client.close()

    oracle = random.Random(7)
    assert outcomes == [oracle.random() < 0.5 for _ in range(20)]
    assert True in outcomes
    assert False in outcomes


@pytest.mark.parametrize("probability", [0, 1])
def test_activation_probability_zero_and_one(unretried: Client, probability: float) -> None:
    fail_point(
        unretried, {"activationProbability": probability}, failCommands=["ping"], errorCode=8
    )

    failures = 0
    for _ in range(5):
        try:
            unretried.admin.command("ping")
        except OperationFailure:
            failures += 1

    assert failures == 5 * probability


def test_only_the_listed_commands_fail(unretried: Client) -> None:
    fail_point(unretried, "alwaysOn", failCommands=["insert", "findAndModify"], errorCode=8)

    assert unretried.db.c.find_one() is None
    unretried.db.c.update_one({"_id": 1}, {"$set": {"x": 1}}, upsert=True)
    with pytest.raises(OperationFailure):
        unretried.db.c.insert_one({"_id": 2})
    with pytest.raises(OperationFailure):
        unretried.db.c.find_one_and_update({"_id": 1}, {"$set": {"x": 2}})


@pytest.mark.parametrize(
    ("code", "name"),
    [(10107, "NotWritablePrimary"), (91, "ShutdownInProgress"), (4242, "Location4242")],
)
def test_any_error_code_with_its_code_name(unretried: Client, code: int, name: str) -> None:
    fail_point(unretried, {"times": 1}, failCommands=["ping"], errorCode=code)

    with pytest.raises((OperationFailure, NotPrimaryError)) as raised:
        unretried.admin.command("ping")

    assert raised.value.details is not None
    assert raised.value.details["code"] == code
    assert raised.value.details["codeName"] == name
    assert raised.value.details["errmsg"] == "Failing command via 'failCommand' failpoint"


def test_a_not_primary_error_carries_the_current_topology_version(
    rs: ReplicaSet, client: Client
) -> None:
    before = client.admin.command("hello")["topologyVersion"]
    fail_point(client, {"times": 1}, failCommands=["find"], errorCode=10107)

    client.db.c.find_one()  # pymongo retries the read at once on the same primary

    after = client.admin.command("hello")["topologyVersion"]
    assert after == before  # a fail point is no topology change
    assert rs.commands(0)["find"] == 2


def test_the_server_labels_a_retryable_write_and_pymongo_retries_it(
    rs: ReplicaSet, client: Client
) -> None:
    fail_point(client, {"times": 1}, failCommands=["insert"], errorCode=189)

    client.db.c.insert_one({"_id": 1})

    assert rs.commands(0)["insert"] == 2
    assert client.db.c.count_documents({}) == 1


def test_explicit_error_labels_replace_the_servers(
    unretried: Client, client: Client, rs: ReplicaSet
) -> None:
    fail_point(client, {"times": 1}, failCommands=["find"], errorCode=2, errorLabels=["Custom"])
    with pytest.raises(OperationFailure) as raised:
        unretried.db.c.find_one()
    assert raised.value.details is not None
    assert raised.value.details["errorLabels"] == ["Custom"]

    # An empty list: a retryable code on a retryable write, yet no label, so no retry.
    fail_point(client, {"times": 1}, failCommands=["insert"], errorCode=189, errorLabels=[])
    with pytest.raises(NotPrimaryError) as raised_again:
        client.db.c.insert_one({"_id": 1})
    assert raised_again.value.details is not None
    assert "errorLabels" not in raised_again.value.details
    assert client.db.c.count_documents({}) == 0


def test_close_connection_is_a_network_error_and_the_write_did_not_happen(
    unretried: Client,
) -> None:
    fail_point(unretried, {"times": 1}, failCommands=["insert"], closeConnection=True)

    with pytest.raises(AutoReconnect):
        unretried.db.c.insert_one({"_id": 1})

    assert unretried.db.c.count_documents({}) == 0


def test_block_connection_holds_the_command(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    client = connect(rs.uri, retryReads=False, socketTimeoutMS=200)
    fail_point(client, {"times": 1}, failCommands=["find"], blockConnection=True, blockTimeMS=2000)

    with pytest.raises(NetworkTimeout):
        client.db.c.find_one()


def test_block_connection_then_an_error(unretried: Client) -> None:
    fail_point(
        unretried,
        {"times": 1},
        failCommands=["find"],
        blockConnection=True,
        blockTimeMS=50,
        errorCode=2,
    )

    with pytest.raises(OperationFailure) as raised:
        unretried.db.c.find_one()

    assert raised.value.code == 2


def test_block_connection_alone_then_the_command_runs(unretried: Client) -> None:
    unretried.db.c.insert_one({"_id": 1})
    fail_point(
        unretried, {"times": 1}, failCommands=["find"], blockConnection=True, blockTimeMS=50
    )

    assert unretried.db.c.find_one() == {"_id": 1}


def test_app_name_limits_the_fail_point_to_that_application(
    rs: ReplicaSet, connect: Callable[..., Client]
) -> None:
    tagged = connect(rs.uri, appName="victim", retryReads=False)
    other = connect(rs.uri, appName="bystander", retryReads=False)
    fail_point(other, "alwaysOn", failCommands=["find"], errorCode=2, appName="victim")

    assert other.db.c.find_one() is None
    with pytest.raises(OperationFailure):
        tagged.db.c.find_one()


def test_namespace_limits_the_fail_point_to_one_collection(unretried: Client) -> None:
    fail_point(unretried, "alwaysOn", failCommands=["find"], errorCode=2, namespace="db.target")

    assert unretried.db.other.find_one() is None
    with pytest.raises(OperationFailure):
        unretried.db.target.find_one()


def test_write_concern_error_after_the_write_is_applied(unretried: Client) -> None:
    fail_point(
        unretried,
        {"times": 1},
        failCommands=["insert"],
        writeConcernError={"code": 64, "codeName": "WriteConcernFailed", "errmsg": "waiting"},
    )

    with pytest.raises(WriteConcernError) as raised:
        unretried.db.c.insert_one({"_id": 1})

    assert raised.value.details == {
        "code": 64,
        "codeName": "WriteConcernFailed",
        "errmsg": "waiting",
    }
    assert unretried.db.c.count_documents({}) == 1


def test_a_retryable_write_concern_error_is_labelled_and_retried_once(
    rs: ReplicaSet, client: Client
) -> None:
    fail_point(
        client,
        {"times": 1},
        failCommands=["insert"],
        writeConcernError={"code": 91, "errmsg": "Replication is being shut down"},
    )

    client.db.c.insert_one({"_id": 1})  # applied, labelled, retried: the retry is a no-op

    assert rs.commands(0)["insert"] == 2
    assert client.db.c.count_documents({}) == 1


def test_fail_points_belong_to_one_member(rs: ReplicaSet, client: Client) -> None:
    client.db.c.insert_one({"_id": 1})
    fail_point(client, "alwaysOn", failCommands=["find"], errorCode=2)  # on member 0

    rs.step_down()  # member 1 is primary now; its fail points are off
    deadline = time.monotonic() + 10
    while client.primary != _address(rs, 1) and time.monotonic() < deadline:
        time.sleep(0.01)  # the driver learns of the election from its monitor

    assert client.db.c.find_one() == {"_id": 1}


def test_fail_next_is_sugar_over_the_same_effects(rs: ReplicaSet, unretried: Client) -> None:
    rs.fail_next("find", "not_primary_unlabelled")

    with pytest.raises(NotPrimaryError) as raised:
        unretried.db.c.find_one()

    assert raised.value.details is not None
    assert raised.value.details["codeName"] == "NotWritablePrimary"
    assert "topologyVersion" in raised.value.details


@pytest.mark.parametrize(
    ("command", "code", "message"),
    [
        ({"configureFailPoint": "noSuchFailPoint", "mode": "alwaysOn"}, 266, "not found"),
        ({"configureFailPoint": "failCommand", "mode": "sometimes"}, 2, "'mode' must be"),
        ({"configureFailPoint": "failCommand", "mode": {"times": -1}}, 2, "must be >= 0"),
        (
            {"configureFailPoint": "failCommand", "mode": {"activationProbability": 2}},
            2,
            "in [0, 1]",
        ),
        (
            {
                "configureFailPoint": "failCommand",
                "mode": "alwaysOn",
                "data": {"blockConnection": True},
            },
            72,
            "must specify 'blockTimeMS'",
        ),
        (
            {
                "configureFailPoint": "failCommand",
                "mode": "alwaysOn",
                "data": {"blockConnection": True, "blockTimeMS": -1},
            },
            72,
            "non-negative",
        ),
    ],
)
def test_bad_configurations_are_refused_with_mongods_codes(
    client: Client, command: dict[str, Any], code: int, message: str
) -> None:
    with pytest.raises(OperationFailure) as raised:
        client.admin.command(command)

    assert raised.value.code == code
    assert message in str(raised.value)


def test_configure_fail_point_runs_only_on_admin(client: Client) -> None:
    with pytest.raises(OperationFailure) as raised:
        client.db.command("configureFailPoint", "failCommand", mode="off")

    assert raised.value.code == 13


def test_without_test_commands_there_is_no_configure_fail_point(
    connect: Callable[..., Client],
) -> None:
    with ReplicaSet(members=1, enable_test_commands=False) as rs:
        client = connect(rs.uri)
        with pytest.raises(OperationFailure) as raised:
            fail_point(client, "alwaysOn", failCommands=["ping"], errorCode=2)
        parameters = client.admin.command("getParameter", "*")
        client.close()

    assert raised.value.code == 59
    assert parameters["enableTestCommands"] is False


def test_on_primary_transactional_write_commits_then_closes(
    rs: ReplicaSet, client: Client
) -> None:
    fail_point(client, {"times": 1}, name="onPrimaryTransactionalWrite")

    client.db.c.insert_one({"_id": 1})  # committed, connection closed, retried: a no-op

    assert rs.commands(0)["insert"] == 2
    assert client.db.c.count_documents({}) == 1


def test_on_primary_transactional_write_fails_before_commit(
    rs: ReplicaSet, client: Client
) -> None:
    fail_point(
        client, {"times": 2}, name="onPrimaryTransactionalWrite", failBeforeCommitExceptionCode=1
    )

    with pytest.raises(AutoReconnect):
        client.db.c.insert_one({"_id": 1})  # both attempts fail before the write

    assert client.db.c.count_documents({}) == 0


def test_on_primary_transactional_write_without_close_replies_the_error(
    client: Client,
) -> None:
    fail_point(
        client,
        {"times": 1},
        name="onPrimaryTransactionalWrite",
        closeConnection=False,
        failBeforeCommitExceptionCode=2,
    )

    with pytest.raises(OperationFailure) as raised:
        client.db.c.insert_one({"_id": 1})

    assert raised.value.code == 2
    assert client.db.c.count_documents({}) == 0


def test_on_primary_transactional_write_ignores_writes_without_txn_number(
    unretried: Client,
) -> None:
    fail_point(unretried, "alwaysOn", name="onPrimaryTransactionalWrite")

    unretried.db.c.insert_one({"_id": 1})

    assert unretried.db.c.count_documents({}) == 1


def test_fail_get_more_after_cursor_checkout(unretried: Client) -> None:
    unretried.db.c.insert_many([{"_id": i} for i in range(5)])
    fail_point(unretried, {"times": 1}, name="failGetMoreAfterCursorCheckout", errorCode=43)
    cursor = unretried.db.c.find(batch_size=2)

    assert [next(cursor)["_id"], next(cursor)["_id"]] == [0, 1]
    with pytest.raises(OperationFailure) as raised:
        next(cursor)

    assert raised.value.code == 43
    cursor.close()


def test_a_txn_number_on_a_raw_command_is_refused_outside_retryable_writes(
    client: Client,
) -> None:
    with client.start_session() as session, pytest.raises(OperationFailure) as raised:
        client.db.command({"find": "c", "txnNumber": Int64(1)}, session=session)

    assert raised.value.code == 50768


def test_a_change_stream_resumes_after_a_resumable_get_more_error(
    rs: ReplicaSet, client: Client
) -> None:
    client.db.c.insert_one({"_id": 0})
    fail_point(client, {"times": 1}, name="failGetMoreAfterCursorCheckout", errorCode=262)
    with client.db.c.watch(max_await_time_ms=50) as stream:
        client.db.c.insert_one({"_id": 1})

        change = stream.try_next()
        deadline = time.monotonic() + 10
        while change is None and time.monotonic() < deadline:
            change = stream.try_next()

    # ExceededTimeLimit after the cursor was found: labelled ResumableChangeStreamError,
    # so pymongo opened a new stream from its resume token and got the event.
    assert change is not None
    assert change["documentKey"] == {"_id": 1}
    assert rs.commands(0)["aggregate"] == 2


def test_a_get_more_failed_before_its_cursor_is_found_is_not_resumable(
    client: Client,
) -> None:
    fail_point(client, {"times": 1}, failCommands=["getMore"], errorCode=6)
    with client.db.c.watch(max_await_time_ms=50) as stream:
        client.db.c.insert_one({"_id": 1})
        with pytest.raises(OperationFailure) as raised:
            stream.try_next()

    assert raised.value.code == 6
    assert raised.value.details is not None
    assert "errorLabels" not in raised.value.details
