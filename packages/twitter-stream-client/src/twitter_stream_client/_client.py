"""`StreamClient`: the requests client, a thin driver of the shared decisions.

Per attempt: open the request (`_transport` learns the socket), read chunks into a
`ConnectionReader` under a `ThreadWatchdog`, report how it ended to the
`AttemptTracker`, sleep what it says.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
import zlib
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import IO

import requests
import urllib3

from twitter_stream_client._attempts import AttemptTracker, Failed, Outcome, Refused, StreamEnded
from twitter_stream_client._auth import OAuth1Credentials
from twitter_stream_client._base import USER_AGENT, ClientBase
from twitter_stream_client._chunked import ChunkedBody
from twitter_stream_client._framing import FramingError
from twitter_stream_client._messages import Message
from twitter_stream_client._policy import ReconnectPolicy
from twitter_stream_client._transport import (
    SocketReportingAdapter,
    reporting_socket_to,
    shutdown,
)
from twitter_stream_client._watchdog import ThreadWatchdog

__all__ = ["StreamClient"]

reconnect_logger = logging.getLogger("twitter_stream_client.reconnect")

CONNECT_TIMEOUT = 10.0
_READ_SIZE = 65536
ERROR_BODY_BYTES = 4096

# Everything that means "the connection broke" rather than "the request was wrong".
_NETWORK_ERRORS = (
    OSError,  # requests.ConnectionError, ChunkedEncodingError, socket errors
    urllib3.exceptions.HTTPError,  # ProtocolError, ReadTimeoutError, DecodeError
    http.client.HTTPException,  # IncompleteRead
    zlib.error,
    FramingError,
)


class StreamClient(ClientBase):
    """Consume one streaming endpoint forever, reconnecting by Twitter's rules.

    Iterate it to get typed messages; the loop ends after `stop` (from any thread) and
    raises only for errors that retrying cannot fix. `AsyncStreamClient` is the same
    client for asyncio.

    Parameters
    ----------
    url : str
        The stream endpoint (any host: tests and compatible services use their own).
    auth : OAuth1Credentials, BearerToken, requests auth object or None
        OAuth1 for v1.1, `BearerToken` for v2.
    method : {"GET", "POST"}, default="GET"
    params, data : mapping, optional
        Query string and form body. ``delimited=length`` in either switches the
        framing to length-prefixed messages.
    policy : ReconnectPolicy, optional
        Waits and stop rule for failed attempts; default `TWITTER_WAIT`, never stop.
    stall_timeout : float, default=90.0
        Seconds without a complete line (keep-alives count) before reconnecting.
    max_message_bytes : int, default=1_048_576
        Longer messages are dropped and counted, never buffered.
    recover : bool, default=False
        Gap-free reconnects on v2 endpoints (see `v2_filtered`).
    session : requests.Session, optional
        For proxies or TLS settings; closed by `close` only if created here. The client
        mounts its own adapter on it for the prefix ``url``, so that `stop` knows the
        socket; other URLs keep their adapters.
    sleep : callable, optional
        ``sleep(seconds)`` between attempts; default waits on an event that `stop` sets,
        so a stop ends a 320 s backoff at once.
    clock : callable, default=time.monotonic
        Monotonic seconds, for the stall watchdog, ``stats.last_message_at`` and the
        measured gap of ``recover``.

    Examples
    --------
    >>> client = StreamClient.v2_filtered(bearer_token="AAAA", tweet_fields=["created_at"])
    >>> client
    StreamClient('GET https://api.twitter.com/2/tweets/search/stream', auth=BearerToken(***))
    """

    def __init__(
        self,
        url: str,
        *,
        auth: OAuth1Credentials | requests.auth.AuthBase | None,
        method: str = "GET",
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        policy: ReconnectPolicy | None = None,
        stall_timeout: float = 90.0,
        max_message_bytes: int = 1_048_576,
        recover: bool = False,
        session: requests.Session | None = None,
        sleep: Callable[[float], object] | None = None,
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
        self._requests_auth = auth.requests_auth() if isinstance(auth, OAuth1Credentials) else auth
        self._own_session = session is None
        self._session = session or requests.Session()
        prefix = str(requests.Request(method, url).prepare().url)
        self._session.mount(prefix, SocketReportingAdapter())
        self._sleep = sleep or self._interruptible_sleep
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None

    # -- control ------------------------------------------------------------------------

    def stop(self) -> None:
        """End iteration from any thread, at once.

        Shuts the live socket down (closing the response would leave a blocked read
        waiting for the server's next byte) and wakes a backoff sleep. Messages of the
        chunk already read are still yielded.
        """
        self._stop_event.set()
        with self._lock:
            sock = self._socket
        if sock is not None:
            shutdown(sock)

    def close(self) -> None:
        """Stop, and close the session if the client created it."""
        self.stop()
        if self._own_session:
            self._session.close()

    def __enter__(self) -> StreamClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, on_message: Callable[[Message], object]) -> None:
        """Callback form: call ``on_message(message)`` for each message until stopped."""
        for message in self:
            on_message(message)

    def _interruptible_sleep(self, seconds: float) -> None:
        self._stop_event.wait(seconds)

    def _set_socket(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._socket = sock
            stopped = self._stop_event.is_set()
        if stopped and sock is not None:
            shutdown(sock)

    # -- the loop -----------------------------------------------------------------------

    def __iter__(self) -> Iterator[Message]:
        record = self._open_record()
        try:
            tracker = self._tracker()
            stopped = self._stop_event.is_set
            while not stopped():
                outcome = yield from self._attempt(tracker, record)
                if stopped():
                    return
                decision = tracker.decide(outcome)
                self.stats.reconnects[decision.label] += 1
                level = logging.WARNING if decision.state is not None else logging.INFO
                reconnect_logger.log(level, decision.describe())
                if decision.delay:
                    self._sleep(decision.delay)
        finally:
            if record is not None:
                record.close()

    def _attempt(
        self, tracker: AttemptTracker, record: IO[bytes] | None
    ) -> Generator[Message, None, Outcome]:
        try:
            response = self._open()
        except _NETWORK_ERRORS as exc:
            self._set_socket(None)
            return Failed(exc)
        try:
            if response.status_code != 200:
                return Refused(response.status_code, _error_body(response))
            tracker.connected()
            self.stats.connections += 1
            return (yield from self._consume(response, record))
        finally:
            self._set_socket(None)
            response.close()

    def _open(self) -> requests.Response:
        # The adapter reports the socket once the request is sent: a stop() while the
        # response headers are awaited shuts it down (connecting is bounded by its timeout).
        with reporting_socket_to(self._set_socket):
            return self._session.request(
                self.method,
                self.url,
                params=self._query() or None,
                data=self.data or None,
                auth=self._requests_auth,
                headers={"User-Agent": USER_AGENT},
                stream=True,
                timeout=(CONNECT_TIMEOUT, self.stall_timeout),
            )

    def _consume(
        self, response: requests.Response, record: IO[bytes] | None
    ) -> Generator[Message, None, StreamEnded]:
        reader = self._reader(record)
        with self._lock:
            sock = self._socket
        watchdog = ThreadWatchdog(sock, self.stall_timeout, self._clock)
        chunks = _chunks(response)
        stop_event = self._stop_event
        try:
            while True:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    return reader.ended("stall" if watchdog.fired else "closed")
                except _NETWORK_ERRORS as exc:
                    if watchdog.fired:
                        return reader.ended("stall")
                    return reader.ended("stall" if _is_read_timeout(exc) else "network", exc)
                messages = reader.feed(chunk)
                watchdog.last_line = reader.last_line
                if messages is None:
                    if reader.stalled():
                        return reader.ended("stall")
                    continue
                watchdog.paused = True
                yield from messages
                if reader.ending is not None:
                    return reader.ending
                reader.line_done()
                watchdog.last_line = reader.last_line
                watchdog.paused = False
                if stop_event.is_set():
                    return reader.ended("closed")
        finally:
            watchdog.cancel()


def _is_read_timeout(exc: BaseException) -> bool:
    return isinstance(exc, (urllib3.exceptions.ReadTimeoutError, TimeoutError))


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The decoded body, in blocks as they arrive (a block may be empty)."""
    raw = response.raw
    # The socket's buffered file under urllib3 and http.client: read it in large blocks
    # and decode chunks (and gzip) here, not one HTTP chunk per urllib3 call.
    sock_file = getattr(getattr(raw, "_fp", None), "fp", None)
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    read1 = getattr(sock_file, "read1", None)
    if raw.chunked and read1 is not None and ChunkedBody.supports(encoding):
        body = ChunkedBody(encoding)
        while not body.finished:
            data = read1(_READ_SIZE)
            if not data:
                raise http.client.IncompleteRead(b"")
            payload, error = body.feed(data)
            yield payload
            if error is not None:
                raise error
        return
    if raw.chunked:
        # Any other body coding: one HTTP chunk at a time, through urllib3.
        yield from raw.stream(_READ_SIZE, decode_content=True)
        return
    # A body without chunks: read1 returns what is there instead of waiting for a full block.
    while data := raw.read1(_READ_SIZE, decode_content=True):
        yield data


def _error_body(response: requests.Response) -> str:
    try:
        data = response.raw.read(ERROR_BODY_BYTES, decode_content=True)
    except _NETWORK_ERRORS:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
