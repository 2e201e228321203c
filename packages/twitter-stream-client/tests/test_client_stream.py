"""Framing and decoding over real HTTP/1.1 chunked responses from the loopback server."""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

from conftest import ClientFactory, line, take, tweet

from twitter_stream_client import Limit, Tweet, Unknown
from twitter_stream_client.testing import Reply, ScriptedStreamServer, Send, SendEach, WaitFor

PATH = "/stream"


def client_for(Client: ClientFactory, server: ScriptedStreamServer, **options: object) -> Any:
    return Client(server.url(PATH), auth=None, **options)  # type: ignore[arg-type]


def test_every_split_point_of_a_message_across_two_chunks(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    text = "split caf\u00e9 \U0001f426 here"
    message = line(tweet(1, text))
    steps = [
        Send(part) for cut in range(1, len(message)) for part in (message[:cut], message[cut:])
    ]
    server.script(PATH, Reply(steps=steps))
    messages = take(client_for(Client, server), len(message) - 1)
    assert all(m == Tweet(id="1", text=text, raw=tweet(1, text)) for m in messages)
    assert len(messages) == len(message) - 1


def test_cr_and_lf_in_different_chunks(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    first, second = line(tweet(1)), line(tweet(2))
    server.script(
        PATH, Reply(steps=[Send(first[:-1]), Send(first[-1:] + second[:-1]), Send(b"\n")])
    )
    client = client_for(Client, server)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.keep_alives == 0


def test_keep_alives_are_counted_never_yielded(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    server.script(
        PATH,
        Reply(
            steps=[
                Send(b"\r\n"),
                Send(b"\r\n\r\n" + line(tweet(1))),
                Send(b"\r\n" + line(tweet(2))),
            ]
        ),
    )
    client = client_for(Client, server)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.keep_alives == 4
    assert client.stats.messages == 2
    assert client.stats.last_message_at is not None


def test_gzip_is_decoded_incrementally(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    # The second message is only sent after the client has seen the first, so the first
    # must have been decoded from a partial gzip stream.
    first_seen = threading.Event()
    server.script(
        PATH,
        Reply(gzip=True, steps=[Send(line(tweet(1))), WaitFor(first_seen), Send(line(tweet(2)))]),
    )
    client = client_for(Client, server)
    ids = []
    for message in client:
        ids.append(message.id)  # type: ignore[union-attr]
        first_seen.set()
        if len(ids) == 2:
            break
    client.close()
    assert ids == ["1", "2"]
    assert server.requests[0].headers["Accept-Encoding"].find("gzip") >= 0
    assert client.stats.bytes == len(line(tweet(1))) + len(line(tweet(2)))


def test_delimited_length(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: object
) -> None:
    warning = (
        b'{\n  "warning": {"code": "FALLING_BEHIND", "message": "behind", "percent_full": 60}\n}'
    )
    bodies = [json.dumps(tweet(1)).encode(), warning, json.dumps({"limit": {"track": 3}}).encode()]
    stream = b""
    for body in bodies:
        framed = body + b"\r\n"
        stream += b"\r\n" + str(len(framed)).encode() + b"\r\n" + framed
    # Cut inside a length, inside a body, and between "\r" and "\n".
    cuts = [0, 2, 4, 30, 70, len(stream) - 1, len(stream)]
    server.script(PATH, Reply(steps=[Send(stream[a:b]) for a, b in itertools.pairwise(cuts)]))
    client = Client.v1_filter(
        track=["a"],
        auth=None,
        url=server.url(PATH),
        delimited=True,
        sleep=sleep,  # type: ignore[arg-type]
    )
    messages = take(client, 3)
    assert [type(m).__name__ for m in messages] == ["Tweet", "StallWarning", "Limit"]
    assert messages[1].percent_full == 60  # type: ignore[union-attr]
    assert client.stats.keep_alives == 3
    assert server.requests[0].body.count(b"delimited=length") == 1


def test_malformed_json_is_skipped_and_counted(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    server.script(
        PATH,
        Reply(
            steps=[
                Send(
                    line(tweet(1))
                    + b'{"text": "unterminated\r\n'
                    + b"\xff\xfe\r\n"
                    + line(tweet(2))
                )
            ]
        ),
    )
    client = client_for(Client, server)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.malformed == 2


def test_a_json_value_that_is_not_an_object_is_malformed(
    Client: ClientFactory, server: ScriptedStreamServer, tmp_path: Any
) -> None:
    # Every stream message is a JSON object; a bare value means a damaged stream.
    server.script(PATH, Reply(steps=[Send(b"1605342412001\r\n[1]\r\n" + line(tweet(2)))]))
    client = client_for(Client, server).record_to(tmp_path / "r.jsonl")
    assert [m.id for m in take(client, 1)] == ["2"]
    assert client.stats.malformed == 2
    assert (tmp_path / "r.jsonl").read_bytes() == line(tweet(2))[:-2] + b"\n"


def test_oversize_line_is_dropped_and_streaming_continues(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    huge = json.dumps(tweet(9, "x" * 50_000)).encode()
    chunks = [huge[i : i + 1000] for i in range(0, len(huge), 1000)]
    server.script(PATH, Reply(steps=[SendEach([*chunks, b"\r\n", line(tweet(2))])]))
    client = client_for(Client, server, max_message_bytes=4096)
    assert [m.id for m in take(client, 1)] == ["2"]
    assert client.stats.oversize == 1


def test_unknown_message_kinds_are_yielded(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    server.script(
        PATH, Reply(steps=[Send(line({"friends": [1]}) + line({"limit": {"track": 5}}))])
    )
    first, second = take(client_for(Client, server), 2)
    assert first == Unknown(raw={"friends": [1]})
    assert second == Limit(track=5, raw={"limit": {"track": 5}})


def test_v1_filter_posts_a_form_body(Client: ClientFactory, server: ScriptedStreamServer) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1)))]))
    client = Client.v1_filter(
        track=["iphone", "ipad", "ipod"], follow=[12, 34],
        locations=[-122.75, 36.8, -121.75, 37.8],
        auth=None, url=server.url(PATH),  # type: ignore[arg-type]
    )  # fmt: skip
    take(client, 1)
    request = server.requests[0]
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = dict(pair.split("=") for pair in request.body.decode().split("&"))
    assert form == {
        "track": "iphone%2Cipad%2Cipod",
        "follow": "12%2C34",
        "locations": "-122.7500%2C36.8000%2C-121.7500%2C37.8000",
        "stall_warnings": "true",
    }
    assert request.headers["User-Agent"].startswith("twitter-stream-client/")


def test_v2_sends_bearer_token_and_fields(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    payload = {"data": {"id": "7", "text": "hi"}, "matching_rules": [{"id": "1", "tag": "t"}]}
    server.script(PATH, Reply(steps=[Send(line(payload))]))
    client = Client.v2_filtered(
        bearer_token="secret-bearer", tweet_fields=["created_at", "lang"], expansions="author_id",
        backfill_minutes=2, url=server.url(PATH),
    )  # fmt: skip
    (message,) = take(client, 1)
    assert isinstance(message, Tweet)
    assert message.matching_rules == ({"id": "1", "tag": "t"},)
    request = server.requests[0]
    assert request.method == "GET"
    assert request.headers["Authorization"] == "Bearer secret-bearer"
    assert request.query == {
        "tweet.fields": "created_at,lang",
        "expansions": "author_id",
        "backfill_minutes": "2",
    }
    assert client.stall_timeout == 30.0


def test_v2_sample_and_v1_sample_use_get(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    server.script("/v2", Reply(steps=[Send(line({"data": {"id": "1", "text": "s"}}))]))
    server.script("/v1", Reply(steps=[Send(line(tweet(1)))]))
    take(Client.v2_sample(bearer_token="b", url=server.url("/v2")), 1)
    v1 = Client.v1_sample(auth=None, url=server.url("/v1"), delimited=False)  # type: ignore[arg-type]
    take(v1, 1)
    assert [(r.method, r.path, r.query) for r in server.requests] == [
        ("GET", "/v2", {}),
        ("GET", "/v1", {"stall_warnings": "true"}),
    ]
    assert v1.stall_timeout == 90.0


def test_run_callback_form(Client: ClientFactory, server: ScriptedStreamServer) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1)) + line(tweet(2)))]))
    client = client_for(Client, server)
    seen: list[str] = []

    def on_message(message: object) -> None:
        seen.append(message.id)  # type: ignore[attr-defined]
        if len(seen) == 2:
            client.stop()

    client.run(on_message)
    assert seen == ["1", "2"]
