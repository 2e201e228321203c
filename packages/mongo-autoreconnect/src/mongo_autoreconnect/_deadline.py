"""Entering pymongo's client-side operation timeout (CSOT) cheaply, on every proxied call.

``with pymongo.timeout(t):`` costs several times a bare pymongo call (argument checks, a
context-manager object, three context variables set and reset), and the first attempt of
every proxied call needs the deadline (see ``_async_proxy``). So the proxy's fast path sets
and resets pymongo's ``TIMEOUT`` and ``DEADLINE`` itself, inline. It leaves out the third
variable, ``RTT`` (the server's round-trip time, which pymongo subtracts from the time
left when it computes ``maxTimeMS``): ``pymongo.timeout`` sets it to 0 on entry, and
pymongo sets it again to the selected server's round-trip time after every server
selection under a deadline, before anything reads it; only a timeout's entry resets it,
so the value it is left with outside one is never read.

When the caller's own ``pymongo.timeout()`` is in force and ends no later than the
proxy's deadline would, the fast path sets nothing: nested, ``pymongo.timeout`` would keep
that earlier deadline (it takes the minimum) and change only ``TIMEOUT`` (which pymongo
reads as "a deadline is in force", true either way, and quotes as ``timeoutMS`` in timeout
errors) and ``RTT`` (left as the caller's block had it: never read before pymongo sets it
again, as above). A client's own ``timeoutMS`` is no reason to skip: pymongo would then
enter it itself through a ``pymongo.timeout``-like object on every operation, which costs
more.

That is safe only while ``pymongo.timeout`` sets exactly those three variables: `DIRECT`
says whether it does, checked once, at import; if pymongo does anything else (or the
variables are gone) the proxy takes its general path, which uses ``pymongo.timeout``.
"""

from __future__ import annotations

import contextvars
import time
from typing import Any

import pymongo

from ._compat import CSOT_VARIABLES

__all__ = ["DEADLINE", "DIRECT", "TIMEOUT", "monotonic"]

#: The clock of pymongo's deadlines.
monotonic = time.monotonic
#: pymongo's ``TIMEOUT`` and ``DEADLINE`` context variables (None if pymongo changed).
TIMEOUT: Any
DEADLINE: Any
_RTT: Any
TIMEOUT, DEADLINE, _RTT = CSOT_VARIABLES or (None, None, None)


def _pymongo_sets_only_these() -> bool:
    """Whether ``pymongo.timeout(5)`` sets exactly TIMEOUT=5, DEADLINE=now+5 and RTT=0."""
    if None in (TIMEOUT, DEADLINE, _RTT):
        return False

    def probe() -> bool:
        with pymongo.timeout(5.0):
            inside = contextvars.copy_context()
            now = monotonic()
        return (
            set(inside) == {TIMEOUT, DEADLINE, _RTT}
            and inside[TIMEOUT] == 5.0
            and 0.0 <= now + 5.0 - inside[DEADLINE] < 1.0
            and inside[_RTT] == 0.0
        )

    # An empty context: every variable found inside was set by pymongo.timeout.
    return contextvars.Context().run(probe)


#: Whether the proxy may set pymongo's variables itself (else it uses pymongo.timeout).
DIRECT = _pymongo_sets_only_these()
