"""`AsyncStreamClient`: the asyncio client on httpx, a driver of the shared core (`_flow`).

The same constructors, messages, backoff, stall watchdog, size cap, recording and stats
as `StreamClient`, because the same core decides all of them. Its loop yields the messages
the core delivers; `_HttpxIO` does the rest of the I/O with httpx and asyncio (a
`LoopWatchdog` for stalls, a cancellable request and an event for `stop`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpcore
import httpx

from twitter_stream_client._attempts import Failed, Refused
from twitter_stream_client._base import USER_AGENT, ClientBase
from twitter_stream_client._body import DECODED_ENCODINGS
from twitter_stream_client._client import CONNECT_TIMEOUT, ERROR_BODY_BYTES
from twitter_stream_client._flow import Connect, Deliver, Flow, Opened, Wait, Watch
from twitter_stream_client._framing import FramingError
from twitter_stream_client._httpx_auth import httpx_auth
from twitter_stream_client._messages import Message
from twitter_stream_client._policy import ReconnectPolicy
from twitter_stream_client._watchdog import LoopWatchdog

__all__ = ["AsyncStreamClient"]

_NETWORK_ERRORS = (
    httpx.TransportError,
    httpx.DecodingError,
    httpcore.NetworkError,  # raised by the raw reads of _raw_body
    httpcore.TimeoutException,
    OSError,
    zlib.error,
    FramingError,
)
# Larger than the sync client's blocks: each read is a trip through the event loop and a
# timeout scope; 256 KiB is the most asyncio's transport takes off the socket at once, so
# one read takes whatever it got (64 KiB took four reads for it: 10-15% more CPU).
_READ_SIZE = 262144
_Read = Callable[[], Awaitable[bytes]]


async def _no_body() -> bytes:
    return b""


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
        For proxies or TLS settings; closed by `aclose` only if created here. Its read
        timeout does not apply to the stream, whose reads wait ``stall_timeout``.
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

    _read_timeouts = (httpx.ReadTimeout, httpcore.ReadTimeout, TimeoutError)

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
        self._own_http = http_client is None
        # Made here, not at the first connection: building its TLS context takes tens of
        # milliseconds, as the requests client's does at import.
        self._http: httpx.AsyncClient | None = http_client or httpx.AsyncClient(
            timeout=httpx.Timeout(CONNECT_TIMEOUT, read=self.stall_timeout)
        )
        self._sleep = sleep
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._send: asyncio.Task[httpx.Response] | None = None

    # -- control ------------------------------------------------------------------------

    def stop(self) -> None:
        """End iteration at once, from any task or any thread: no message is yielded after it.

        Shuts the live socket down, cancels a request still waiting for its answer and
        wakes a backoff sleep.
        """
        self._halt()
        with self._lock:
            loop = self._loop
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

    # -- the driver --------------------------------------------------------------------

    async def _messages(self) -> AsyncIterator[Message]:
        with self._lock:
            self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        flow, io = Flow(self), _HttpxIO(self, self._loop)
        try:
            for step in flow:
                if type(step) is Deliver:
                    for message in step.messages:
                        yield message
                else:
                    flow.reply = await getattr(io, step.op)(step)
        finally:
            flow.close()
            await io.close()
            with self._lock:
                self._loop = None


class _HttpxIO:
    """The I/O of one iteration of an `AsyncStreamClient`: each step of the core, done
    with httpx (see `_flow` for what each method is asked and returns)."""

    def __init__(self, client: AsyncStreamClient, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop
        self.response: httpx.Response | None = None
        self.watchdog: LoopWatchdog | None = None
        self.next_block: _Read = _no_body

    async def connect(self, step: Connect) -> Opened | Failed | Refused | None:
        """Send the request; None for an answer if stopped before it came."""
        client = self.client
        http = client._http
        assert http is not None
        # The stream's reads wait stall_timeout, whatever read timeout a given client has
        # (httpx's default is 5 s); its other timeouts stay.
        timeout = http.timeout
        request = http.build_request(
            client.method,
            client.url,
            params=step.params,
            data=client.data or None,
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(
                connect=timeout.connect,
                read=client.stall_timeout,
                write=timeout.write,
                pool=timeout.pool,
            ),
        )
        if client._stop_event.is_set():
            return None
        send = self.loop.create_task(http.send(request, auth=client._httpx_auth, stream=True))
        client._send = send
        try:
            await asyncio.wait({send})
        except asyncio.CancelledError:
            send.cancel()
            raise
        finally:
            client._send = None
        if send.cancelled():
            return None
        error = send.exception()
        if error is not None:
            if isinstance(error, _NETWORK_ERRORS):
                return Failed(error)
            raise error
        response = self.response = send.result()
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        # asyncio hands out a TransportSocket: a wrapper that still shuts down.
        client._set_socket(sock if hasattr(sock, "shutdown") else None)
        if client._stop_event.is_set():
            await self.close()
            return None
        if response.status_code != 200:
            refused = Refused(response.status_code, await _error_body(response))
            await self.close()
            return refused
        opened, self.next_block = _body_reader(response, client.stall_timeout)
        return opened

    async def watch(self, step: Watch) -> None:
        self.watchdog = LoopWatchdog(self.client._current_socket(), step.stall, self.loop)

    async def read(self, step: object) -> bytes | BaseException:
        try:
            return await self.next_block()
        except _NETWORK_ERRORS as exc:
            return exc

    async def close(self, step: object = None) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        self.client._set_socket(None)
        response, self.response, self.next_block = self.response, None, _no_body
        if response is not None:
            with contextlib.suppress(*_NETWORK_ERRORS):
                blocks = response.extensions.get("twitter_stream_client.blocks")
                if blocks is not None:
                    await blocks.aclose()
                await response.aclose()

    async def wait(self, step: Wait) -> None:
        client = self.client
        if client._sleep is not None:
            result = client._sleep(step.seconds)
            if inspect.isawaitable(result):
                await result
            return
        assert client._wake is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(client._wake.wait(), step.seconds)


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


def _body_reader(response: httpx.Response, read_timeout: float) -> tuple[Opened, _Read]:
    """How the body comes, and a coroutine function reading its next block (b"" at its end)."""
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    chunked = response.headers.get("Transfer-Encoding", "").strip().lower() == "chunked"
    raw = _raw_body(response) if chunked and encoding in DECODED_ENCODINGS else None
    if raw is None:
        blocks = response.aiter_bytes()
        response.extensions["twitter_stream_client.blocks"] = blocks  # closed with it
        return Opened(chunked=False), functools.partial(anext, blocks, b"")
    network, leftover = raw

    async def read() -> bytes:
        nonlocal leftover
        if leftover:
            data, leftover = leftover, b""
            return data
        return bytes(await network.read(_READ_SIZE, timeout=read_timeout))

    return Opened(chunked=True, encoding=encoding), read


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
