"""record_to writes what arrived; replay yields the same typed messages offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ClientFactory, RecordingSleep, line, take, tweet

from twitter_stream_client import replay
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
