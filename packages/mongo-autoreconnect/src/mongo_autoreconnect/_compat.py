"""Every private pymongo name the package relies on, in one place.

pymongo has no public API for these; a pymongo release that renames one breaks only this
module (the rest of the package imports from here), and each use degrades gracefully:

- ``ServerMode``: the base class of pymongo's read preferences (``_ServerMode``), for
  annotations and the ``read_fallback`` type check.
- ``csot_remaining()``: seconds left in the caller's ``pymongo.timeout()`` block
  (``_csot.remaining``), read between attempts.
- ``CSOT_VARIABLES``: the three context variables ``pymongo.timeout()`` sets (``_csot``
  ``TIMEOUT``, ``DEADLINE``, ``RTT``), or None; the proxy's cheap route into the same
  deadline checks at import that they are still all there is.
- ``client_password(client)``: the password a client authenticates with (pool options'
  ``_credentials``), so that it can be redacted from log lines.
- ``topology_of(client)``, ``topology_type(topology)``, ``select_server(topology,
  selector)``: the client's topology (``_topology``), its type as pymongo last saw it (an
  attribute read, cheap enough for every call) and server selection on it, so the proxy can
  wait for a server in short, logged slices instead of inside an operation.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from pymongo import _csot
from pymongo.read_preferences import _ServerMode
from pymongo.topology_description import TOPOLOGY_TYPE

__all__ = [
    "CSOT_VARIABLES",
    "NO_PRIMARY",
    "NO_SERVER",
    "ServerMode",
    "client_password",
    "csot_remaining",
    "select_server",
    "topology_of",
    "topology_type",
]

ServerMode = _ServerMode


def csot_remaining() -> float | None:
    """Seconds left in an enclosing ``pymongo.timeout()`` block, or None outside one."""
    return _csot.remaining()


def _csot_variables() -> tuple[ContextVar[Any], ContextVar[Any], ContextVar[Any]] | None:
    found: list[ContextVar[Any]] = []
    for name in ("TIMEOUT", "DEADLINE", "RTT"):
        variable = getattr(_csot, name, None)
        if not isinstance(variable, ContextVar):
            return None
        found.append(variable)
    timeout, deadline, rtt = found
    return timeout, deadline, rtt


#: (TIMEOUT, DEADLINE, RTT) as pymongo.timeout() sets them, or None if pymongo changed.
CSOT_VARIABLES = _csot_variables()


def client_password(client: Any) -> str | None:
    """The password ``client`` authenticates with, if any (None if pymongo hides it now)."""
    pool_options = getattr(getattr(client, "options", None), "pool_options", None)
    credentials = getattr(pool_options, "_credentials", None)
    password = getattr(credentials, "password", None)
    return password if isinstance(password, str) and password else None


def topology_of(client: Any) -> Any:
    """The pymongo ``Topology`` of a client (sync or async), which outlives its changes."""
    return client._topology


def topology_type(topology: Any) -> int:
    """The topology's type as pymongo last saw it (an int; read on every proxied call).

    A plain function: cheaper to call than ``operator.attrgetter`` of a dotted path.
    """
    kind: int = topology._description._topology_type
    return kind


#: Topology types in which no primary is known: a write would wait in server selection.
NO_PRIMARY = frozenset({TOPOLOGY_TYPE.ReplicaSetNoPrimary, TOPOLOGY_TYPE.Unknown})
#: Topology types in which no server at all is known.
NO_SERVER = frozenset({TOPOLOGY_TYPE.Unknown})


def select_server(topology: Any, selector: Any) -> Any:
    """Select a server as an operation would (an awaitable on an async topology).

    Bounded by the enclosing ``pymongo.timeout()``; raises ``ServerSelectionTimeoutError``.
    """
    return topology.select_server(selector, "mongo_autoreconnect")
