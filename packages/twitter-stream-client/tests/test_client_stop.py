"""stop() from another thread: unblocks a read, a backoff sleep, and keeps read messages."""

from __future__ import annotations

import threading
import time

import requests
from conftest import line, tweet

from twitter_stream_client import ReconnectPolicy, StreamClient
from twitter_stream_client.testing import (
    Hold,
    RecordedRequest,
    Reply,
    ScriptedStreamServer,
    Send,
    WaitFor,
)

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


def test_stop_while_the_response_headers_are_awaited(server: ScriptedStreamServer) -> None:
    # The server accepts the request and never answers: no response exists yet, and
    # the read timeout (stall_timeout) is a minute away. The socket must be shut down.
    answer = threading.Event()
    received = threading.Event()

    def never_answer(request: RecordedRequest) -> Reply:
        received.set()
        answer.wait(120)
        return Reply(status=503)

    server.route(PATH, never_answer)
    client = StreamClient(server.url(PATH), auth=None, stall_timeout=60.0)
    thread, seen = consume_in_thread(client)
    try:
        assert received.wait(30)
        time.sleep(0.05)  # the client is now blocked waiting for the status line
        started = time.monotonic()
        client.stop()
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert time.monotonic() - started < 5.0  # far below the 60 s read timeout
    finally:
        answer.set()
    assert seen == []
    assert client.stats.reconnects == {}
    assert len(server.requests) == 1


def test_stop_without_a_socket_to_shut_down_takes_effect_at_the_next_read(
    server: ScriptedStreamServer,
) -> None:
    # An adapter mounted over the client's for the stream URL never tells it the
    # socket: stop() must still end the stream (at the next chunk), not hang or raise.
    more = threading.Event()
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), WaitFor(more), Send(line(tweet(2)))]))
    session = requests.Session()
    client = StreamClient(server.url(PATH), auth=None, stall_timeout=3600.0, session=session)
    session.mount(server.url(PATH), requests.adapters.HTTPAdapter())
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
