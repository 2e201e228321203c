"""AsyncStreamClient in its own habitat: stop() from another task, coroutine callbacks,
cancellation. (The fault tests run it through conftest's blocking driver.)"""

from __future__ import annotations

import asyncio

from conftest import line, tweet

from twitter_stream_client import AsyncStreamClient, Message, ReconnectPolicy
from twitter_stream_client.testing import Hold, RecordedRequest, Reply, ScriptedStreamServer, Send

PATH = "/stream"
WAIT = 10.0


def test_stop_from_another_task_ends_a_silent_read(server: ScriptedStreamServer) -> None:
    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Hold()]))

    async def main() -> list[str]:
        client = AsyncStreamClient(server.url(PATH), auth=None, stall_timeout=3600.0)
        seen: list[str] = []
        first = asyncio.Event()

        async def consume() -> None:
            async for message in client:
                seen.append(message.id)  # type: ignore[union-attr]
                first.set()

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(first.wait(), WAIT)
        await asyncio.sleep(0.1)
        assert not task.done()  # blocked on the silent connection
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
    import httpx

    from twitter_stream_client._async_client import _body, _raw_body

    server.script(PATH, Reply(steps=[Send(line(tweet(1))), Send(line(tweet(2)))]))

    async def main() -> bytes:
        async with httpx.AsyncClient() as http, http.stream("GET", server.url(PATH)) as response:
            assert _raw_body(response) is not None
            return b"".join([block async for block in _body(response, 10.0)])

    assert asyncio.run(main()) == line(tweet(1)) + line(tweet(2))
