"""AsyncStreamClient in its own habitat: stop() from another task, coroutine callbacks,
cancellation. (The fault tests run it through conftest's blocking driver.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from conftest import line, tweet

from twitter_stream_client import AsyncStreamClient, Message, ReconnectPolicy
from twitter_stream_client.testing import (
    Hold,
    Pause,
    RecordedRequest,
    Reply,
    ScriptedStreamServer,
    Send,
)

PATH = "/stream"
WAIT = 10.0


@pytest.mark.parametrize("public_path", [False, True])
def test_stop_from_another_task_ends_a_silent_read(
    server: ScriptedStreamServer, public_path: bool
) -> None:
    # public_path: a wrapping transport hides httpcore's connection, so the body comes
    # through httpx's public API instead of the raw reads.
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Hold()]))

    async def main() -> list[str]:
        transport = CountingTransport() if public_path else None
        async with httpx.AsyncClient(transport=transport) as http:
            client = AsyncStreamClient(
                server.url(PATH), auth=None, http_client=http, stall_timeout=3600.0
            )
            seen: list[str] = []
            first = asyncio.Event()

            async def consume() -> None:
                async for message in client:
                    seen.append(message.id)  # type: ignore[union-attr]
                    first.set()

            task = asyncio.ensure_future(consume())
            await asyncio.wait_for(first.wait(), WAIT)
            done, _ = await asyncio.wait({task}, timeout=0.2)
            assert not done  # blocked on the silent connection
            client.stop()
            await asyncio.wait_for(task, 5.0)  # far below the hour of stall timeout
            await client.aclose()
        return seen

    assert asyncio.run(main()) == ["1"]
    assert len(server.requests) == 1


def test_stop_from_another_task_cancels_a_request_awaiting_its_answer(
    server: ScriptedStreamServer,
) -> None:
    received = asyncio.Event()
    answer = __import__("threading").Event()

    def never_answer(request: RecordedRequest) -> Reply:
        loop.call_soon_threadsafe(received.set)
        answer.wait(WAIT * 3)
        return Reply(status=503)

    server.route(PATH, never_answer)

    async def main() -> None:
        client = AsyncStreamClient(server.url(PATH), auth=None, stall_timeout=60.0)
        task = asyncio.ensure_future(client.run(lambda message: None))
        await asyncio.wait_for(received.wait(), WAIT)
        assert not task.done()
        client.stop()
        await asyncio.wait_for(task, 5.0)
        await client.aclose()

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(main())
    finally:
        answer.set()
        loop.close()
    assert len(server.requests) == 1


def test_run_awaits_a_coroutine_callback_and_stop_wakes_a_backoff(
    server: ScriptedStreamServer,
) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1)) + line(tweet(2)))]), Reply(status=503))
    hour = ReconnectPolicy(wait=lambda state: 3600.0)

    async def main() -> list[str]:
        seen: list[str] = []
        async with AsyncStreamClient(server.url(PATH), auth=None, policy=hour) as client:

            async def on_message(message: Message) -> None:
                await asyncio.sleep(0)
                seen.append(message.id)  # type: ignore[union-attr]

            task = asyncio.ensure_future(client.run(on_message))
            for _ in range(int(WAIT / 0.01)):  # bounded: until it sleeps the hour
                if client.stats.reconnects.get("http"):
                    break
                await asyncio.sleep(0.01)
            assert client.stats.reconnects == {"closed": 1, "http": 1}
            assert not task.done()
            client.stop()
            await asyncio.wait_for(task, 5.0)
        return seen

    assert asyncio.run(main()) == ["1", "2"]


def test_cancelling_the_consumer_closes_the_connection(server: ScriptedStreamServer) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Hold()]))

    async def main() -> None:
        client = AsyncStreamClient(server.url(PATH), auth=None, stall_timeout=3600.0)
        got = asyncio.Event()

        async def consume() -> None:
            async for _ in client:
                got.set()

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(got.wait(), WAIT)
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=5.0)
        assert task in done
        assert task.cancelled()
        await client.aclose()

    asyncio.run(main())


def test_the_body_is_read_in_blocks_past_h11(server: ScriptedStreamServer) -> None:
    # The fast path reaches into httpx/httpcore private layout; if a new version moves it,
    # this fails (the client would still work, on the slow per-chunk path).
    from twitter_stream_client._async_client import _body_reader
    from twitter_stream_client._body import BodyFramer
    from twitter_stream_client._flow import Opened

    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Send(line(tweet(2)))]))

    async def main() -> bytes:
        async with httpx.AsyncClient() as http, http.stream("GET", server.url(PATH)) as response:
            opened, read = _body_reader(response, 10.0)
            assert opened == Opened(chunked=True, encoding="identity")
            raw = b""
            while block := await read():
                raw += block
            return raw

    raw = asyncio.run(main())
    assert raw.startswith(b"%x\r\n" % len(line(tweet(1))))  # the chunk framing, undecoded
    body = BodyFramer(chunked=True, encoding="identity", length_framing=False, max_bytes=999)
    assert body.feed(raw) == [line(tweet(1))[:-2], line(tweet(2))[:-2]]
    assert body.finished


class CountingTransport(httpx.AsyncBaseTransport):
    """A user's transport that wraps httpx's own (to count body bytes, as a metrics or
    logging layer would). Its responses hide httpcore's connection, so the client cannot
    reach the bytes h11 holds and must read the body through httpx's public API."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.bytes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        return httpx.Response(
            response.status_code, headers=response.headers,
            stream=CountingStream(response.stream, self), extensions=response.extensions,
        )  # fmt: skip

    async def aclose(self) -> None:
        await self.inner.aclose()


class CountingStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any, owner: CountingTransport) -> None:
        self.inner = inner
        self.owner = owner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.owner.bytes += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_wrapping_transport_takes_the_public_path(server: ScriptedStreamServer) -> None:
    # The fast path needs httpcore's private layout; here it is out of reach, and the
    # same stream (split chunks, keep-alives, a stall after a line) must still work.
    from twitter_stream_client._async_client import _raw_body

    message = line(tweet(1, "caf\u00e9"))
    server.script(
        PATH,
        Reply(steps=[Send(message[:5]), Send(message[5:-1]), Send(b"\n\r"), Send(b"\n"), Hold()]),
        Reply(steps=[Send(line(tweet(2)))]),
    )

    async def main() -> tuple[list[str], AsyncStreamClient, CountingTransport]:
        transport = CountingTransport()
        async with httpx.AsyncClient(transport=transport) as http:
            async with http.stream("GET", server.url("/probe")) as response:
                assert _raw_body(response) is None  # the fallback is what runs below
            client = AsyncStreamClient(
                server.url(PATH), auth=None, http_client=http, stall_timeout=0.5
            )
            seen = []
            async for message in client:
                seen.append(message.id)  # type: ignore[union-attr]
                if len(seen) == 2:
                    break
            await client.aclose()
        return seen, client, transport

    server.script("/probe", Reply(steps=[Send(b"\r\n")]))
    seen, client, transport = asyncio.run(main())
    assert seen == ["1", "2"]
    assert client.stats.reconnects == {"stall": 1}
    assert client.stats.keep_alives == 1
    assert transport.bytes == len(message) + 2 + len(line(tweet(2)))


@pytest.mark.parametrize("public_path", [False, True])
def test_a_given_http_client_keeps_the_stall_timeout_as_its_read_timeout(
    server: ScriptedStreamServer, public_path: bool
) -> None:
    # httpx's default read timeout is 5 s, and users pass clients built for other work:
    # the stream's reads (the answer's headers too) must wait stall_timeout, not that.
    def slow_headers(request: RecordedRequest) -> Reply:
        time.sleep(0.5)
        keep_alives = [step for _ in range(3) for step in (Pause(0.4), Send(b"\r\n"))]
        return Reply(steps=[Send(line(tweet(1))), *keep_alives, Send(line(tweet(2)))])

    server.route(PATH, slow_headers)
    sleeps: list[float] = []

    async def main() -> AsyncStreamClient:
        transport = CountingTransport() if public_path else None
        async with httpx.AsyncClient(timeout=0.2, transport=transport) as http:
            client = AsyncStreamClient(
                server.url(PATH), auth=None, http_client=http, stall_timeout=5.0,
                sleep=sleeps.append,
            )  # fmt: skip
            seen = 0
            async for _ in client:
                seen += 1
                if seen == 2:
                    break
            await client.aclose()
        return client

    client = asyncio.run(asyncio.wait_for(main(), WAIT))
    assert client.stats.reconnects == {}
    assert sleeps == []
    assert client.stats.keep_alives == 3
    assert len(server.requests) == 1
