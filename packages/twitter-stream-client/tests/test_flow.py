"""The I/O-free core both clients drive (`_flow`), driven here by hand: no server, no
socket, no thread. Each test plays a driver: it answers every step the core asks for and
checks what the core asks next."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import line, tweet

from twitter_stream_client import StreamClient, Tweet
from twitter_stream_client._attempts import Failed, Refused
from twitter_stream_client._flow import Deliver, Flow, Opened


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@pytest.fixture
def client() -> Iterator[StreamClient]:
    made = StreamClient("http://127.0.0.1:9/stream", auth=None, stall_timeout=30.0)
    yield made
    made.close()


def ask(flow: Flow, reply: object = None) -> object:
    """Send ``reply`` to the step before; the next step, or "over"."""
    flow.reply = reply
    return next(flow, "over")


def op(step: object) -> str:
    return str(getattr(step, "op", step))


def test_a_healthy_connection_then_a_refusal_then_a_stop(client: StreamClient) -> None:
    flow = Flow(client)
    assert op(next(flow)) == "connect"
    assert op(ask(flow, Opened(chunked=True))) == "watch"
    assert op(ask(flow)) == "read"
    # Two messages and a keep-alive in one block: one delivery, in order.
    delivery = ask(flow, chunk(line(tweet(1))) + chunk(b"\r\n") + chunk(line(tweet(2))))
    assert type(delivery) is Deliver
    messages = list(delivery.messages)
    assert [m.id for m in messages if isinstance(m, Tweet)] == ["1", "2"]
    assert client.stats.keep_alives == 1
    assert op(ask(flow)) == "read"
    # The last chunk after lines came: close, then reconnect at once (no wait).
    assert op(ask(flow, b"0\r\n\r\n")) == "close"
    assert op(ask(flow)) == "connect"
    assert client.stats.reconnects == {"closed": 1}
    # A 503: HTTP backoff starts at 5 s.
    wait = ask(flow, Refused(503))
    assert op(wait) == "wait"
    assert wait.seconds == 5.0  # type: ignore[union-attr]
    assert op(ask(flow)) == "connect"
    client.stop()  # then the answer never came: the flow ends
    assert ask(flow, None) == "over"


def test_a_read_timeout_is_a_stall_and_a_network_error_backs_off(client: StreamClient) -> None:
    flow = Flow(client)
    next(flow)
    ask(flow, Opened(chunked=True))
    ask(flow)  # watch -> read
    assert op(ask(flow, TimeoutError("read timed out"))) == "close"
    wait = ask(flow)
    # No line came on that connection: a network failure, backing off from 0.25 s.
    assert client.stats.reconnects == {"network": 1}
    assert (op(wait), wait.seconds) == ("wait", 0.25)  # type: ignore[union-attr]
    assert op(ask(flow)) == "connect"
    wait = ask(flow, Failed(ConnectionRefusedError("refused")))
    assert (op(wait), wait.seconds) == ("wait", 0.5)  # type: ignore[union-attr]
    flow.close()


def test_a_message_cut_across_reads_is_delivered_once_whole(client: StreamClient) -> None:
    flow = Flow(client)
    next(flow)
    ask(flow, Opened(chunked=True))
    ask(flow)
    body = chunk(line(tweet(7, "caf\u00e9")))
    assert op(ask(flow, body[:9])) == "read"  # nothing complete yet: read on
    delivery = ask(flow, body[9:])
    assert type(delivery) is Deliver
    assert [m.text for m in delivery.messages] == ["caf\u00e9"]  # type: ignore[union-attr]
    flow.close()
