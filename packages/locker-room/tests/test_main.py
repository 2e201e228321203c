"""The CLI: status, list, release --force / --owner, demo."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import DB

from locker_room.__main__ import main


@pytest.fixture
def cli(mongo_uri, collection_name):
    def run(*args):
        return main(["--uri", mongo_uri, "--db", DB, "--collection", collection_name, *args])

    return run


def test_status_list_and_force_release(cli, locker, capsys):
    locker.lock("b", owner="gustav")
    locker.lock("a", owner="bob")
    assert cli("status", "b") == 0
    assert capsys.readouterr().out.startswith("b: locked, owner gustav, token 1 until 20")
    assert cli("list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["a", "b"]
    assert cli("release", "b", "--force") == 0
    assert capsys.readouterr().out.startswith("broke b: locked, owner gustav")
    assert locker.status("b")["locked"] is False
    assert cli("status", "b") == 0
    assert capsys.readouterr().out.startswith("b: free, owner gustav, token 2")


def test_release_as_owner_and_wrong_owner(cli, locker, capsys):
    locker.lock("x", owner="gustav")
    assert cli("release", "x", "--owner", "bob") == 1
    assert "'bob' cannot release lock 'x'" in capsys.readouterr().err
    assert cli("release", "x", "--owner", "gustav") == 0
    assert locker.status("x")["locked"] is False


def test_release_needs_force_or_owner(cli, capsys):
    with pytest.raises(SystemExit):
        cli("release", "x")
    assert "one of the arguments --force --owner is required" in capsys.readouterr().err


def test_force_release_of_a_lock_never_taken_says_so(cli, capsys):
    assert cli("release", "nothing", "--force") == 1
    assert "no lock named 'nothing'" in capsys.readouterr().err


def test_malformed_uri_is_reported(capsys):
    assert main(["--uri", "mongodb://", "status", "x"]) == 2
    assert "bad --uri 'mongodb://'" in capsys.readouterr().err


def test_unreachable_server_is_reported(capsys):
    uri = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200"
    assert main(["--uri", uri, "status", "x"]) == 2
    assert "cannot reach MongoDB" in capsys.readouterr().err


def test_demo_runs_four_processes_on_the_server(mongo_uri):
    env = {**os.environ, "MONGODB_URI": mongo_uri}
    done = subprocess.run(
        [sys.executable, "-m", "locker_room", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "locker-room demo against the server in $MONGODB_URI"
    assert sum(line.startswith("worker ") for line in lines) == 40
    assert lines[-1] == "counter = 40 (expected 40); tokens increasing: True"
