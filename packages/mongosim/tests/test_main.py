"""``python -m mongosim``: the demo, JSON output, options around the command, bad arguments."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mongosim.__main__ import main


def test_demo_rides_out_the_failover(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0

    out = capsys.readouterr().out
    assert "UNEXPECTED" not in out
    assert out.rstrip().endswith("demo passed")


def test_demo_json_reports_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "demo"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert len(report["steps"]) >= 3
    assert all(step["ok"] for step in report["steps"])


def test_serve_json_first_line_options_after_the_command() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mongosim", "serve", "--members", "2", "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()

    assert first["uri"].endswith("/?replicaSet=rs0")
    assert len(first["members"]) == 2
    assert all(uri.endswith("/?directConnection=true") for uri in first["members"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--members", "0"], "--members must be >= 1"),
        (["--step-down-every", "-1"], "--step-down-every must be > 0"),
        (["bogus"], "invalid choice: 'bogus'"),
        (["--members", "three"], "invalid int value: 'three'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(argv: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mongosim", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
