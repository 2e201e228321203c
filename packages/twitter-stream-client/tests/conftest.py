"""Shared fixtures: the scripted loopback server, a recording sleep, a guarded consumer,
and ``Client``: each fault test runs against `StreamClient` and `AsyncStreamClient`."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from twitter_stream_client import AsyncStreamClient, StreamClient
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


class AsyncDriver:
    """A blocking view of an `AsyncStreamClient`: each step runs its own event loop until
    the next message, so the sync tests drive the async client unchanged. `stop()` comes
    from another thread or from the consuming one, as with the sync client."""

    def __init__(self, client: AsyncStreamClient) -> None:
        self.client = client
        self.loop = asyncio.new_event_loop()
        self._agen: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def __iter__(self) -> Iterator[Any]:
        agen = self._agen = self.client.__aiter__()
        try:
            while True:
                try:
                    message = self.loop.run_until_complete(agen.__anext__())
                except StopAsyncIteration:
                    return
                yield message
        finally:
            self.loop.run_until_complete(agen.aclose())
            self._agen = None

    def record_to(self, path: Any) -> AsyncDriver:
        self.client.record_to(path)
        return self

    def run(self, on_message: Callable[[Any], object]) -> None:
        for message in self:
            on_message(message)

    def stop(self) -> None:
        self.client.stop()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.client.stop()
        if self._agen is not None:
            self.loop.run_until_complete(self._agen.aclose())
        self.loop.run_until_complete(self.client.aclose())
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def __enter__(self) -> AsyncDriver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class ClientFactory:
    """Builds clients of one kind like the class would (``Client(url, ...)``,
    ``Client.v2_filtered(...)``) and closes them all when the test ends."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.created: list[Any] = []

    def _wrap(self, client: Any) -> Any:
        wrapped = client if self.kind == "sync" else AsyncDriver(client)
        self.created.append(wrapped)
        return wrapped

    @property
    def cls(self) -> Any:
        return StreamClient if self.kind == "sync" else AsyncStreamClient

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._wrap(self.cls(*args, **kwargs))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        constructor = getattr(self.cls, name)
        return lambda *args, **kwargs: self._wrap(constructor(*args, **kwargs))

    def close(self) -> None:
        for client in self.created:
            client.close()


@pytest.fixture(params=["sync", "async"])
def Client(request: pytest.FixtureRequest) -> Iterator[ClientFactory]:
    factory = ClientFactory(request.param)
    try:
        yield factory
    finally:
        factory.close()


def take(client: Any, count: int, guard: float = GUARD_SECONDS) -> list[Any]:
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
