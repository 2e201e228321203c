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
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from pymongo import _csot
from pymongo.read_preferences import _ServerMode

__all__ = ["CSOT_VARIABLES", "ServerMode", "client_password", "csot_remaining"]

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
