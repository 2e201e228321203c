"""Twitter's reconnect rules, driven by the loopback fault server and a recording sleep."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from conftest import ClientFactory, RecordingSleep, free_port, line, take, tweet

from twitter_stream_client import (
    AuthenticationError,
    Disconnect,
    FatalResponseError,
    ReconnectPolicy,
    RetriesExhausted,
    StreamClient,
    StreamDisconnected,
    StreamError,
    stop_after_attempt,
)
from twitter_stream_client.testing import (
    Cut,
    Drip,
    Hold,
    Pause,
    Raw,
    Reply,
    ScriptedStreamServer,
    Send,
    Step,
)

PATH = "/stream"


def client_for(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep, **options: object
) -> Any:
    return Client(server.url(PATH), auth=None, sleep=sleep, **options)  # type: ignore[arg-type]


def ok(*numbers: int) -> Reply:
    return Reply(steps=[Send(b"".join(line(tweet(n)) for n in numbers))])


def test_503_three_times_then_200_sleeps_5_10_20(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, *[Reply(status=503, body=b"over capacity")] * 3, ok(1))
    client = client_for(Client, server, sleep)
    assert [m.id for m in take(client, 1)] == ["1"]
    assert sleep.calls == [5.0, 10.0, 20.0]
    assert client.stats.reconnects == {"http": 3}


def test_420_then_200_sleeps_60(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, Reply(status=420, body=b"Enhance Your Calm"), ok(1))
    take(client_for(Client, server, sleep), 1)
    assert sleep.calls == [60.0]


def test_repeated_420_doubles(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, *[Reply(status=420)] * 3, ok(1))
    take(client_for(Client, server, sleep), 1)
    assert sleep.calls == [60.0, 120.0, 240.0]


def test_429_on_v2_sleeps_60_then_120(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    too_many = b'{"title":"ConnectionException","connection_issue":"TooManyConnections"}'
    server.script(PATH, Reply(status=429, body=too_many), Reply(status=429, body=too_many))
    server.script(PATH, Reply(steps=[Send(line({"data": {"id": "1", "text": "t"}}))]))
    client = Client.v2_filtered(bearer_token="b", url=server.url(PATH), sleep=sleep)
    take(client, 1)
    assert sleep.calls == [60.0, 120.0]
    assert client.stats.reconnects == {"rate_limit": 2}


def test_connection_refused_backs_off_linearly_and_counts_toward_stop(
    Client: ClientFactory,
    sleep: RecordingSleep,
) -> None:
    client = Client(
        f"http://127.0.0.1:{free_port()}/stream", auth=None, sleep=sleep,
        policy=ReconnectPolicy(stop=stop_after_attempt(5)),
    )  # fmt: skip
    with pytest.raises(
        RetriesExhausted, match="gave up after 5 failed connection attempts"
    ) as info:
        take(client, 1)
    assert sleep.calls == [0.25, 0.5, 0.75, 1.0]
    assert info.value.state.cause.value == "network"
    assert info.value.state.cause_attempt == 5


def test_401_is_retried_once_then_fatal(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    body = b'{"errors":[{"message":"Timestamp out of bounds"}]}'
    server.script(PATH, Reply(status=401, body=body), Reply(status=401, body=body))
    with pytest.raises(AuthenticationError, match=r"HTTP 401.*Timestamp out of bounds") as info:
        take(client_for(Client, server, sleep), 1)
    assert info.value.status_code == 401
    assert sleep.calls == [5.0]
    assert len(server.requests) == 2


def test_a_second_401_before_any_200_is_fatal(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, Reply(status=401), Reply(status=503), Reply(status=401))
    with pytest.raises(AuthenticationError):
        take(client_for(Client, server, sleep), 1)
    assert sleep.calls == [5.0, 10.0]


def test_one_401_then_200_streams(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, Reply(status=401), ok(1))
    assert [m.id for m in take(client_for(Client, server, sleep), 1)] == ["1"]
    assert sleep.calls == [5.0]


@pytest.mark.parametrize("status", [400, 403, 404, 406, 413, 416])
def test_fatal_statuses_raise_without_retrying(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep, status: int
) -> None:
    server.script(PATH, Reply(status=status, body=b"Please use V2 filtered stream"))
    with pytest.raises(FatalResponseError, match=f"HTTP {status}") as info:
        take(client_for(Client, server, sleep), 1)
    assert info.value.status_code == status
    assert "Please use V2" in info.value.body
    assert sleep.calls == []
    assert len(server.requests) == 1


def test_total_stall_reconnects_at_once_after_a_healthy_connection(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Hold()]), ok(2))
    client = client_for(Client, server, sleep, stall_timeout=0.3)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert sleep.calls == []
    assert client.stats.reconnects == {"stall": 1}


def test_stall_before_any_line_is_a_network_failure(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, Reply(steps=[Hold()]), ok(1))
    client = client_for(Client, server, sleep, stall_timeout=0.3)
    take(client, 1)
    assert sleep.calls == [0.25]
    assert client.stats.reconnects == {"network": 1}


def test_drip_of_one_byte_every_0_4_s_trips_the_stall_watchdog(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    # Every read returns a byte well within the socket timeout, but no line completes.
    server.script(
        PATH, Reply(steps=[Send(line(tweet(1))), Drip(line(tweet(99, "d" * 40)), 0.4)]), ok(2)
    )
    client = client_for(Client, server, sleep, stall_timeout=1.0)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.reconnects == {"stall": 1}
    assert sleep.calls == []


def test_drip_without_a_known_socket_is_caught_by_the_read_loop(
    server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    # requests only: an adapter mounted over the client's never reports the socket, so
    # the watchdog thread cannot act; the read loop's own check at each chunk must.
    server.script(
        PATH, Reply(steps=[Send(line(tweet(1))), Drip(line(tweet(99, "d" * 40)), 0.4)]), ok(2)
    )
    session = requests.Session()
    client = StreamClient(
        server.url(PATH), auth=None, sleep=sleep, stall_timeout=1.0, session=session
    )
    session.mount(server.url(PATH), requests.adapters.HTTPAdapter())
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.reconnects == {"stall": 1}
    assert sleep.calls == []
    session.close()


def test_drip_inside_one_http_chunk_trips_the_stall_watchdog(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    # One chunk header announces the whole message, then its bytes trickle in. urllib3
    # reads a chunk whole, so no read returns before the message is complete.
    slow = line(tweet(99, "d" * 40))
    steps: list[Step] = [Send(line(tweet(1))), Raw(b"%x\r\n" % len(slow))]
    steps += [step for i in range(len(slow)) for step in (Raw(slow[i : i + 1]), Pause(0.4))]
    server.script(PATH, Reply(steps=steps), ok(2))
    client = client_for(Client, server, sleep, stall_timeout=1.0)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.reconnects == {"stall": 1}
    assert sleep.calls == []


def test_mid_chunk_disconnect_reconnects_at_once(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Cut(line(tweet(98))[:20])]), ok(2))
    client = client_for(Client, server, sleep)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.reconnects == {"network": 1}
    assert sleep.calls == []


def test_clean_end_of_body_reconnects_at_once(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, ok(1), ok(2))
    client = client_for(Client, server, sleep)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.reconnects == {"closed": 1}


def test_healthy_connection_resets_every_backoff(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(
        PATH,
        Reply(status=503), Reply(status=503), ok(1),  # 5, 10, then healthy
        Reply(status=503), Reply(status=420), ok(2),  # starts over: 5, and 60
    )  # fmt: skip
    take(client_for(Client, server, sleep), 2)
    assert sleep.calls == [5.0, 10.0, 5.0, 60.0]


def test_immediate_reconnect_that_fails_then_backs_off(
    Client: ClientFactory, sleep: RecordingSleep
) -> None:
    with ScriptedStreamServer() as first:
        first.script(PATH, ok(1))
        client = Client(
            first.url(PATH), auth=None, sleep=sleep,
            policy=ReconnectPolicy(stop=stop_after_attempt(3)),
        )  # fmt: skip
        messages = iter(client)
        assert next(messages).id == "1"  # type: ignore[union-attr]
    # The server is gone: the at-once reconnect is refused, then linear backoff.
    with pytest.raises(RetriesExhausted):
        next(messages)
    assert sleep.calls == [0.25, 0.5]
    assert client.stats.reconnects == {"closed": 1, "network": 2}


@pytest.mark.parametrize("code", [1, 3, 4, 10, 11, 12, 99])
def test_disconnect_codes_that_reconnect(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep, code: int
) -> None:
    disconnect = {"disconnect": {"code": code, "stream_name": "s", "reason": "r"}}
    server.script(PATH, Reply(steps=[Send(line(disconnect) + line(tweet(97))), Hold()]), ok(2))
    client = client_for(Client, server, sleep)
    first, second = take(client, 2)
    assert isinstance(first, Disconnect)
    assert first.code == code
    assert second.id == "2"  # type: ignore[union-attr]
    assert client.stats.reconnects == {"disconnect": 1}
    assert sleep.calls == []


@pytest.mark.parametrize("code", [2, 5, 6, 7, 9])
def test_disconnect_codes_that_stop(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep, code: int
) -> None:
    disconnect = {"disconnect": {"code": code, "stream_name": "s", "reason": "dup"}}
    server.script(PATH, Reply(steps=[Send(line(disconnect))]))
    client = client_for(Client, server, sleep)
    messages = iter(client)
    assert isinstance(next(messages), Disconnect)
    with pytest.raises(StreamDisconnected, match=f"disconnect code {code}") as info:
        next(messages)
    assert info.value.raw == disconnect
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "disconnect_type",
    [
        "OperationalDisconnect",
        "UpstreamOperationalDisconnect",
        "ForceDisconnect",
        "UpstreamUncleanDisconnect",
        "SlowReader",
        "InternalError",
        "ClientApplicationStateDegraded",
        "PackageUpgraded",
        "PackageDowngraded",
        "SomeTypeAddedLater",
    ],
)
def test_v2_operational_disconnect_reconnects(
    Client: ClientFactory,
    server: ScriptedStreamServer,
    sleep: RecordingSleep,
    disconnect_type: str,
) -> None:
    error = {"errors": [{"title": "operational-disconnect", "disconnect_type": disconnect_type}]}
    server.script(PATH, Reply(steps=[Send(line(error)), Hold()]))
    server.script(PATH, Reply(steps=[Send(line({"data": {"id": "2", "text": "back"}}))]))
    client = client_for(Client, server, sleep)
    first, second = take(client, 2)
    assert isinstance(first, StreamError)
    assert first.disconnect_type == disconnect_type
    assert second.id == "2"  # type: ignore[union-attr]
    assert sleep.calls == []


def test_v2_disconnect_after_another_error_in_the_same_line_reconnects(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    partial = {"title": "Not Found Error", "detail": "user gone"}
    disconnect = {"title": "operational-disconnect", "disconnect_type": "OperationalDisconnect"}
    server.script(PATH, Reply(steps=[Send(line({"errors": [partial, disconnect]})), Hold()]))
    server.script(PATH, Reply(steps=[Send(line({"data": {"id": "2", "text": "back"}}))]))
    client = client_for(Client, server, sleep)
    first, second = take(client, 2)
    assert first.disconnect_type == "OperationalDisconnect"
    assert second.id == "2"
    assert client.stats.reconnects == {"disconnect": 1}


def test_v2_partial_error_does_not_end_the_stream(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    partial = {"errors": [{"title": "Not Found Error", "detail": "user gone"}]}
    payload = {"data": {"id": "3", "text": "t"}}
    server.script(PATH, Reply(steps=[Send(line(partial) + line(payload))]))
    client = client_for(Client, server, sleep)
    assert [type(m).__name__ for m in take(client, 2)] == ["StreamError", "Tweet"]
    assert len(server.requests) == 1


def test_v2_invalid_rules_stops(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    error = {"errors": [{"disconnect_type": "InvalidRules", "detail": "bad rule"}]}
    server.script(PATH, Reply(steps=[Send(line(error))]))
    messages = iter(client_for(Client, server, sleep))
    next(messages)
    with pytest.raises(StreamDisconnected, match="InvalidRules: bad rule"):
        next(messages)


def test_v2_too_many_connections_line_backs_off_as_rate_limit(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    error = {
        "errors": [{"title": "ConnectionException", "connection_issue": "TooManyConnections"}]
    }
    server.script(PATH, Reply(steps=[Send(line(error))]), ok(1))
    client = client_for(Client, server, sleep)
    assert [type(m).__name__ for m in take(client, 2)] == ["StreamError", "Tweet"]
    assert sleep.calls == [60.0]


def test_broken_chunk_framing_is_a_network_error(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, Reply(steps=[Raw(b"zz\r\nnot a chunk\r\n")]), ok(1))
    client = client_for(Client, server, sleep)
    assert [m.id for m in take(client, 1)] == ["1"]
    assert sleep.calls == [0.25]
    assert client.stats.reconnects == {"network": 1}


def test_gzip_stream_cut_mid_chunk_reconnects(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    server.script(PATH, Reply(gzip=True, steps=[Send(line(tweet(1))), Cut(b"\x1f\x8b")]), ok(2))
    client = client_for(Client, server, sleep)
    assert [m.id for m in take(client, 2)] == ["1", "2"]
    assert client.stats.reconnects == {"network": 1}
