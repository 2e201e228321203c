"""The CLI: status, list, release --force / --owner, demo."""

from __future__ import annotations

import json
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


def test_options_are_accepted_after_the_command(mongo_uri, collection_name, locker, capsys):
    locker.lock("b", owner="gustav")
    args = ["--uri", mongo_uri, "--db", DB, "--collection", collection_name]
    assert main(["status", "b", *args]) == 0
    assert capsys.readouterr().out.startswith("b: locked, owner gustav, token 1")
    assert main(["--uri", "mongodb://127.0.0.1:9", "list", *args]) == 0  # the later one wins
    assert capsys.readouterr().out.startswith("b: locked")


def test_status_and_list_as_json(cli, locker, capsys):
    lease = locker.lock("b", owner="gustav")
    assert cli("status", "b", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status == {
        "name": "b",
        "locked": True,
        "owner": "gustav",
        "token": 1,
        "acquired_at": status["acquired_at"],
        "expires_at": lease.expires_at.isoformat(timespec="milliseconds") + "Z",
    }
    assert status["acquired_at"].endswith("Z")
    assert cli("status", "never", "--json") == 0
    assert json.loads(capsys.readouterr().out)["token"] == 0
    assert cli("list", "--json") == 0
    assert [s["name"] for s in json.loads(capsys.readouterr().out)] == ["b"]


def test_malformed_uri_is_reported(capsys):
    assert main(["--uri", "mongodb://", "status", "x"]) == 2
    assert "bad --uri 'mongodb://'" in capsys.readouterr().err


def test_unreachable_server_is_reported_in_one_line(capsys):
    uri = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200"
    assert main(["--uri", uri, "status", "x"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot reach MongoDB at {uri}: 127.0.0.1:9")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bogus"], "invalid choice: 'bogus'"),
        (["status"], "the following arguments are required: name"),
        (["status", "x", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


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
    assert lines[0].startswith(f"locker-room demo against the server at {mongo_uri} (the counter")
    assert sum(line.startswith("worker ") for line in lines) == 40
    assert lines[-1] == "counter = 40 (expected 40); tokens increasing: True"


def test_demo_against_an_unreachable_server_ends_with_one_line():
    env = {**os.environ, "MONGODB_URI": "mongodb://127.0.0.1:9/"}
    done = subprocess.run(
        [sys.executable, "-m", "locker_room", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=15,  # the bound; subprocess.TimeoutExpired fails the test
        check=False,
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith(
        "error: cannot reach MongoDB at mongodb://127.0.0.1:9/ within 5 s"
    )
    assert done.stderr.count("\n") == 1
