"""`AsyncStreamClient`: the asyncio client on httpx, a thin driver of the shared decisions.

The same constructors, messages, backoff, stall watchdog, size cap, recording and stats
as `StreamClient`: the `AttemptTracker` decides every reconnect, a `ConnectionReader`
turns each connection's chunks into messages. Only the waiting differs.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
import threading
import time
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from typing import IO, Any

import httpcore
import httpx

from twitter_stream_client._attempts import AttemptTracker, Failed, Outcome, Refused
from twitter_stream_client._base import USER_AGENT, ClientBase
from twitter_stream_client._chunked import ChunkedBody
from twitter_stream_client._client import CONNECT_TIMEOUT, ERROR_BODY_BYTES
from twitter_stream_client._framing import FramingError
from twitter_stream_client._httpx_auth import httpx_auth
from twitter_stream_client._messages import Message
from twitter_stream_client._policy import ReconnectPolicy
from twitter_stream_client._transport import shutdown
from twitter_stream_client._watchdog import LoopWatchdog

__all__ = ["AsyncStreamClient"]

reconnect_logger = logging.getLogger("twitter_stream_client.reconnect")

_NETWORK_ERRORS = (
    httpx.TransportError,
    httpx.DecodingError,
    httpcore.NetworkError,  # raised by the raw reads of _raw_body
    httpcore.TimeoutException,
    OSError,
    zlib.error,
    FramingError,
)
_READ_TIMEOUTS = (httpx.ReadTimeout, httpcore.ReadTimeout, TimeoutError)
_READ_SIZE = 65536


class _Ended:
    """How a connection ended, filled in by the async generators that read it."""

    outcome: Outcome | None = None


class AsyncStreamClient(ClientBase):
    """Consume one streaming endpoint with asyncio, reconnecting by Twitter's rules.

    ``async for message in client`` yields the same typed messages as `StreamClient`,
    with the same constructors (``v1_filter``, ``v1_sample``, ``v2_filtered``,
    ``v2_sample``, ``v2_compliance``), backoff, stall watchdog, size cap, ``record_to``
    and ``stats``. Needs the ``async`` extra (httpx); OAuth 1.0a is signed by oauthlib.

    Parameters
    ----------
    url, auth, method, params, data, policy, stall_timeout, max_message_bytes, recover
        As for `StreamClient`; ``auth`` may also be an ``httpx.Auth``.
    http_client : httpx.AsyncClient, optional
        For proxies or TLS settings; closed by `aclose` only if created here.
    sleep : callable, optional
        ``sleep(seconds)`` between attempts, a coroutine function or a plain one; the
        default waits on an event that `stop` sets.
    clock : callable, default=time.monotonic

    Examples
    --------
    >>> client = AsyncStreamClient.v2_filtered(bearer_token="AAAA")
    >>> client
    AsyncStreamClient('GET https://api.twitter.com/2/tweets/search/stream', auth=BearerToken(***))
    """

    def __init__(
        self,
        url: str,
        *,
        auth: Any,
        method: str = "GET",
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        policy: ReconnectPolicy | None = None,
        stall_timeout: float = 90.0,
        max_message_bytes: int = 1_048_576,
        recover: bool = False,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[object] | object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            url,
            auth=auth,
            method=method,
            params=params,
            data=data,
            policy=policy,
            stall_timeout=stall_timeout,
            max_message_bytes=max_message_bytes,
            recover=recover,
            clock=clock,
        )
        self._httpx_auth = httpx_auth(auth)
        self._http = http_client
        self._own_http = http_client is None
        self._sleep = sleep
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._send: asyncio.Task[httpx.Response] | None = None

    # -- control ------------------------------------------------------------------------

    def stop(self) -> None:
        """End iteration at once, from any task or any thread.

        Shuts the live socket down, cancels a request still waiting for its answer and
        wakes a backoff sleep. Messages of the chunk already read are still yielded.
        """
        self._stop_event.set()
        with self._lock:
            sock, loop = self._socket, self._loop
        if sock is not None:
            shutdown(sock)
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed: nothing waits on it
                loop.call_soon_threadsafe(self._wake_up)

    def _wake_up(self) -> None:
        if self._wake is not None:
            self._wake.set()
        if self._send is not None:
            self._send.cancel()

    async def aclose(self) -> None:
        """Stop, and close the httpx client if this client created it."""
        self.stop()
        if self._own_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> AsyncStreamClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def run(self, on_message: Callable[[Message], Awaitable[object] | object]) -> None:
        """Callback form: ``on_message(message)`` (awaited if a coroutine) until stopped."""
        async for message in self:
            result = on_message(message)
            if inspect.isawaitable(result):
                await result

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._messages()

    # -- the loop -----------------------------------------------------------------------

    async def _pause(self, seconds: float) -> None:
        if self._sleep is not None:
            result = self._sleep(seconds)
            if inspect.isawaitable(result):
                await result
            return
        assert self._wake is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _messages(self) -> AsyncIterator[Message]:
        with self._lock:
            self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(CONNECT_TIMEOUT, read=self.stall_timeout)
            )
        record = self._open_record()
        try:
            tracker = self._tracker()
            stopped = self._stop_event.is_set
            while not stopped():
                ended = _Ended()
                # Closed explicitly, so a consumer that stops early closes the connection now.
                async with contextlib.aclosing(self._attempt(tracker, record, ended)) as batches:
                    async for batch in batches:
                        for message in batch:
                            yield message
                if ended.outcome is None or stopped():
                    return
                decision = tracker.decide(ended.outcome)
                self.stats.reconnects[decision.label] += 1
                level = logging.WARNING if decision.state is not None else logging.INFO
                reconnect_logger.log(level, decision.describe())
                if decision.delay:
                    await self._pause(decision.delay)
        finally:
            if record is not None:
                record.close()
            with self._lock:
                self._loop = None

    async def _attempt(
        self, tracker: AttemptTracker, record: IO[bytes] | None, ended: _Ended
    ) -> AsyncGenerator[list[Message], None]:
        """One connection: batches of messages; how it ended goes to ``ended``."""
        response = await self._open()
        if response is None:
            return
        if isinstance(response, Failed):
            ended.outcome = response
            return
        try:
            if response.status_code != 200:
                ended.outcome = Refused(response.status_code, await _error_body(response))
                return
            tracker.connected()
            self.stats.connections += 1
            async with contextlib.aclosing(self._consume(response, record, ended)) as batches:
                async for batch in batches:
                    yield batch
        finally:
            self._set_socket(None)
            await _close(response)

    async def _consume(
        self, response: httpx.Response, record: IO[bytes] | None, ended: _Ended
    ) -> AsyncGenerator[list[Message], None]:
        """The messages of a 200 stream, a chunk's worth at a time (less overhead per message)."""
        assert self._loop is not None
        reader = self._reader(record)
        with self._lock:
            sock = self._socket
        watchdog = LoopWatchdog(sock, self.stall_timeout, self._clock, self._loop)
        chunks = _body(response, self.stall_timeout)
        try:
            while True:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    ended.outcome = reader.ended("stall" if watchdog.fired else "closed")
                    return
                except _NETWORK_ERRORS as exc:
                    stalled = watchdog.fired or isinstance(exc, _READ_TIMEOUTS)
                    ended.outcome = (
                        reader.ended("stall") if stalled else reader.ended("network", exc)
                    )
                    return
                messages = reader.feed(chunk)
                watchdog.last_line = reader.last_line
                if messages is None:
                    if reader.stalled():
                        ended.outcome = reader.ended("stall")
                        return
                    continue
                watchdog.paused = True
                yield messages  # resumed once the consumer has handled them all
                if reader.ending is not None:
                    ended.outcome = reader.ending
                    return
                reader.line_done()
                watchdog.last_line = reader.last_line
                watchdog.paused = False
                if self._stop_event.is_set():
                    return
        finally:
            watchdog.cancel()
            with contextlib.suppress(*_NETWORK_ERRORS):
                await chunks.aclose()

    async def _open(self) -> httpx.Response | Failed | None:
        """Send the request; None if stopped before an answer came."""
        assert self._http is not None
        assert self._loop is not None
        request = self._http.build_request(
            self.method,
            self.url,
            params=self._query(),
            data=self.data or None,
            headers={"User-Agent": USER_AGENT},
        )
        if self._stop_event.is_set():
            return None
        send = self._loop.create_task(self._http.send(request, auth=self._httpx_auth, stream=True))
        self._send = send
        try:
            await asyncio.wait({send})
        except asyncio.CancelledError:
            send.cancel()
            raise
        finally:
            self._send = None
        if send.cancelled():
            return None
        error = send.exception()
        if error is not None:
            if isinstance(error, _NETWORK_ERRORS):
                return Failed(error)
            raise error
        response = send.result()
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        # asyncio hands out a TransportSocket: a wrapper that still shuts down.
        self._set_socket(sock if hasattr(sock, "shutdown") else None)
        if self._stop_event.is_set():
            await _close(response)
            return None
        return response

    def _set_socket(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._socket = sock
            stopped = self._stop_event.is_set()
        if stopped and sock is not None:
            shutdown(sock)


def _raw_body(response: httpx.Response) -> tuple[Any, bytes] | None:
    """The connection's network stream and the body bytes h11 already holds, or None.

    httpx parses every HTTP chunk through h11, one event each; Twitter sends a chunk per
    message, so that cost per message made this client 2-4 times slower than the requests
    one. Reading the socket in large blocks needs the bytes h11 received with the headers
    (``trailing_data``, public in h11) from the connection object, which httpx and
    httpcore keep private: if their layout differs, None and the slow path.
    """
    if response.http_version != "HTTP/1.1":
        return None
    try:
        stream: Any = response.stream
        connection = stream._stream._httpcore_stream._stream._connection
        leftover, _closed = connection._h11_state.trailing_data
        network = response.extensions["network_stream"]
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    if not isinstance(leftover, bytes) or not callable(getattr(network, "read", None)):
        return None
    return network, leftover


async def _body(response: httpx.Response, read_timeout: float) -> AsyncGenerator[bytes, None]:
    """The decoded body, in blocks as they arrive (a block may be empty)."""
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    chunked = response.headers.get("Transfer-Encoding", "").strip().lower() == "chunked"
    raw = _raw_body(response) if chunked and ChunkedBody.supports(encoding) else None
    if raw is None:
        async for data in response.aiter_bytes():
            yield data
        return
    network, data = raw
    body = ChunkedBody(encoding)
    while True:
        if data:
            payload, error = body.feed(data)
            yield payload
            if error is not None:
                raise error
        if body.finished:
            return
        data = await network.read(_READ_SIZE, timeout=read_timeout)
        if not data:
            raise httpx.RemoteProtocolError("the server closed the stream inside a chunk")


async def _error_body(response: httpx.Response) -> str:
    data = b""
    try:
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) >= ERROR_BODY_BYTES:
                break
    except _NETWORK_ERRORS:
        pass
    return data[:ERROR_BODY_BYTES].decode("utf-8", "replace")


async def _close(response: httpx.Response) -> None:
    with contextlib.suppress(*_NETWORK_ERRORS):
        await response.aclose()
