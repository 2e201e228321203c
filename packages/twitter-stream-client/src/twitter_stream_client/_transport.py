"""Transport hooks for the requests client: learn each connection's socket, shut it down.

`stop()` and the stall watchdog must end a read that is blocked in another thread.
Closing the response would leave the read waiting for the server's next byte; shutting
the socket down ends it at once. urllib3 does not expose the socket until a response
exists, so the client mounts `SocketReportingAdapter`, whose connections report their
socket to the client that is opening a request (a context variable) as soon as the
request has been sent: a stop while the response headers are awaited works too.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
from collections.abc import Callable
from typing import Any

import requests.adapters
import urllib3
import urllib3.connection

__all__ = ["SocketReportingAdapter", "reporting_socket_to", "shutdown"]

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


class SocketReportingAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with connections that tell the opening client their socket."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, urllib3.ProxyManager):  # a SOCKS manager keeps its own pools
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager


@contextlib.contextmanager
def reporting_socket_to(listener: Callable[[socket.socket], None]) -> Any:
    """Within this block, requests sent through the adapter report their socket."""
    token = _socket_listener.set(listener)
    try:
        yield
    finally:
        _socket_listener.reset(token)


def shutdown(sock: socket.socket) -> None:
    """Shut a socket down both ways; a blocked read on it returns at once."""
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)
