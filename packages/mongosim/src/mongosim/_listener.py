"""A TCP listener that serves each accepted connection on its own thread."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Listener"]


class Listener:
    """Listen on ``(host, port)``; run ``serve(connection)`` in a thread per connection.

    ``stop`` closes the listening socket *and* every open connection, as a killed server
    would; ``start`` may be called again afterwards and binds the same port.
    """

    def __init__(self, host: str, port: int, serve: Callable[[socket.socket], None]) -> None:
        self.host = host
        self.port = port
        self._serve = serve
        self._socket: socket.socket | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepting: threading.Thread | None = None
        self._stopping = False

    def start(self) -> int:
        """Bind and accept; the bound port (chosen by the OS when ``port`` was 0)."""
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listening.bind((self.host, self.port))
            listening.listen(128)
        except OSError:
            listening.close()
            raise
        self.port = listening.getsockname()[1]
        self._socket = listening
        self._stopping = False
        self._accepting = threading.Thread(
            target=self._accept_loop,
            args=(listening,),
            name=f"mongosim-accept-{self.port}",
            daemon=True,
        )
        self._accepting.start()
        return self.port

    def stop(self) -> None:
        """Stop accepting and drop every open connection."""
        listening, self._socket = self._socket, None
        if listening is None:
            return
        self._stopping = True
        # accept() does not wake when its socket is closed: connect once to wake it.
        with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), 1):
            pass
        if self._accepting is not None:
            self._accepting.join()
        listening.close()
        with self._lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def _accept_loop(self, listening: socket.socket) -> None:
        while True:
            try:
                connection, _ = listening.accept()
            except OSError:
                return
            if self._stopping:
                connection.close()
                return
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._connections.add(connection)
            threading.Thread(
                target=self._run, args=(connection,), name="mongosim-conn", daemon=True
            ).start()

    def _run(self, connection: socket.socket) -> None:
        try:
            self._serve(connection)
        finally:
            with self._lock:
                self._connections.discard(connection)
            connection.close()
