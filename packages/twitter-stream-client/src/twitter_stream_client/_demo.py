"""The offline demo: a scripted local stream with a stall and a disconnect, consumed live."""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any, TextIO

from twitter_stream_client._client import StreamClient
from twitter_stream_client._messages import (
    Delete,
    Disconnect,
    Limit,
    Message,
    StallWarning,
    Tweet,
)
from twitter_stream_client.testing import Cut, Hold, Reply, ScriptedStreamServer, Send

__all__ = ["run_demo"]

_PATH = "/1.1/statuses/filter.json"
_STALL_TIMEOUT = 0.5


def _tweet(number: int, text: str) -> dict[str, Any]:
    return {
        "id": 1000 + number,
        "id_str": str(1000 + number),
        "text": text,
        "user": {"screen_name": f"user{number}"},
        "in_reply_to_status_id": None,
        "timestamp_ms": str(1_700_000_000_000 + number * 1000),
    }


SAMPLE_MESSAGES: list[dict[str, Any]] = [
    _tweet(1, "Just got the new iphone \u2728"),
    _tweet(2, "ipad or laptop for note taking?"),
    {"limit": {"track": 42, "timestamp_ms": "1700000002500"}},
    _tweet(3, "my ipod still works after 15 years"),
    {
        "warning": {
            "code": "FALLING_BEHIND",
            "message": "Your connection is falling behind. Your queue is now over 60% full.",
            "percent_full": 60,
        }
    },
    {"delete": {"status": {"id": 1001, "id_str": "1001", "user_id": 7, "user_id_str": "7"}}},
    _tweet(4, "iphone battery tips, thread \U0001f9f5"),
    _tweet(5, "ipad pro vs ipad air"),
    _tweet(6, "the ipod classic design is timeless"),
]


def _line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\r\n"


def _script() -> list[Reply]:
    lines = [_line(m) for m in SAMPLE_MESSAGES]
    # Connection 1: messages split at awkward places (mid-JSON, "\r" | "\n"), a keep-alive,
    # then total silence: the stall watchdog must reconnect.
    split = lines[1]
    first = Reply(
        steps=[
            Send(lines[0][:17]),
            Send(lines[0][17:] + split[:-1]),
            Send(split[-1:] + b"\r\n"),
            Send(lines[2]),
            Hold(),
        ]
    )
    # Connection 2: more messages, then the server dies in the middle of a chunk.
    second = Reply(steps=[Send(lines[3] + lines[4]), Send(lines[5]), Cut(lines[6][:30])])
    # Connection 3: a "shed load" disconnect message (reconnect), as Twitter sends it.
    shed = {"disconnect": {"code": 12, "stream_name": "demo", "reason": "shed load"}}
    third = Reply(steps=[Send(lines[6] + _line(shed))])
    # Connection 4: the rest, then the stream stays open until the demo stops.
    fourth = Reply(steps=[Send(lines[7]), Send(b"\r\n"), Send(lines[8]), Hold()])
    return [first, second, third, fourth]


def _describe(message: Message) -> str:
    match message:
        case Tweet(id=tweet_id, text=text):
            return f"tweet {tweet_id}: {text}"
        case Limit(track=missed):
            return f"limit: {missed} matching tweets not delivered so far"
        case StallWarning(percent_full=percent):
            return f"stall warning: queue {percent}% full"
        case Delete(status_id=status_id):
            return f"delete tweet {status_id}"
        case Disconnect(code=code, reason=reason):
            return f"disconnect message code {code} ({reason})"
        case _:
            return f"{type(message).__name__}: {message.raw}"


def run_demo(out: TextIO) -> int:
    """Serve the scripted stream on loopback, consume it, print what happened."""
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("    [client] %(message)s"))
    package_logger = logging.getLogger("twitter_stream_client")
    package_logger.addHandler(handler)
    package_logger.setLevel(logging.INFO)
    tweets = len([m for m in SAMPLE_MESSAGES if "text" in m])
    seen: Counter[str] = Counter()
    try:
        with ScriptedStreamServer() as server:
            server.script(_PATH, *_script())
            out.write(f"demo: local stream server at {server.url(_PATH)}\n")
            out.write(f"demo: stall timeout {_STALL_TIMEOUT} s; scripted stall, cut, disconnect\n")
            client = StreamClient.v1_filter(
                track=["iphone", "ipad", "ipod"],
                auth=None,  # the local server checks no credentials
                url=server.url(_PATH),
                stall_timeout=_STALL_TIMEOUT,
            )
            for message in client:
                seen[type(message).__name__] += 1
                out.write(f"  {_describe(message)}\n")
                if seen["Tweet"] == tweets:
                    client.stop()
    finally:
        package_logger.removeHandler(handler)
    stats = client.stats
    out.write(
        f"demo: {stats.messages} messages ({dict(seen)}), {stats.keep_alives} keep-alives, "
        f"{stats.connections} connections, reconnects {dict(stats.reconnects)}\n"
    )
    expected = {"stall": 1, "network": 1, "disconnect": 1}
    if seen["Tweet"] != tweets or dict(stats.reconnects) != expected:
        out.write(f"demo: FAILED, expected {tweets} tweets and reconnects {expected}\n")
        return 1
    out.write("demo: every tweet arrived once despite the stall, the cut and the disconnect\n")
    return 0
