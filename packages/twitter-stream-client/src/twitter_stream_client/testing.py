"""A scripted stream server for offline tests and demos: real HTTP/1.1 on loopback.

Each request to a path takes the next scripted `Reply` (or asks a route
function for one). A 200 reply streams chunked steps with byte-exact chunk
boundaries: `Send`, `SendEach`, `Raw`, `Pause`, `Drip`,
`WaitFor`, `Cut` (close mid-chunk) and `Hold` (go silent).
It is the peer this package's own tests and ``demo`` run against.

Examples
--------
>>> from twitter_stream_client import StreamClient, Tweet
>>> with ScriptedStreamServer() as server:
...     server.script("/stream", Reply(steps=[Send(b'{"text": "hi", "id_str": "1"}\\r\\n')]))
...     client = StreamClient(server.url("/stream"), auth=None)
...     first = next(iter(client))
...     client.stop()
>>> first
Tweet(id='1', text='hi', matching_rules=())
"""

from __future__ import annotations

import collections
import select
import socket
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from twitter_stream_client._state import Cause, ReconnectState

__all__ = [
    "Cut",
    "Drip",
    "Hold",
    "Pause",
    "Raw",
    "RecordedRequest",
    "Reply",
    "ScriptedStreamServer",
    "Send",
    "SendEach",
    "Step",
    "WaitFor",
    "make_state",
]


def make_state(
    cause: Cause | str = Cause.NETWORK,
    attempt: int = 1,
    *,
    attempt_number: int | None = None,
    seconds_since_start: float = 0.0,
    status_code: int | None = None,
    error: BaseException | None = None,
) -> ReconnectState:
    """Build a `ReconnectState`, for testing a wait or stop strategy without sleeping.

    ``attempt`` is the failure count of ``cause``; ``attempt_number`` (failures of any
    cause) defaults to it.

    Examples
    --------
    >>> from twitter_stream_client import TWITTER_WAIT
    >>> TWITTER_WAIT(make_state("http", 3))
    20.0
    """
    return ReconnectState(
        cause=Cause(cause),
        attempt_number=attempt if attempt_number is None else attempt_number,
        cause_attempt=attempt,
        seconds_since_start=seconds_since_start,
        status_code=status_code,
        error=error,
    )


_REASONS = {420: "Enhance Your Calm", 429: "Too Many Requests"}
_BATCH_BYTES = 65536


@dataclass(frozen=True)
class Send:
    """Send ``data`` as one HTTP chunk."""

    data: bytes


@dataclass(frozen=True)
class SendEach:
    """Send every item of ``chunks`` as its own HTTP chunk, writing in large batches."""

    chunks: Iterable[bytes]


@dataclass(frozen=True)
class Raw:
    """Write ``data`` verbatim: bytes already chunk-framed, or deliberately broken framing."""

    data: bytes


@dataclass(frozen=True)
class Pause:
    """Send nothing for ``seconds`` (cut short when the server closes)."""

    seconds: float


@dataclass(frozen=True)
class Drip:
    """Send ``data`` one byte per chunk, ``interval`` seconds apart."""

    data: bytes
    interval: float


@dataclass(frozen=True)
class WaitFor:
    """Send nothing until ``event`` is set (or the server closes)."""

    event: threading.Event


@dataclass(frozen=True)
class Cut:
    """Announce a chunk longer than ``data``, send ``data``, then shut the socket down."""

    data: bytes = b""


@dataclass(frozen=True)
class Hold:
    """Keep the connection open and silent until the client hangs up or the server closes."""


Step = Send | SendEach | Raw | Pause | Drip | WaitFor | Cut | Hold


@dataclass(frozen=True)
class Reply:
    """One scripted response.

    Parameters
    ----------
    status : int, default=200
        A 200 without ``body`` streams ``steps`` chunked and ends with the final
        chunk unless a `Cut` or `Hold` ended it first. Any other
        status, or a ``body``, is sent with a Content-Length and the connection closes.
    steps : sequence of Step
    body : bytes
    headers : mapping
        Extra response headers.
    gzip : bool, default=False
        Send ``Content-Encoding: gzip`` and flush the compressor after every chunk.
    keep_alive : bool, default=False
        For a reply with a Content-Length: keep the connection open for the next request,
        as an API server does (a client that never closes its session leaks it).
    """

    status: int = 200
    steps: Sequence[Step] = ()
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    gzip: bool = False
    keep_alive: bool = False


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    url: str


