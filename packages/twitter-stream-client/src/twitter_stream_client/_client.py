"""`StreamClient`: the requests client, a driver of the shared core (`_flow`).

Its loop yields the messages the core delivers; `_RequestsIO` does the rest of the I/O the
core asks for: send the request (`_transport` learns the socket, so `stop()` and the
`ThreadWatchdog` can shut it down), read the body in large blocks, sleep.
"""

from __future__ import annotations

import functools
import http.client
import time
import zlib
from collections.abc import Callable, Iterator, Mapping

import requests
import urllib3

from twitter_stream_client._attempts import Failed, Refused
from twitter_stream_client._auth import OAuth1Credentials
from twitter_stream_client._base import USER_AGENT, ClientBase
from twitter_stream_client._body import DECODED_ENCODINGS
from twitter_stream_client._flow import Connect, Deliver, Flow, Opened, Wait, Watch
from twitter_stream_client._framing import FramingError
from twitter_stream_client._messages import Message
from twitter_stream_client._policy import ReconnectPolicy
from twitter_stream_client._transport import SocketReportingAdapter, reporting_socket_to
from twitter_stream_client._watchdog import ThreadWatchdog

__all__ = ["StreamClient"]

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

    _read_timeouts = (urllib3.exceptions.ReadTimeoutError, TimeoutError)

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

    # -- control ------------------------------------------------------------------------

    def stop(self) -> None:
        """End iteration from any thread, at once: no message is yielded after it.

        Shuts the live socket down (closing the response would leave a blocked read
        waiting for the server's next byte) and wakes a backoff sleep.
        """
        self._halt()

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

    # -- the driver --------------------------------------------------------------------

    def __iter__(self) -> Iterator[Message]:
        flow, io = Flow(self), _RequestsIO(self)
        try:
            for step in flow:
                if type(step) is Deliver:
                    yield from step.messages
                else:
                    flow.reply = getattr(io, step.op)(step)
        finally:
            flow.close()
            io.close()


class _RequestsIO:
    """The I/O of one iteration of a `StreamClient`: each step of the core, done with
    requests (see `_flow` for what each method is asked and returns)."""

    def __init__(self, client: StreamClient) -> None:
        self.client = client
        self.response: requests.Response | None = None
        self.watchdog: ThreadWatchdog | None = None
        self.next_block: Callable[[], bytes] = bytes  # no body yet

    def connect(self, step: Connect) -> Opened | Failed | Refused:
        # The adapter reports the socket once the request is sent: a stop() while the
        # response headers are awaited shuts it down (connecting is bounded by its timeout).
        client = self.client
        try:
            with reporting_socket_to(client._set_socket):
                response = client._session.request(
                    client.method,
                    client.url,
                    params=step.params or None,
                    data=client.data or None,
                    auth=client._requests_auth,
                    headers={"User-Agent": USER_AGENT},
                    stream=True,
                    timeout=(CONNECT_TIMEOUT, client.stall_timeout),
                )
        except _NETWORK_ERRORS as exc:
            client._set_socket(None)
            return Failed(exc)
        self.response = response
        if response.status_code != 200:
            refused = Refused(response.status_code, _error_body(response))
            self.close()
            return refused
        opened, self.next_block = _body_reader(response)
        return opened

    def watch(self, step: Watch) -> None:
        self.watchdog = ThreadWatchdog(self.client._current_socket(), step.stall)

    def read(self, step: object) -> bytes | BaseException:
        try:
            return self.next_block()
        except _NETWORK_ERRORS as exc:
            return exc

    def close(self, step: object = None) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        self.client._set_socket(None)
        if self.response is not None:
            self.response.close()
            self.response = None
        self.next_block = bytes

    def wait(self, step: Wait) -> None:
        self.client._sleep(step.seconds)


def _body_reader(response: requests.Response) -> tuple[Opened, Callable[[], bytes]]:
    """How the body comes, and a function that reads its next block (``b""`` at its end)."""
    raw = response.raw
    # The socket's buffered file under urllib3 and http.client: read it in large blocks
    # and let the core decode chunks (and gzip), not one HTTP chunk per urllib3 call.
    sock_file = getattr(getattr(raw, "_fp", None), "fp", None)
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    read1 = getattr(sock_file, "read1", None)
    if raw.chunked and read1 is not None and encoding in DECODED_ENCODINGS:
        return Opened(chunked=True, encoding=encoding), functools.partial(read1, _READ_SIZE)
    if raw.chunked:
        # Any other body coding: one HTTP chunk at a time, through urllib3.
        blocks = raw.stream(_READ_SIZE, decode_content=True)
        return Opened(chunked=False), functools.partial(next, blocks, b"")
    # A body without chunks: read1 returns what is there instead of waiting for a full block.
    return Opened(chunked=False), functools.partial(raw.read1, _READ_SIZE, decode_content=True)


def _error_body(response: requests.Response) -> str:
    try:
        data = response.raw.read(ERROR_BODY_BYTES, decode_content=True)
    except _NETWORK_ERRORS:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
