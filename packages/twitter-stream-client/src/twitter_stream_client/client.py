"""The streaming client: connect, frame, classify, watch for stalls, reconnect by policy.

Reconnect rule, in one place: when a *healthy* connection ends (it answered 200 and
delivered at least one complete line, keep-alives included), the client reconnects at
once and every backoff starts over. A failed attempt (refused, 5xx, 420/429, 200 that
ends or stalls before its first line) waits ``policy.wait(state)`` first, with
``state.attempt`` counting failures of that cause since the last healthy connection.
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import json
import logging
import socket
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import requests
import requests.adapters
import urllib3
import urllib3.connection

from twitter_stream_client import _json
from twitter_stream_client._framing import FramingError, LengthFramer, LineFramer
from twitter_stream_client._version import __version__
from twitter_stream_client.auth import BearerToken, OAuth1Credentials
from twitter_stream_client.disconnects import Action, v1_action, v2_action
from twitter_stream_client.errors import (
    AuthenticationError,
    FatalResponseError,
    RetriesExhausted,
    StreamDisconnected,
)
from twitter_stream_client.messages import Disconnect, Message, StreamError, parse_message
from twitter_stream_client.reconnect import Cause, ReconnectPolicy, ReconnectState
from twitter_stream_client.stats import StreamStats

__all__ = [
    "V1_FILTER_URL",
    "V1_SAMPLE_URL",
    "V2_FILTERED_URL",
    "V2_SAMPLE_URL",
    "StreamClient",
]

logger = logging.getLogger(__name__)

V1_FILTER_URL = "https://stream.twitter.com/1.1/statuses/filter.json"
V1_SAMPLE_URL = "https://stream.twitter.com/1.1/statuses/sample.json"
V2_FILTERED_URL = "https://api.twitter.com/2/tweets/search/stream"
V2_SAMPLE_URL = "https://api.twitter.com/2/tweets/sample/stream"

_CONNECT_TIMEOUT = 10.0
_READ_SIZE = 65536
_ERROR_BODY_BYTES = 4096
_FATAL_STATUSES = frozenset({403, 404, 406, 413, 416})
_V2_FIELDS = {
    "expansions": "expansions",
    "tweet_fields": "tweet.fields",
    "user_fields": "user.fields",
    "media_fields": "media.fields",
    "place_fields": "place.fields",
    "poll_fields": "poll.fields",
}

# Everything that means "the connection broke" rather than "the request was wrong".
_NETWORK_ERRORS = (
    OSError,  # requests.ConnectionError, ChunkedEncodingError, socket errors
    urllib3.exceptions.HTTPError,  # ProtocolError, ReadTimeoutError, DecodeError
    http.client.HTTPException,  # IncompleteRead
    zlib.error,
    FramingError,
)

Auth = OAuth1Credentials | requests.auth.AuthBase | None


# The client opening a request in this context: told each connection's socket once the
# request has been sent, so stop() and the watchdog can shut it down while the response
# headers are still awaited, not only once a response exists.
_socket_listener: contextvars.ContextVar[Callable[[socket.socket], None] | None] = (
    contextvars.ContextVar("twitter_stream_client_socket_listener", default=None)
)


def _report_socket(sock: socket.socket | None) -> None:
    listener = _socket_listener.get()
    if listener is not None and sock is not None:
        listener(sock)


class _HTTPConnection(urllib3.connection.HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)  # connects a new connection, reuses a kept one
        _report_socket(self.sock)


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)
        _report_socket(self.sock)


class _HTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOL_CLASSES = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


class _SocketReportingAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with connections that tell the opening client their socket."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, urllib3.ProxyManager):  # a SOCKS manager keeps its own pools
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager


class _Stalled(Exception):
    """No complete line for ``stall_timeout`` seconds although bytes may still arrive."""


class _Watchdog:
    """Shut the socket down once no complete line has arrived for ``timeout`` seconds.

    The read loop checks the deadline at every read too, but a drip inside one HTTP
    chunk keeps urllib3 in a single read until the chunk is complete: only another
    thread can end that read. Time the consumer spends on a message (``paused``) does
    not count.
    """

    def __init__(
        self, sock: socket.socket | None, timeout: float, clock: Callable[[], float]
    ) -> None:
        self.last_line = clock()
        self.paused = False
        self.fired = False
        self._done = threading.Event()
        threading.Thread(
            target=self._watch,
            args=(sock, timeout, clock),
            name="twitter-stream-client stall watchdog",
            daemon=True,
        ).start()

    def _watch(
        self, sock: socket.socket | None, timeout: float, clock: Callable[[], float]
    ) -> None:
        wait = timeout
        while not self._done.wait(wait):
            if self.paused:
                wait = timeout
                continue
            wait = self.last_line + timeout - clock()
            if wait <= 0:
                self.fired = True
                if sock is not None:
                    _shutdown(sock)
                return

    def cancel(self) -> None:
        self._done.set()


class _ConnectionOutcome:
    """How one connection ended, decided while reading it."""

    def __init__(self) -> None:
        self.healthy = False
        self.reason = "closed"
        self.error: BaseException | None = None
        self.action: Action = "reconnect"


def _join(values: str | Iterable[object], name: str) -> str:
    items = values.split(",") if isinstance(values, str) else [str(v) for v in values]
    text = ",".join(item.strip() for item in items if item.strip())
    if not text:
        raise ValueError(f"`{name}` must not be empty")
    return text


def _locations(boxes: Sequence[float]) -> str:
    if len(boxes) % 4 or not boxes:
        raise ValueError(
            f"`locations` must hold 4 numbers per box (sw lon, sw lat, ne lon, ne lat), "
            f"got {len(boxes)}"
        )
    if len(boxes) > 100:
        raise ValueError(f"`locations` allows at most 25 boxes, got {len(boxes) // 4}")
    return ",".join(f"{float(v):.4f}" for v in boxes)


class StreamClient:
    """Consume one streaming endpoint forever, reconnecting by Twitter's rules.

    Iterate it to get typed messages; the loop ends after :meth:`stop` (from any
    thread) and raises only for errors that retrying cannot fix.

    Parameters
    ----------
    url : str
        The stream endpoint (any host: tests and compatible services use their own).
    auth : OAuth1Credentials, requests auth object or None
        OAuth1 for v1.1, :class:`BearerToken` for v2.
    method : {"GET", "POST"}, default="GET"
    params, data : mapping, optional
        Query string and form body. ``delimited=length`` in either switches the
        framing to length-prefixed messages.
    policy : ReconnectPolicy, optional
        Waits and stop rule for failed attempts; default :data:`TWITTER_WAIT`, never stop.
    stall_timeout : float, default=90.0
        Seconds without a complete line (keep-alives count) before reconnecting.
    max_message_bytes : int, default=1_048_576
        Longer messages are dropped and counted, never buffered.
    session : requests.Session, optional
        For proxies or TLS settings; closed by :meth:`close` only if created here. The
        client mounts its own adapter on it for the prefix ``url``, so that :meth:`stop`
        knows the socket; other URLs keep their adapters.
    sleep : callable, optional
        ``sleep(seconds)`` between attempts; default waits on an event that
        :meth:`stop` sets, so a stop ends a 320 s backoff at once.
    clock : callable, default=time.monotonic
        Monotonic seconds, for the stall watchdog and ``stats.last_message_at``.

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
        auth: Auth,
        method: str = "GET",
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        policy: ReconnectPolicy | None = None,
        stall_timeout: float = 90.0,
        max_message_bytes: int = 1_048_576,
        session: requests.Session | None = None,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if method not in ("GET", "POST"):
            raise ValueError(f"`method` must be 'GET' or 'POST', got {method!r}")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"`url` must be an http:// or https:// URL, got {url!r}")
        try:
            requests.Request(method, url, params=dict(params or {})).prepare()
            prefix = str(requests.Request(method, url).prepare().url)
        except requests.RequestException as exc:
            raise ValueError(f"`url` is not a usable URL: {url!r} ({exc})") from None
        if not (isinstance(stall_timeout, (int, float)) and stall_timeout > 0):
            raise ValueError(f"`stall_timeout` must be a positive number, got {stall_timeout!r}")
        if (
            isinstance(max_message_bytes, bool)
            or not isinstance(max_message_bytes, int)
            or max_message_bytes < 1
        ):
            raise ValueError(
                f"`max_message_bytes` must be a positive int, got {max_message_bytes!r}"
            )
        if policy is not None and not isinstance(policy, ReconnectPolicy):
            raise TypeError(f"`policy` must be a ReconnectPolicy, got {type(policy).__name__}")
        self.url = url
        self.method = method
        self.params = dict(params or {})
        self.data = dict(data or {})
        self.auth = auth
        self.policy = policy or ReconnectPolicy()
        self.stall_timeout = float(stall_timeout)
        self.max_message_bytes = max_message_bytes
        self.stats = StreamStats()
        self._requests_auth = auth.requests_auth() if isinstance(auth, OAuth1Credentials) else auth
        self._own_session = session is None
        self._session = session or requests.Session()
        self._session.mount(prefix, _SocketReportingAdapter())
        self._stop_event = threading.Event()
        self._sleep = sleep or self._interruptible_sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._record_path: Path | None = None
        delimited = self.params.get("delimited") or self.data.get("delimited")
        self._length_framing = delimited == "length"

    def __repr__(self) -> str:
        return f"StreamClient('{self.method} {self.url}', auth={self.auth!r})"

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def v1_filter(
        cls,
        *,
        auth: Auth,
        track: str | Iterable[str] | None = None,
        follow: str | Iterable[int | str] | None = None,
        locations: Sequence[float] | None = None,
        stall_warnings: bool = True,
        delimited: bool = False,
        url: str = V1_FILTER_URL,
        **options: Any,
    ) -> StreamClient:
        """v1.1 ``statuses/filter`` (POST form body, OAuth1; stall timeout 90 s).

        ``track``, ``follow`` and ``locations`` are ORed by the server; at least one is
        required. Lists are joined with commas.

        Examples
        --------
        >>> creds = OAuth1Credentials("ck", "cs", "tk", "ts")
        >>> StreamClient.v1_filter(track=["iphone", "ipad", "ipod"], auth=creds).data["track"]
        'iphone,ipad,ipod'
        """
        data: dict[str, str] = {}
        if track is not None:
            data["track"] = _join(track, "track")
        if follow is not None:
            data["follow"] = _join(follow, "follow")
        if locations is not None:
            data["locations"] = _locations(locations)
        if not data:
            raise ValueError("v1_filter needs at least one of `track`, `follow`, `locations`")
        if stall_warnings:
            data["stall_warnings"] = "true"
        if delimited:
            data["delimited"] = "length"
        options.setdefault("stall_timeout", 90.0)
        return cls(url, auth=auth, method="POST", data=data, **options)

    @classmethod
    def v1_sample(
        cls,
        *,
        auth: Auth,
        stall_warnings: bool = True,
        delimited: bool = False,
        url: str = V1_SAMPLE_URL,
        **options: Any,
    ) -> StreamClient:
        """v1.1 ``statuses/sample`` (GET, OAuth1; stall timeout 90 s)."""
        params: dict[str, str] = {}
        if stall_warnings:
            params["stall_warnings"] = "true"
        if delimited:
            params["delimited"] = "length"
        options.setdefault("stall_timeout", 90.0)
        return cls(url, auth=auth, method="GET", params=params, **options)

    @classmethod
    def v2_filtered(
        cls,
        *,
        bearer_token: str,
        expansions: Iterable[str] | None = None,
        tweet_fields: Iterable[str] | None = None,
        user_fields: Iterable[str] | None = None,
        media_fields: Iterable[str] | None = None,
        place_fields: Iterable[str] | None = None,
        poll_fields: Iterable[str] | None = None,
        backfill_minutes: int | None = None,
        url: str = V2_FILTERED_URL,
        **options: Any,
    ) -> StreamClient:
        """v2 filtered stream (GET, bearer token; stall timeout 30 s).

        Manage its rules with :class:`StreamRules`.

        Keep-alives come every 20 s; 30 s leaves room for late ones (20 s gives
        spurious reconnects in practice).
        """
        fields = {
            "expansions": expansions,
            "tweet_fields": tweet_fields,
            "user_fields": user_fields,
            "media_fields": media_fields,
            "place_fields": place_fields,
            "poll_fields": poll_fields,
        }
        params = {_V2_FIELDS[k]: _join(v, k) for k, v in fields.items() if v is not None}
        if backfill_minutes is not None:
            if isinstance(backfill_minutes, bool) or backfill_minutes not in range(6):
                raise ValueError(
                    f"`backfill_minutes` must be an int from 0 to 5, got {backfill_minutes!r}"
                )
            params["backfill_minutes"] = str(backfill_minutes)
        options.setdefault("stall_timeout", 30.0)
        return cls(url, auth=BearerToken(bearer_token), params=params, **options)

    @classmethod
    def v2_sample(
        cls,
        *,
        bearer_token: str,
        url: str = V2_SAMPLE_URL,
        **fields_and_options: Any,
    ) -> StreamClient:
        """v2 1% sampled stream; same field and client options as :meth:`v2_filtered`."""
        return cls.v2_filtered(bearer_token=bearer_token, url=url, **fields_and_options)

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
            _shutdown(sock)

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop_event.is_set()

    def close(self) -> None:
        """Stop, and close the session if the client created it."""
        self.stop()
        if self._own_session:
            self._session.close()

    def __enter__(self) -> StreamClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def record_to(self, path: str | Path) -> StreamClient:
        """Append every message line, as received, to the JSONL file ``path``.

        Keep-alives and lines that are not JSON are not recorded. Read the file back
        with :func:`replay`. Returns the client, for chaining.
        """
        self._record_path = Path(path)
        return self

    def run(self, on_message: Callable[[Message], object]) -> None:
        """Callback form: call ``on_message(message)`` for each message until stopped."""
        for message in self:
            on_message(message)

    def _interruptible_sleep(self, seconds: float) -> None:
        self._stop_event.wait(seconds)

    # -- the loop -----------------------------------------------------------------------

    def __iter__(self) -> Iterator[Message]:
        record: IO[bytes] | None = None
        if self._record_path is not None:
            record = self._record_path.open("ab")
        try:
            yield from self._connections(record)
        finally:
            if record is not None:
                record.close()

    def _connections(self, record: IO[bytes] | None) -> Iterator[Message]:
        attempts: Counter[Cause] = Counter()
        failures = 0
        unauthorized = 0
        healthy_at = self._clock()
        failure: ReconnectState | None = None
        while not self._stop_event.is_set():
            if failure is not None:
                if self.policy.stop(failure):
                    raise RetriesExhausted(failure)
                delay = float(self.policy.wait(failure))
                self.stats.reconnects[failure.cause.value] += 1
                logger.warning("%s; reconnecting in %.2f s", failure.describe(), delay)
                self._sleep(delay)
                if self._stop_event.is_set():
                    return
            outcome = _ConnectionOutcome()
            cause: Cause | None = None
            status: int | None = None
            error: BaseException | None = None
            try:
                response = self._open()
            except _NETWORK_ERRORS as exc:
                self._set_socket(None)
                cause, error = Cause.NETWORK, exc
            else:
                try:
                    status = response.status_code
                    if status == 200:
                        unauthorized = 0
                        self.stats.connections += 1
                        yield from self._consume(response, outcome, record)
                    else:
                        body = _error_body(response)
                        if status in (420, 429):
                            cause = Cause.RATE_LIMIT
                        elif status == 401:
                            unauthorized += 1
                            if unauthorized >= 2:
                                raise AuthenticationError(status, body)
                            cause = Cause.HTTP
                        elif status in _FATAL_STATUSES or 400 <= status < 500:
                            raise FatalResponseError(status, body)
                        else:
                            cause = Cause.HTTP
                finally:
                    self._set_socket(None)
                    response.close()
                if status == 200:
                    if self._stop_event.is_set():
                        return
                    if outcome.action == "stop":
                        assert outcome.error is not None
                        raise outcome.error
                    if outcome.action == "rate_limit":
                        cause = Cause.RATE_LIMIT
                    elif outcome.healthy:
                        attempts.clear()
                        failures = 0
                        failure = None
                        healthy_at = self._clock()
                        self.stats.reconnects[outcome.reason] += 1
                        logger.info("stream ended (%s); reconnecting at once", outcome.reason)
                        continue
                    else:
                        cause, error = Cause.NETWORK, outcome.error
            if self._stop_event.is_set():
                return
            assert cause is not None
            attempts[cause] += 1
            failures += 1
            failure = ReconnectState(
                cause=cause,
                attempt=attempts[cause],
                failures=failures,
                seconds_since_healthy=self._clock() - healthy_at,
                status_code=status if cause is not Cause.NETWORK else None,
                error=error,
            )

    def _open(self) -> requests.Response:
        # The adapter reports the socket once the request is sent: a stop() while the
        # response headers are awaited shuts it down (connecting is bounded by its timeout).
        token = _socket_listener.set(self._set_socket)
        try:
            return self._session.request(
                self.method,
                self.url,
                params=self.params or None,
                data=self.data or None,
                auth=self._requests_auth,
                headers={"User-Agent": f"twitter-stream-client/{__version__}"},
                stream=True,
                timeout=(_CONNECT_TIMEOUT, self.stall_timeout),
            )
        finally:
            _socket_listener.reset(token)

    def _set_socket(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._socket = sock
            stopped = self._stop_event.is_set()
        if stopped and sock is not None:
            _shutdown(sock)

    def _consume(
        self, response: requests.Response, outcome: _ConnectionOutcome, record: IO[bytes] | None
    ) -> Iterator[Message]:
        framer = (LengthFramer if self._length_framing else LineFramer)(self.max_message_bytes)
        stats = self.stats
        clock = self._clock
        stall_timeout = self.stall_timeout
        stop_event = self._stop_event
        loads = _json.loads
        last_line = clock()
        with self._lock:
            sock = self._socket
        watchdog = _Watchdog(sock, stall_timeout, clock)
        recording = False
        try:
            for chunk in _chunks(response.raw):
                stats.bytes += len(chunk)
                frames = framer.feed(chunk)
                now = clock()
                if framer.dropped:
                    stats.oversize += framer.dropped
                    logger.warning(
                        "dropped %d message(s) over %d bytes",
                        framer.dropped,
                        self.max_message_bytes,
                    )
                    framer.dropped = 0
                    last_line = watchdog.last_line = now
                if not frames:
                    if now - last_line >= stall_timeout:
                        raise _Stalled
                    continue
                outcome.healthy = True
                stats.last_message_at = now
                watchdog.paused = True
                for frame in frames:
                    if not frame:
                        stats.keep_alives += 1
                        continue
                    try:
                        raw = loads(frame)
                    except ValueError:
                        stats.malformed += 1
                        logger.warning("skipped a line that is not JSON: %r", frame[:80])
                        continue
                    message = parse_message(raw)
                    if record is not None:
                        recording = True  # its OSError is no network error: let it out
                        _record(record, frame, raw)
                        recording = False
                    stats.messages += 1
                    yield message
                    if isinstance(message, (Disconnect, StreamError)) and self._ends_stream(
                        message, outcome
                    ):
                        return
                last_line = watchdog.last_line = clock()
                watchdog.paused = False
                if stop_event.is_set():
                    return
            if watchdog.fired:
                raise _Stalled
        except _Stalled:
            outcome.reason = "stall"
            outcome.error = TimeoutError(f"no complete line for {stall_timeout} s")
        except _NETWORK_ERRORS as exc:
            if recording:
                raise
            if watchdog.fired:
                outcome.reason = "stall"
                outcome.error = TimeoutError(f"no complete line for {stall_timeout} s")
            elif _is_read_timeout(exc):
                outcome.reason = "stall"
                outcome.error = exc
            else:
                outcome.reason = "network"
                outcome.error = exc
        finally:
            watchdog.cancel()

    def _ends_stream(self, message: Disconnect | StreamError, outcome: _ConnectionOutcome) -> bool:
        if isinstance(message, Disconnect):
            action = v1_action(message.code)
            reason = f"disconnect code {message.code} {message.reason!r}".strip()
        else:
            found = v2_action(message.disconnect_type, message.connection_issue)
            if found is None:
                return False
            action = found
            reason = f"{message.disconnect_type or message.connection_issue}: {message.detail}"
        outcome.reason = "disconnect"
        outcome.action = action
        if action == "stop":
            outcome.error = StreamDisconnected(reason, message.raw)
        logger.warning("server disconnect (%s): %s", action, reason)
        return True


def _is_read_timeout(exc: BaseException) -> bool:
    return isinstance(exc, (urllib3.exceptions.ReadTimeoutError, TimeoutError))


def _chunks(raw: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    if raw.chunked:
        # One HTTP chunk at a time, as soon as it arrives (Twitter sends chunked bodies).
        yield from raw.stream(_READ_SIZE, decode_content=True)
        return
    # A body without chunks: read1 returns what is there instead of waiting for a full block.
    while data := raw.read1(_READ_SIZE, decode_content=True):
        yield data


def _record(record: IO[bytes], frame: bytes, raw: Any) -> None:
    # JSONL needs one message per line: re-serialise the rare multi-line message.
    line = json.dumps(raw, separators=(",", ":")).encode() if b"\n" in frame else frame
    record.write(line + b"\n")
    record.flush()


def _error_body(response: requests.Response) -> str:
    try:
        data = response.raw.read(_ERROR_BODY_BYTES, decode_content=True)
    except _NETWORK_ERRORS:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else ""


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)