Route = Callable[[RecordedRequest], Reply]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read the recorded requests instead."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        host = self.headers.get("Host", "127.0.0.1")
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=dict(self.headers.items()),
            body=body,
            url=f"http://{host}{self.path}",
        )
        owner = self.server.owner
        reply = owner._next_reply(request)
        plain = reply.status != 200 or bool(reply.body)
        self.close_connection = not (plain and reply.keep_alive)
        try:
            if plain:
                self._send_plain(reply)
            else:
                self._stream(reply)
        except OSError:
            pass  # the client went away; that is a scenario, not a server error

    def _send_plain(self, reply: Reply) -> None:
        self.send_response(reply.status, _REASONS.get(reply.status))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        self.end_headers()
        self.wfile.write(reply.body)

    def _stream(self, reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        if reply.gzip:
            self.send_header("Content-Encoding", "gzip")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        compressor = zlib.compressobj(wbits=31) if reply.gzip else None

        def encode(data: bytes) -> bytes:
            if compressor is not None:
                data = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
            return b"%x\r\n%s\r\n" % (len(data), data) if data else b""

        closing = self.server.owner._closing
        for step in reply.steps:
            if isinstance(step, Send):
                self.wfile.write(encode(step.data))
            elif isinstance(step, SendEach):
                batch: list[bytes] = []
                size = 0
                for chunk in step.chunks:
                    framed = encode(chunk)
                    batch.append(framed)
                    size += len(framed)
                    if size >= _BATCH_BYTES:
                        self.wfile.write(b"".join(batch))
                        batch.clear()
                        size = 0
                self.wfile.write(b"".join(batch))
            elif isinstance(step, Raw):
                self.wfile.write(step.data)
            elif isinstance(step, Pause):
                if closing.wait(step.seconds):
                    return
            elif isinstance(step, Drip):
                for index in range(len(step.data)):
                    self.wfile.write(encode(step.data[index : index + 1]))
                    if closing.wait(step.interval):
                        return
            elif isinstance(step, WaitFor):
                while not step.event.wait(0.05):
                    if closing.is_set() or self._client_gone():
                        return
            elif isinstance(step, Cut):
                self.wfile.write(b"%x\r\n%s" % (len(step.data) + 100, step.data))
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            else:
                while not closing.wait(0.05):
                    if self._client_gone():
                        return
                return
        if compressor is not None:
            tail = compressor.flush()
            if tail:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(tail), tail))
        self.wfile.write(b"0\r\n\r\n")

    def _client_gone(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")
        except OSError:
            return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner: ScriptedStreamServer, address: tuple[str, int]) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class ScriptedStreamServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 that plays scripted stream replies.

    Use it as a context manager. Requests to a path with no script left get
    ``Reply(steps=[Hold()])``: the connection stays silent until the client gives up.

    Attributes
    ----------
    requests : list of RecordedRequest
        Every request received, in order.
    """

    def __init__(self, port: int = 0) -> None:
        self._server = _Server(self, ("127.0.0.1", port))
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._scripts: dict[str, collections.deque[Reply]] = {}
        self._routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self._server.server_address[1])

    def url(self, path: str = "") -> str:
        """``http://127.0.0.1:<port><path>``."""
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, *replies: Reply) -> None:
        """Queue ``replies`` for the next requests to ``path``, one reply per request."""
        with self._lock:
            self._scripts.setdefault(path, collections.deque()).extend(replies)

    def route(self, path: str, handler: Route) -> None:
        """Answer requests to ``path`` by calling ``handler(request)`` (after any script)."""
        with self._lock:
            self._routes[path] = handler

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            queue = self._scripts.get(request.path)
            if queue:
                return queue.popleft()
            handler = self._routes.get(request.path)
        if handler is not None:
            return handler(request)
        return Reply(steps=[Hold()])

    def close(self) -> None:
        """Stop serving and release every held connection."""
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> ScriptedStreamServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
