"""``python -m mongo_autoreconnect demo`` from the installed package."""

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mongo_autoreconnect", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_rides_out_the_scripted_failover():
    result = run("demo", "--rounds", "30")
    assert result.returncode == 0, result.stderr
    assert "MongoProxy:    0 errors surfaced, 30 documents, $inc total 30" in result.stdout


def test_rounds_must_be_positive():
    result = run("demo", "--rounds", "0")
    assert result.returncode == 2
    assert "--rounds must be >= 1" in result.stderr


def test_a_subcommand_is_required():
    result = run()
    assert result.returncode == 2
    assert "demo" in result.stderr
