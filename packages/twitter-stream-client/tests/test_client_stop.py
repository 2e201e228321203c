"""stop() from another thread: unblocks a read, a request awaiting its answer and a
backoff sleep, and keeps messages already read. Every wait here is bounded."""

from __future__ import annotations

import threading
import time
from typing import Any

import requests
from conftest import ClientFactory, line, tweet

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
WAIT = 10.0  # the longest any step below may take before the test fails
PROMPT = 5.0  # how soon after stop() the consumer must have ended


def wait_until(condition: Any, within: float = WAIT) -> bool:
    """Poll ``condition`` until true or ``within`` seconds passed (bounded, never hangs)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Consumer:
    """Iterates a client in a thread; ``first`` is set at the first message."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.seen: list[Any] = []
        self.first = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._consume, daemon=True)
        self.thread.start()

    def _consume(self) -> None:
        try:
            for message in self.client:
                self.seen.append(message)
                self.first.set()
        except BaseException as exc:  # reported by ended()
            self.error = exc

    def still_blocked(self) -> bool:
        """True if the consumer is still inside the client 0.2 s from now."""
        self.thread.join(0.2)
        return self.thread.is_alive()

    def ended(self, within: float = PROMPT) -> bool:
        self.thread.join(within)
        assert self.error is None, self.error
        return not self.thread.is_alive()


def test_stop_unblocks_a_read_on_a_silent_connection(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    # The server never sends another byte and the stall timeout is an hour away: only
    # shutting the socket down can end this read.
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Hold()]))
    client = Client(server.url(PATH), auth=None, stall_timeout=3600.0)
    consumer = Consumer(client)
    assert consumer.first.wait(WAIT)
    assert consumer.still_blocked()
    client.stop()
    assert consumer.ended()
    assert [m.id for m in consumer.seen] == ["1"]
    assert client.stats.reconnects == {}
    assert len(server.requests) == 1


def test_stop_while_the_response_headers_are_awaited(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    # The server accepts the request and never answers: no response exists yet, and
    # the read timeout (stall_timeout) is a minute away.
    answer = threading.Event()
    received = threading.Event()

    def never_answer(request: RecordedRequest) -> Reply:
        received.set()
        answer.wait(WAIT * 3)
        return Reply(status=503)

    server.route(PATH, never_answer)
    client = Client(server.url(PATH), auth=None, stall_timeout=60.0)
    consumer = Consumer(client)
    try:
        assert received.wait(WAIT)
        assert consumer.still_blocked()
        client.stop()
        assert consumer.ended()
    finally:
        answer.set()
    assert consumer.seen == []
    assert client.stats.reconnects == {}
    assert len(server.requests) == 1


def test_stop_without_a_socket_to_shut_down_takes_effect_at_the_next_read(
    server: ScriptedStreamServer,
) -> None:
    # requests only: an adapter mounted over the client's for the stream URL never tells
    # it the socket. stop() must still end the stream (at the next chunk), not hang.
    more = threading.Event()
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), WaitFor(more), Send(line(tweet(2)))]))
    session = requests.Session()
    client = StreamClient(server.url(PATH), auth=None, stall_timeout=3600.0, session=session)
    session.mount(server.url(PATH), requests.adapters.HTTPAdapter())
    consumer = Consumer(client)
    assert consumer.first.wait(WAIT)
    client.stop()
    assert consumer.still_blocked()  # nothing can interrupt this read
    more.set()
    assert consumer.ended()
    assert [m.id for m in consumer.seen] == ["1"]  # read after the stop: not yielded
    assert len(server.requests) == 1
    session.close()


def test_stop_wakes_the_default_backoff_sleep(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    hour = ReconnectPolicy(wait=lambda state: 3600.0)
    server.script(PATH, Reply(status=503))
    client = Client(server.url(PATH), auth=None, policy=hour)
    consumer = Consumer(client)
    assert wait_until(lambda: client.stats.reconnects == {"http": 1})  # it waits the hour
    assert consumer.still_blocked()
    client.stop()
    assert consumer.ended()
    assert consumer.seen == []
    assert len(server.requests) == 1


def test_stop_ends_iteration_at_the_next_message(
    Client: ClientFactory, server: ScriptedStreamServer, tmp_path: Any
) -> None:
    # Three messages arrive in one chunk: a stop after the first yields no other, and the
    # counters and the recording hold what the consumer got, not what was read.
    server.script(PATH, Reply(steps=[Send(line(tweet(1)) + line(tweet(2)) + line(tweet(3)))]))
    client = Client(server.url(PATH), auth=None).record_to(tmp_path / "r.jsonl")
    ids = []
    for message in client:
        ids.append(message.id)
        client.stop()
    assert ids == ["1"]
    assert client.stats.messages == 1
    assert (tmp_path / "r.jsonl").read_bytes() == line(tweet(1))[:-2] + b"\n"


def test_messages_counts_what_was_yielded(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    server.script(PATH, Reply(steps=[Send(b"".join(line(tweet(n)) for n in range(10)))]))
    client = Client(server.url(PATH), auth=None)
    seen = []
    for message in client:
        seen.append(message.id)
        assert client.stats.messages == len(seen)  # up to date at every message
        if client.stats.messages >= 3:
            client.stop()
    assert seen == ["0", "1", "2"]
    with Client(server.url(PATH), auth=None) as other:
        server.script(PATH, Reply(steps=[Send(b"".join(line(tweet(n)) for n in range(10)))]))
        for _ in other:
            break
        assert other.stats.messages == 1


def test_stop_before_iterating_makes_no_request(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    client = Client(server.url(PATH), auth=None)
    client.stop()
    assert list(client) == []
    assert client.stopped
    assert server.requests == []


def test_context_manager_closes(Client: ClientFactory, server: ScriptedStreamServer) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1)))]))
    with Client(server.url(PATH), auth=None) as client:
        assert next(iter(client)).id == "1"
    assert client.stopped
