"""Entering pymongo's client-side operation timeout (CSOT) cheaply, on every proxied call.

``with pymongo.timeout(t):`` costs about 1 µs (argument checks, a context-manager object,
three context variables set and reset), most of the proxy's per-call overhead. The first
attempt of every call needs it (see ``_proxy``), so `enter` / `leave` set and
reset the same three variables directly, which halves the cost. That is safe only while
``pymongo.timeout`` sets exactly those: it is checked once, at import, and if pymongo does
anything else (or the variables are gone) ``pymongo.timeout`` itself is used.
"""

from __future__ import annotations

import contextvars
import time
from typing import Any

import pymongo

from ._compat import CSOT_VARIABLES

__all__ = ["DIRECT", "enter", "leave"]

_monotonic = time.monotonic
_TIMEOUT: Any
_DEADLINE: Any
_RTT: Any
_TIMEOUT, _DEADLINE, _RTT = CSOT_VARIABLES or (None, None, None)


def _pymongo_sets_only_these() -> bool:
    """Whether ``pymongo.timeout(5)`` sets exactly TIMEOUT=5, DEADLINE=now+5 and RTT=0."""
    if None in (_TIMEOUT, _DEADLINE, _RTT):
        return False

    def probe() -> bool:
        with pymongo.timeout(5.0):
            inside = contextvars.copy_context()
            now = _monotonic()
        return (
            set(inside) == {_TIMEOUT, _DEADLINE, _RTT}
            and inside[_TIMEOUT] == 5.0
            and 0.0 <= now + 5.0 - inside[_DEADLINE] < 1.0
            and inside[_RTT] == 0.0
        )

    # An empty context: every variable found inside was set by pymongo.timeout.
    return contextvars.Context().run(probe)


#: Whether `enter` sets pymongo's variables directly (else it uses pymongo.timeout).
DIRECT = _pymongo_sets_only_these()

if DIRECT:

    def enter(seconds: float) -> Any:
        """``pymongo.timeout(seconds).__enter__()``; returns what `leave` needs."""
        return (
            _TIMEOUT.set(seconds),
            _DEADLINE.set(min(_DEADLINE.get(), _monotonic() + seconds)),
            _RTT.set(0.0),
        )

    def leave(tokens: Any) -> None:
        """Restore what `enter` changed."""
        timeout, deadline, rtt = tokens
        _TIMEOUT.reset(timeout)
        _DEADLINE.reset(deadline)
        _RTT.reset(rtt)

else:

    def enter(seconds: float) -> Any:
        """``pymongo.timeout(seconds).__enter__()``; returns what `leave` needs."""
        context = pymongo.timeout(seconds)
        context.__enter__()
        return context

    def leave(tokens: Any) -> None:
        """Restore what `enter` changed."""
        tokens.__exit__(None, None, None)
