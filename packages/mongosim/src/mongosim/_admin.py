"""The admin commands a driver's test harness sends before any test, answered like a mongod.

pymongo's suite (``test/__init__.py``) reads ``getCmdLineOpts`` (was the server started with
auth, IPv6, ``enableTestCommands``?), ``serverStatus`` (the storage engine) and
``getParameter: "*"`` (``enableTestCommands``, the authentication mechanisms) before its
first test; a server answering CommandNotFound to one of them errors every test.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from mongosim._command_error import CommandError

__all__ = ["ADMIN_COMMANDS", "MemberInfo", "admin_reply"]

ADMIN_COMMANDS = frozenset(
    {"getCmdLineOpts", "serverStatus", "getParameter", "killAllSessions", "hostInfo"}
)
"""Commands a member answers itself, without the shared database."""

_STARTED = time.monotonic()


@dataclass(frozen=True)
class MemberInfo:
    """What a member knows about itself for these replies."""

    host: str
    port: int
    set_name: str
    version: str
    test_commands: bool
    connections: int
    ttl_monitor_sleep_secs: int = 60


def _cmd_line(member: MemberInfo) -> dict[str, Any]:
    argv = ["mongod", "--replSet", member.set_name, "--bind_ip", member.host]
    argv += ["--port", str(member.port)]
    parsed: dict[str, Any] = {
        "net": {"bindIp": member.host, "port": member.port},
        "replication": {"replSet": member.set_name},
        "storage": {"engine": "inMemory"},
    }
    if member.test_commands:
        argv += ["--setParameter", "enableTestCommands=1"]
        parsed["setParameter"] = {"enableTestCommands": "1"}
    return {"argv": argv, "parsed": parsed}


def _parameters(member: MemberInfo) -> dict[str, Any]:
    return {
        "enableTestCommands": member.test_commands,
        "authenticationMechanisms": [],
        "featureCompatibilityVersion": {"version": ".".join(member.version.split(".")[:2])},
        "transactionLifetimeLimitSeconds": 60,
        "logicalSessionTimeoutMinutes": 30,
        "ttlMonitorEnabled": True,
        "ttlMonitorSleepSecs": member.ttl_monitor_sleep_secs,
    }


def _get_parameter(member: MemberInfo, body: dict[str, Any]) -> dict[str, Any]:
    parameters = _parameters(member)
    if body.get("getParameter") in ("*", {"allParameters": True}) or body.get("allParameters"):
        return dict(parameters)
    wanted = [key for key in body if key not in ("getParameter", "$db", "lsid", "$clusterTime")]
    wanted = [key for key in wanted if not key.startswith("$")]
    unknown = [key for key in wanted if key not in parameters]
    if unknown or not wanted:
        raise CommandError(72, "InvalidOptions", "no option found to get")
    return {key: parameters[key] for key in wanted}


def _server_status(member: MemberInfo, now: Any) -> dict[str, Any]:
    uptime = time.monotonic() - _STARTED
    return {
        "host": f"{member.host}:{member.port}",
        "version": member.version,
        "process": "mongod",
        "pid": os.getpid(),
        "uptime": int(uptime),
        "uptimeMillis": int(uptime * 1000),
        "localTime": now,
        "connections": {"current": member.connections, "available": 819200},
        "storageEngine": {
            "name": "inMemory",
            "supportsCommittedReads": True,
            "persistent": False,
        },
        "repl": {"setName": member.set_name},
    }


def admin_reply(name: str, body: dict[str, Any], member: MemberInfo, now: Any) -> dict[str, Any]:
    """The reply fields of admin command ``name`` (without ``ok``).

    Raises
    ------
    CommandError
        Unauthorized (13) when run outside the ``admin`` database, as mongod refuses
        admin-only commands; InvalidOptions (72) for ``getParameter`` of an unknown name.

    Examples
    --------
    >>> info = MemberInfo("127.0.0.1", 27017, "rs0", "6.0.0", True, 1)
    >>> admin_reply("getParameter", {"getParameter": "*", "$db": "admin"}, info, None)[
    ...     "enableTestCommands"
    ... ]
    True
    """
    if body.get("$db", "admin") != "admin" and name != "serverStatus":
        raise CommandError(
            13, "Unauthorized", f"{name} may only be run against the admin database."
        )
    if name == "getCmdLineOpts":
        return _cmd_line(member)
    if name == "getParameter":
        return _get_parameter(member, body)
    if name == "serverStatus":
        return _server_status(member, now)
    if name == "hostInfo":
        return {"system": {"hostname": member.host, "numCores": os.cpu_count() or 1}, "os": {}}
    # killAllSessions: no transactions to abort; retryable-write records stay, as on mongod.
    return {}
