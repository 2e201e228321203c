"""record_to writes what arrived; replay yields the same typed messages offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ClientFactory, RecordingSleep, line, take, tweet

from twitter_stream_client import MalformedRecording, replay
from twitter_stream_client.testing import Reply, ScriptedStreamServer, Send

PATH = "/stream"


def test_record_then_replay_gives_equal_messages(
    Client: ClientFactory, server: ScriptedStreamServer, tmp_path: Path
) -> None:
    pretty = b'{\n "limit": {"track": 4}\n}'
    length = str(len(pretty) + 2).encode()
    server.script(
        PATH,
        Reply(
            steps=[
                Send(
                    line(tweet(1))
                    + b"\r\nnot json\r\n"
                    + line({"delete": {"status": {"id": 1, "user_id": 2}}})
                )
            ]
        ),
    )
    server.script("/length", Reply(steps=[Send(length + b"\r\n" + pretty + b"\r\n")]))
    out = tmp_path / "tweets.jsonl"
    live = take(Client(server.url(PATH), auth=None).record_to(out), 2)
    live += take(
        Client(server.url("/length"), auth=None, params={"delimited": "length"}).record_to(out),
        1,
    )
    assert list(replay(out)) == live
    lines = out.read_bytes().splitlines()
    assert len(lines) == 3
    assert lines[0] == line(tweet(1))[:-2]
    assert lines[2] == b'{"limit":{"track":4}}'


def test_replay_speed_spaces_messages_by_their_time(Client: ClientFactory, tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        '{"text": "a", "timestamp_ms": "1000"}\n'
        '{"limit": {"track": 1, "timestamp_ms": "3000"}}\n'
        '{"delete": {"status": {"id": 1}}}\n'
        '{"data": {"id": "1", "text": "v2", "created_at": "1970-01-01T00:00:07.000Z"}}\n'
        "\n"
        "garbage\n"
    )
    sleep = RecordingSleep()
    messages = list(replay(path, speed=2.0, sleep=sleep, errors="skip"))
    assert [type(m).__name__ for m in messages] == ["Tweet", "Limit", "Delete", "Tweet"]
    assert sleep.calls == [1.0, 2.0]
    assert list(replay(path, sleep=sleep, errors="skip")) == messages
    assert sleep.calls == [1.0, 2.0]


def test_replay_rejects_bad_speed(Client: ClientFactory, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="`speed` must be a positive number"):
        list(replay(tmp_path / "missing.jsonl", speed=0))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_recording_that_cannot_be_written_raises_instead_of_reconnecting(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    # A full disk is not a network error: reconnecting would lose every message anew.
    server.script(PATH, Reply(steps=[Send(line(tweet(1)))]), Reply(steps=[Send(line(tweet(2)))]))
    client = Client(server.url(PATH), auth=None, sleep=sleep).record_to("/dev/full")
    with pytest.raises(OSError, match="No space left"):
        take(client, 1)
    assert len(server.requests) == 1
    assert client.stats.reconnects == {}


def test_replay_of_a_malformed_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"limit": {"track": 1}}\n\n{"text": "cut\n{"limit": {"track": 2}}\n')
    messages = []
    with pytest.raises(MalformedRecording, match=r"r\.jsonl:3: not a JSON message") as info:
        messages.extend(replay(path))
    assert info.value.line_number == 3
    assert info.value.line == b'{"text": "cut\n'
    assert [type(m).__name__ for m in messages] == ["Limit"]
    assert [m.track for m in replay(path, errors="skip")] == [1, 2]  # type: ignore[union-attr]


def test_replay_never_reads_an_overlong_line_whole(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(
        b'{"limit": {"track": 1}}\n' + b"x" * 5000 + b"\n" + b'{"limit": {"track": 2}}\n'
    )
    with pytest.raises(MalformedRecording, match=":2: not a JSON message") as info:
        list(replay(path, max_message_bytes=1000))
    assert len(info.value.line) == 80
    assert [m.track for m in replay(path, errors="skip", max_message_bytes=1000)] == [1, 2]  # type: ignore[union-attr]


def test_replay_rejects_an_unknown_error_mode(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="`errors` must be 'raise' or 'skip'"):
        list(replay(tmp_path / "missing.jsonl", errors="ignore"))  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [b"1605342412001", b'"a string"', b"[1, 2]", b"null", b"true"])
def test_a_json_value_that_is_not_an_object_is_not_a_message(tmp_path: Path, value: bytes) -> None:
    # A file of Tweet ids (or any list of JSON scalars) is not a recording of a stream.
    path = tmp_path / "ids.txt"
    path.write_bytes(b'{"limit": {"track": 1}}\n' + value + b"\n")
    with pytest.raises(MalformedRecording, match=r"ids\.txt:2: not a JSON message"):
        list(replay(path))
    assert [type(m).__name__ for m in replay(path, errors="skip")] == ["Limit"]


def test_replay_speed_paces_by_the_latest_time_seen(tmp_path: Path) -> None:
    # Streams deliver Tweets slightly out of order, and a backfill brings older ones after
    # newer ones: an older message must not make the replay wait through its time again.
    path = tmp_path / "r.jsonl"
    stamps = [1000, 3000, 2000, 2500, 4000]
    path.write_text("".join(f'{{"text": "t", "timestamp_ms": "{s}"}}\n' for s in stamps))
    sleep = RecordingSleep()
    assert len(list(replay(path, speed=1.0, sleep=sleep))) == 5
    assert sleep.calls == [2.0, 1.0]


def test_a_line_nested_too_deep_to_decode_is_malformed(tmp_path: Path) -> None:
    # The stdlib decoder raises RecursionError, not ValueError, on deep nesting.
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"limit": {"track": 1}}\n' + b"[" * 5000 + b"\n")
    with pytest.raises(MalformedRecording, match=":2: not a JSON message"):
        list(replay(path))
