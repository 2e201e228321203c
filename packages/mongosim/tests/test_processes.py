"""Across OS processes: the command line server, and clients in spawned processes."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
from _workers import write_then_wait_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from conftest import Client

    from mongosim import ReplicaSet


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m mongosim --members 3`` as a child process, and the URI it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mongosim", "--members", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    uri = process.stdout.readline().strip()
    yield process, uri
    if process.poll() is None:
        process.terminate()
        process.wait(10)
    process.stdout.close()


def test_command_line_prints_a_uri_pymongo_connects_to(
    served: tuple[subprocess.Popen[str], str], connect: Callable[..., Client]
) -> None:
    process, uri = served
    client = connect(uri)

    client.db.c.insert_one({"_id": "from the parent"})

    assert uri.startswith("mongodb://127.0.0.1:")
    assert uri.endswith("/?replicaSet=rs0")
    assert client.db.c.find_one() == {"_id": "from the parent"}
    hosts = uri.removeprefix("mongodb://").split("/")[0].split(",")
    assert client.admin.command("hello")["hosts"] == hosts
    client.close()  # before the server stops: a client outliving it waits to end sessions
    process.terminate()
    assert process.wait(10) == 0


def test_two_processes_see_each_others_writes(served: tuple[subprocess.Popen[str], str]) -> None:
    _, uri = served
    spawn = multiprocessing.get_context("spawn")
    workers = [
        spawn.Process(target=write_then_wait_for, args=(uri, "a", "b")),
        spawn.Process(target=write_then_wait_for, args=(uri, "b", "a")),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert [worker.exitcode for worker in workers] == [0, 0]


def test_command_line_steps_the_primary_down_periodically(
    connect: Callable[..., Client],
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mongosim", "--members", "2", "--step-down-every", "0.2"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        client = connect(process.stdout.readline().strip())
        first = client.admin.command("hello")["primary"]
        primaries = {first}
        deadline = time.monotonic() + 20
        while len(primaries) < 2 and time.monotonic() < deadline:
            primaries.add(client.admin.command("hello").get("primary"))
            time.sleep(0.05)
        client.close()
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()

    assert len(primaries - {None}) == 2


def test_command_line_refuses_bad_arguments() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mongosim", "--members", "0"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )

    assert result.returncode == 2
    assert "--members must be >= 1" in result.stderr


def test_command_line_reports_a_port_in_use(rs: ReplicaSet) -> None:
    port = rs.hosts[0].rsplit(":", 1)[1]

    result = subprocess.run(
        [sys.executable, "-m", "mongosim", "--members", "1", "--port-base", port],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 1
    assert "mongosim: cannot listen" in result.stderr
    assert result.stdout == ""
