"""``python -m mongo_autoreconnect`` from the installed package."""

import json
import os
import socket
import subprocess
import sys

import pytest


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mongo_autoreconnect", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=environment,
    )


@pytest.fixture
def closed_port():
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_rides_out_the_scripted_failover():
    result = run("demo", "--rounds", "30")
    assert result.returncode == 0, result.stderr
    assert "MongoProxy:    0 errors surfaced, 30 documents, $inc total 30" in result.stdout
    assert "dropped the demo database" in result.stdout


def test_json_summary_with_options_before_the_command():
    result = run("--json", "--rounds", "12", "demo")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["server"] == "mongosim"
    assert summary["rounds"] == summary["documents"] == summary["inc_total"] == 12
    assert summary["proxy_errors"] == 0
    assert summary["applied_once"] is True
    assert "through MongoProxy" in result.stderr  # the narrative


@pytest.mark.parametrize("where", ["env", "option"])
def test_an_unreachable_server_ends_quickly_with_one_line(closed_port, where):
    # The bound: the demo ends within 15 s (subprocess.TimeoutExpired otherwise).
    uri = f"mongodb://127.0.0.1:{closed_port}/"
    if where == "env":
        result = run("demo", env={"MONGODB_URI": uri}, timeout=15)
    else:
        result = run("demo", "--uri", uri, timeout=15)
    assert result.returncode == 3
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"mongo_autoreconnect demo: no MongoDB server answered at {uri}")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("demo", "--rounds", "0"), "--rounds must be >= 1, got 0"),
        (("demo", "--rounds", "x"), "argument --rounds: invalid int value: 'x'"),
        (("demo", "--bogus"), "unrecognized arguments: --bogus"),
        ((), "the following arguments are required: command"),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(args, message):
    result = run(*args)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert message in line


def test_help_names_the_command_and_the_exit_codes():
    result = run("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout
    assert "3 no server reachable" in " ".join(result.stdout.split())
