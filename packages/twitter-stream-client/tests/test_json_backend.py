"""Both JSON decoders give the client the same messages (orjson is the `fast` extra)."""

from __future__ import annotations

import json

import orjson
import pytest
from conftest import ClientFactory, line, take, tweet

from twitter_stream_client import _json
from twitter_stream_client.testing import Reply, ScriptedStreamServer, Send

SAMPLES = [
    line(tweet(1, "caf\u00e9 \U0001f426 \\n escaped")),
    line({"data": {"id": "2", "text": "v2"}, "matching_rules": [{"id": "9", "tag": None}]}),
    line({"limit": {"track": 9_223_372_036_854_775_807}}),
    b'{"text": "bad\r\n',
    b"\xff\xfe\r\n",
    b"[" * 5000 + b"\r\n",  # nested deeper than the stdlib decoder recurses: RecursionError
    line({"delete": {"status": {"id": 1, "user_id": 2}}}),
]


@pytest.mark.parametrize("decoder", ["json", "orjson"])
def test_decoders_agree(
    Client: ClientFactory,
    server: ScriptedStreamServer,
    monkeypatch: pytest.MonkeyPatch,
    decoder: str,
) -> None:
    loads = json.loads if decoder == "json" else orjson.loads
    monkeypatch.setattr(_json, "loads", loads)
    server.script("/s", Reply(steps=[Send(b"".join(SAMPLES))]))
    client = Client(server.url("/s"), auth=None)
    messages = take(client, 4)
    assert [type(m).__name__ for m in messages] == ["Tweet", "Tweet", "Limit", "Delete"]
    assert messages[0].text == "caf\u00e9 \U0001f426 \\n escaped"  # type: ignore[union-attr]
    assert messages[2].track == 9_223_372_036_854_775_807  # type: ignore[union-attr]
    assert client.stats.malformed == 3


def test_backend_is_named(Client: ClientFactory) -> None:
    assert _json.BACKEND in {"json", "orjson"}
    expected = "orjson" if _json.loads.__module__ == "orjson" else "json"
    assert expected == _json.BACKEND
