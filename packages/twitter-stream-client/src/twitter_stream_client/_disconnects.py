"""What the client does when the server announces a disconnect: reconnect or stop.

v1.1 sends ``{"disconnect": {"code": N, ...}}``; v2 sends an ``errors`` line with a
``disconnect_type`` (or ``connection_issue``). Codes and types not listed reconnect,
because Twitter says new ones "may be used without warning".
"""

from __future__ import annotations

from typing import Literal

__all__ = ["DISCONNECT_CODES", "V2_DISCONNECT_TYPES", "Action"]

Action = Literal["reconnect", "stop", "rate_limit"]

DISCONNECT_CODES: dict[int, tuple[str, Action]] = {
    1: ("Shutdown: the server is restarting", "reconnect"),
    2: ("Duplicate stream: the same credentials opened another stream", "stop"),
    3: ("Control request (site streams)", "reconnect"),
    4: ("Stall: the client read too slowly", "reconnect"),
    5: ("Normal: the client side closed the stream", "stop"),
    6: ("Token revoked", "stop"),
    7: ("Admin logout: the same credentials connected elsewhere", "stop"),
    9: ("Max message limit: a count backfill finished", "stop"),
    10: ("Stream exception", "reconnect"),
    11: ("Broker stall", "reconnect"),
    12: ("Shed load: reconnect as usual", "reconnect"),
}
"""v1.1 disconnect code → (meaning, action). ``stop`` raises ``StreamDisconnected``."""

V2_DISCONNECT_TYPES: dict[str, Action] = {
    "OperationalDisconnect": "reconnect",
    "UpstreamOperationalDisconnect": "reconnect",
    "ForceDisconnect": "reconnect",
    "UpstreamUncleanDisconnect": "reconnect",
    "SlowReader": "reconnect",
    "InternalError": "reconnect",
    "ClientApplicationStateDegraded": "reconnect",
    "PackageUpgraded": "reconnect",
    "PackageDowngraded": "reconnect",
    "InvalidRules": "stop",
    "TooManyConnections": "rate_limit",
}
"""v2 ``disconnect_type`` or ``connection_issue`` → action. ``rate_limit`` reconnects with
the 420/429 backoff (another client holds the connection slot)."""


def v1_action(code: int) -> Action:
    """The action for a v1.1 disconnect code (unknown codes reconnect)."""
    entry = DISCONNECT_CODES.get(code)
    return entry[1] if entry else "reconnect"


def v2_action(disconnect_type: str, connection_issue: str) -> Action | None:
    """The action for a v2 error line, or None when it does not end the stream."""
    if connection_issue:
        return V2_DISCONNECT_TYPES.get(connection_issue, "reconnect")
    if disconnect_type:
        return V2_DISCONNECT_TYPES.get(disconnect_type, "reconnect")
    return None
