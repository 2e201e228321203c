"""Shared fixtures: the scripted loopback server, a recording sleep, a guarded consumer."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from twitter_stream_client import StreamClient
from twitter_stream_client.testing import ScriptedStreamServer

GUARD_SECONDS = 20.0


class RecordingSleep:
    """Stands in for time.sleep: records each delay and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def server() -> Iterator[ScriptedStreamServer]:
    with ScriptedStreamServer() as scripted:
        yield scripted


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


def line(obj: Any) -> bytes:
    """One stream message: compact JSON and the \\r\\n delimiter."""
    return json.dumps(obj, separators=(",", ":")).encode() + b"\r\n"


def tweet(number: int, text: str | None = None) -> dict[str, Any]:
    return {
        "id": number,
        "id_str": str(number),
        "text": text if text is not None else f"tweet number {number}",
        "in_reply_to_status_id": None,
    }


def take(client: StreamClient, count: int, guard: float = GUARD_SECONDS) -> list[Any]:
    """Consume ``count`` messages, then stop; fail (not hang) if they never come."""
    fired = threading.Event()

    def give_up() -> None:
        fired.set()
        client.stop()

    timer = threading.Timer(guard, give_up)
    timer.daemon = True
    timer.start()
    messages: list[Any] = []
    try:
        for message in client:
            messages.append(message)
            if len(messages) >= count:
                break
    finally:
        timer.cancel()
        client.close()
    assert not fired.is_set(), f"guard fired after {len(messages)} of {count} messages"
    return messages


def free_port() -> int:
    """A loopback port with nothing listening: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
