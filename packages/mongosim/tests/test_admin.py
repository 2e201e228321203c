"""The admin commands a driver's test harness sends before its first test, through pymongo."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pymongo.errors import OperationFailure

if TYPE_CHECKING:
    from conftest import Client

    from mongosim import ReplicaSet


def test_get_cmd_line_opts_says_replica_set_and_test_commands(
    rs: ReplicaSet, client: Client
) -> None:
    reply = client.admin.command("getCmdLineOpts")

    port = int(rs.hosts[0].rsplit(":", 1)[1])
    assert reply["parsed"]["replication"]["replSet"] == "rs0"
    assert reply["parsed"]["net"]["port"] == port
    assert reply["parsed"]["setParameter"]["enableTestCommands"] == "1"
    assert "--replSet" in reply["argv"]
    assert "security" not in reply["parsed"]  # no authentication: pymongo's harness checks


def test_server_status_names_the_storage_engine(client: Client) -> None:
    reply = client.admin.command("serverStatus")

    assert reply["process"] == "mongod"
    assert reply["storageEngine"]["name"] == "inMemory"
    assert reply["version"] == client.server_info()["version"]
    assert reply["connections"]["current"] >= 1


def test_get_parameter_all_and_by_name(client: Client) -> None:
    everything = client.admin.command("getParameter", "*")
    one = client.admin.command({"getParameter": 1, "enableTestCommands": 1})

    assert everything["enableTestCommands"] is True
    assert everything["authenticationMechanisms"] == []
    assert one["enableTestCommands"] is True
    assert "authenticationMechanisms" not in one


def test_get_parameter_of_an_unknown_name_is_refused(client: Client) -> None:
    with pytest.raises(OperationFailure) as raised:
        client.admin.command({"getParameter": 1, "noSuchParameter": 1})

    assert raised.value.code == 72


def test_kill_all_sessions_is_accepted(client: Client) -> None:
    assert client.admin.command("killAllSessions", [])["ok"] == 1


def test_admin_commands_run_on_admin_only(client: Client) -> None:
    with pytest.raises(OperationFailure) as raised:
        client.db.command("getCmdLineOpts")

    assert raised.value.code == 13


def test_fail_all_commands_fails_every_command_it_matches(client: Client) -> None:
    # Scoped to one namespace: unscoped, it would also fail the monitors' hellos (as on mongod).
    client.admin.command(
        "configureFailPoint",
        "failCommand",
        mode="alwaysOn",
        data={"failAllCommands": True, "namespace": "db.c", "errorCode": 2},
    )

    with pytest.raises(OperationFailure):
        client.db.c.find_one()
    with pytest.raises(OperationFailure):
        client.db.c.insert_one({})
    assert client.db.d.find_one() is None
    client.admin.command("configureFailPoint", "failCommand", mode="off")
    assert client.db.c.find_one() is None
