"""stop() from another thread: unblocks a read, a backoff sleep, and keeps read messages."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import line, tweet

import twitter_stream_client.client as client_module
from twitter_stream_client import ReconnectPolicy, StreamClient
from twitter_stream_client.testing import Hold, Reply, ScriptedStreamServer, Send, WaitFor

PATH = "/stream"


def consume_in_thread(client: StreamClient) -> tuple[threading.Thread, list[object]]:
    seen: list[object] = []

    def consume() -> None:
        for message in client:
            seen.append(message)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    return thread, seen


def test_stop_unblocks_a_read_on_a_silent_connection(server: ScriptedStreamServer) -> None:
    # The server never sends another byte and the stall timeout is an hour away: only
    # shutting the socket down can end this read.
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Hold()]))
    client = StreamClient(server.url(PATH), auth=None, stall_timeout=3600.0)
    thread, seen = consume_in_thread(client)
    while not seen:
        time.sleep(0.01)
    started = time.monotonic()
    client.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert time.monotonic() - started < 3600.0
    assert [m.id for m in seen] == ["1"]  # type: ignore[attr-defined]
    assert client.stats.reconnects == {}
    assert len(server.requests) == 1


def test_stop_without_a_socket_to_shut_down_takes_effect_at_the_next_read(
    server: ScriptedStreamServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # stop() finds the socket through urllib3/http.client internals; if a future
    # version hides it, stop() must still end the stream (at the next chunk), not hang
    # or raise.
    monkeypatch.setattr(client_module, "_socket_of", lambda response: None)
    more = threading.Event()
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), WaitFor(more), Send(line(tweet(2)))]))
    client = StreamClient(server.url(PATH), auth=None, stall_timeout=3600.0)
    thread, seen = consume_in_thread(client)
    while not seen:
        time.sleep(0.01)
    client.stop()
    more.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert [m.id for m in seen] == ["1", "2"]  # type: ignore[attr-defined]
    assert len(server.requests) == 1


def test_stop_wakes_the_default_backoff_sleep(server: ScriptedStreamServer) -> None:
    hour = ReconnectPolicy(wait=lambda state: 3600.0)
    server.script(PATH, Reply(status=503))
    client = StreamClient(server.url(PATH), auth=None, policy=hour)
    thread, seen = consume_in_thread(client)
    while not server.requests:
        time.sleep(0.01)
    time.sleep(0.05)
    client.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert seen == []
    assert len(server.requests) == 1


def test_stop_keeps_messages_already_read(server: ScriptedStreamServer) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1)) + line(tweet(2)) + line(tweet(3)))]))
    client = StreamClient(server.url(PATH), auth=None)
    ids = []
    for message in client:
        ids.append(message.id)  # type: ignore[union-attr]
        client.stop()
    assert ids == ["1", "2", "3"]


def test_stop_before_iterating_makes_no_request(server: ScriptedStreamServer) -> None:
    client = StreamClient(server.url(PATH), auth=None)
    client.stop()
    assert list(client) == []
    assert client.stopped
    assert server.requests == []


def test_context_manager_closes(server: ScriptedStreamServer) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1)))]))
    with StreamClient(server.url(PATH), auth=None) as client:
        assert next(iter(client)).id == "1"  # type: ignore[union-attr]
    assert client.stopped
