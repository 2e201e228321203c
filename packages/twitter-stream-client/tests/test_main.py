"""The command line, in process: stream (against the loopback server), replay, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import line, tweet

from twitter_stream_client import StreamClient
from twitter_stream_client.__main__ import main
from twitter_stream_client.testing import Reply, ScriptedStreamServer, Send

PATH = "/1.1/statuses/filter.json"


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(f"TWITTER_{name}", f"value-of-{name.lower()}")


def test_stream_writes_jsonl_and_shows_a_counter(
    server: ScriptedStreamServer, credentials: None, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    server.script(PATH, Reply(steps=[Send(line(tweet(1)) + b"\r\n" + line(tweet(2)))]))
    out = tmp_path / "tweets.jsonl"
    status = main(["stream", "--api", "v1", "--track", "iphone,ipad", "--out", str(out),
                   "--url", server.url(PATH), "--max-messages", "2"])  # fmt: skip
    assert status == 0
    assert out.read_bytes() == line(tweet(1))[:-2] + b"\n" + line(tweet(2))[:-2] + b"\n"
    err = capsys.readouterr().err
    assert "2 messages" in err
    assert "0 reconnects" in err
    assert b"track=iphone%2Cipad" in server.requests[0].body
    assert server.requests[0].headers["Authorization"].startswith("OAuth ")


def test_stream_reports_a_fatal_answer(
    server: ScriptedStreamServer, credentials: None, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    server.script(PATH, Reply(status=403, body=b"Please use V2"))
    status = main(["stream", "--api", "v1", "--track", "x", "--out", str(tmp_path / "o.jsonl"),
                   "--url", server.url(PATH)])  # fmt: skip
    assert status == 1
    assert "HTTP 403" in capsys.readouterr().err


def test_stream_v2_uses_the_bearer_token(
    server: ScriptedStreamServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TWITTER_BEARER_TOKEN", "cli-bearer")
    server.script("/2", Reply(steps=[Send(line({"data": {"id": "1", "text": "t"}}))]))
    status = main(["stream", "--api", "v2", "--out", str(tmp_path / "o.jsonl"),
                   "--url", server.url("/2"), "--max-messages", "1"])  # fmt: skip
    assert status == 0
    assert server.requests[0].headers["Authorization"] == "Bearer cli-bearer"


def test_stream_without_credentials_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TWITTER_CONSUMER_KEY", raising=False)
    assert main(["stream", "--api", "v1", "--track", "x", "--out", str(tmp_path / "o")]) == 2
    assert "TWITTER_CONSUMER_KEY is not set" in capsys.readouterr().err
    monkeypatch.delenv("TWITTER_BEARER_TOKEN", raising=False)
    assert main(["stream", "--api", "v2", "--out", str(tmp_path / "o")]) == 2
    assert "TWITTER_BEARER_TOKEN is not set" in capsys.readouterr().err


def test_stream_v1_needs_track(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stream", "--api", "v1", "--out", str(tmp_path / "o")]) == 2
    assert "needs --track" in capsys.readouterr().err


def test_stream_bad_arguments_are_reported_not_raised(
    credentials: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stream", "--api", "v1", "--track", ",", "--out", str(tmp_path / "o")]) == 2
    assert "`track` must not be empty" in capsys.readouterr().err
    assert (
        main(["stream", "--api", "v1", "--track", "x", "--out", "o", "--url", "ftp://host/s"]) == 2
    )
    assert "`url` must be an http:// or https:// URL" in capsys.readouterr().err


def test_stream_to_an_unwritable_file_is_reported(
    server: ScriptedStreamServer, credentials: None, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    status = main(
        [
            "stream",
            "--api",
            "v1",
            "--track",
            "x",
            "--out",
            str(tmp_path),
            "--url",
            server.url(PATH),
        ]
    )
    assert status == 1
    assert "stream ended" in capsys.readouterr().err
    assert server.requests == []


def test_replay_prints_each_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(line(tweet(1))[:-2] + b"\n" + b'{"limit":{"track":3}}\n')
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["Tweet Tweet(id='1', text='tweet number 1', matching_rules=())",
                   "Limit Limit(track=3)"]  # fmt: skip


def test_replay_of_a_missing_file_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(tmp_path / "nope.jsonl")]) == 1
    assert "replay failed" in capsys.readouterr().err


def test_demo_runs_offline_and_checks_itself() -> None:
    # As `python -m`, the way users and nox run it.
    done = subprocess.run(
        [sys.executable, "-m", "twitter_stream_client", "demo"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reconnects {'stall': 1, 'network': 1, 'disconnect': 1}" in done.stdout
    assert "tweet 1006" in done.stdout


def test_options_go_before_or_after_the_command(
    server: ScriptedStreamServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("TWITTER_BEARER_TOKEN", "cli-bearer")
    v2 = line({"data": {"id": "1", "text": "t"}})
    server.script("/2", Reply(steps=[Send(v2)]), Reply(steps=[Send(v2)]))
    out = tmp_path / "o.jsonl"
    before = ["--json", "--out", str(out), "--url", server.url("/2"), "--max-messages", "1"]
    assert main([*before, "stream"]) == 0
    assert main(["stream", *before]) == 0
    printed = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [p["messages"] for p in printed] == [1, 1]
    assert printed[0] == {
        "ok": True, "file": str(out), "messages": 1, "keep_alives": 0, "bytes": len(v2),
        "malformed": 0, "oversize": 0, "duplicates": 0, "connections": 1, "reconnects": {},
    }  # fmt: skip


def test_each_reconnect_prints_its_cause_and_wait(
    server: ScriptedStreamServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("TWITTER_BEARER_TOKEN", "cli-bearer")
    v2 = line({"data": {"id": "1", "text": "t"}})
    server.script("/2", Reply(steps=[Send(v2)]), Reply(status=503), Reply(steps=[Send(v2)]))
    # The default policy would sleep 5 s after the 503: short-circuit the sleep.
    monkeypatch.setattr(StreamClient, "_interruptible_sleep", lambda self, seconds: None)
    status = main(["stream", "--out", str(tmp_path / "o.jsonl"), "--url", server.url("/2"),
                   "--max-messages", "2"])  # fmt: skip
    assert status == 0
    err = capsys.readouterr().err
    assert "reconnecting at once: the stream ended (closed)" in err
    assert "reconnecting in 5.00 s: http error #1 (HTTP 503)" in err


def test_an_option_of_another_command_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--speed", "2", "stream"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "python -m twitter_stream_client: error: --speed does not apply to stream"
    ]
    assert main(["replay"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_replay_json_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(line(tweet(1))[:-2] + b"\n" + b'{"limit":{"track":3}}\n' + line(tweet(2)))
    assert main(["--json", "replay", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True, "file": str(path), "messages": 3, "kinds": {"Limit": 1, "Tweet": 2},
        "error": None,
    }  # fmt: skip


def test_replay_of_garbage_fails_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(b'{"limit":{"track":3}}\nthis is not json\n')
    assert main(["replay", str(path)]) == 1
    captured = capsys.readouterr()
    assert "garbage.jsonl:2: not a JSON message: b'this is not json\\n'" in captured.err
    assert main(["replay", str(path), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["ok"], summary["messages"]) == (False, 1)
    assert ":2: not a JSON message" in summary["error"]
    assert main(["replay", "--skip-malformed", str(path)]) == 0


def test_help_lists_the_exit_codes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twitter_stream_client", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert "Exit codes: 0 done, 1 the stream or replay failed, 2 bad arguments" in done.stdout


def test_replay_of_a_list_of_ids_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ids.csv"
    path.write_bytes(b"1605342412001\n1605342412002\n")
    assert main(["replay", str(path)]) == 1
    assert "ids.csv:1: not a JSON message" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["replay", "f.jsonl", "--speed", "0"], "--speed must be a positive number"),
        (["replay", "f.jsonl", "--speed", "-2"], "--speed must be a positive number"),
        (["replay", "f.jsonl", "--speed", "nan"], "--speed must be a positive number"),
        (["stream", "--out", "o.jsonl", "--max-messages", "0"], "--max-messages must be"),
        (["stream", "--out", "o.jsonl", "--max-messages", "-1"], "--max-messages must be"),
    ],
)
def test_out_of_range_numbers_are_bad_arguments(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Exit 2 and one line before anything starts (the stream would otherwise connect).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TWITTER_BEARER_TOKEN", "b")
    monkeypatch.setenv("TWITTER_API_URL", "http://127.0.0.1:9")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert message in err[0]
    assert not (tmp_path / "o.jsonl").exists()


def test_max_messages_writes_and_counts_exactly_that_many(
    server: ScriptedStreamServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Ten messages in one chunk: the file and the summary hold three, as asked.
    monkeypatch.setenv("TWITTER_BEARER_TOKEN", "cli-bearer")
    tweets = [line({"data": {"id": str(n), "text": "t"}}) for n in range(10)]
    server.script("/2", Reply(steps=[Send(b"".join(tweets))]))
    out = tmp_path / "o.jsonl"
    status = main(["stream", "--out", str(out), "--url", server.url("/2"), "--max-messages", "3",
                   "--json"])  # fmt: skip
    assert status == 0
    assert out.read_bytes() == b"".join(t[:-2] + b"\n" for t in tweets[:3])
    assert json.loads(capsys.readouterr().out)["messages"] == 3
