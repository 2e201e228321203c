"""Typed stream messages: one small frozen class per message kind, each keeping ``.raw``.

Twitter warns that the list of message kinds is not complete, so anything unrecognised
becomes :class:`Unknown` instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Delete",
    "Disconnect",
    "Limit",
    "Message",
    "ScrubGeo",
    "StallWarning",
    "StatusWithheld",
    "StreamError",
    "Tweet",
    "Unknown",
    "UserWithheld",
    "parse_message",
]


@dataclass(frozen=True, slots=True)
class Tweet:
    """A Tweet: a v1.1 status object, or a v2 ``{"data": ...}`` payload.

    ``includes`` and ``matching_rules`` are filled for v2 only.
    """

    id: str
    text: str
    raw: dict[str, Any] = field(repr=False)
    includes: dict[str, Any] = field(default_factory=dict, repr=False)
    matching_rules: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Limit:
    """Undelivered matching Tweets since the connection opened (cumulative, v1.1)."""

    track: int
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Disconnect:
    """The server is about to close the stream; ``code`` decides reconnect or stop."""

    code: int
    stream_name: str
    reason: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class StallWarning:
    """The client reads too slowly (``FALLING_BEHIND``); needs ``stall_warnings=True``."""

    code: str
    percent_full: int
    message: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Delete:
    """A Tweet was deleted: purge it, even if it has not arrived yet."""

    status_id: str
    user_id: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class ScrubGeo:
    """Strip geo data from the user's Tweets up to ``up_to_status_id``."""

    user_id: str
    up_to_status_id: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class StatusWithheld:
    """A Tweet is withheld in some countries."""

    status_id: str
    user_id: str
    withheld_in_countries: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class UserWithheld:
    """A user is withheld in some countries."""

    user_id: str
    withheld_in_countries: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class StreamError:
    """A v2 in-stream ``errors`` line (HTTP status stays 200).

    ``disconnect_type`` is set for operational disconnects (``OperationalDisconnect``,
    ``UpstreamOperationalDisconnect``, ...), ``connection_issue`` for
    ``TooManyConnections``; both are empty for partial errors such as a deleted
    expansion. Of several errors in one line, the fields describe the first
    disconnect, or else the first error; all of them are in ``raw``.
    """

    title: str
    detail: str
    disconnect_type: str
    connection_issue: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A message of a kind this package does not know (Twitter may add kinds at any time)."""

    raw: dict[str, Any] = field(repr=False)


Message = (
    Tweet
    | Limit
    | Disconnect
    | StallWarning
    | Delete
    | ScrubGeo
    | StatusWithheld
    | UserWithheld
    | StreamError
    | Unknown
)


def _id(obj: dict[str, Any], key: str) -> str:
    text = obj.get(f"{key}_str")
    return str(text if text is not None else obj.get(key, ""))


def _v1_tweet(raw: dict[str, Any]) -> Tweet:
    extended = raw.get("extended_tweet")
    text = extended.get("full_text") if isinstance(extended, dict) else None
    return Tweet(id=_id(raw, "id"), text=str(text or raw.get("text", "")), raw=raw)


def _v2_payload(raw: dict[str, Any]) -> Message:
    data = raw.get("data")
    if isinstance(data, dict):
        rules = raw.get("matching_rules")
        includes = raw.get("includes")
        return Tweet(
            id=str(data.get("id", "")),
            text=str(data.get("text", "")),
            raw=raw,
            includes=includes if isinstance(includes, dict) else {},
            matching_rules=tuple(rules) if isinstance(rules, list) else (),
        )
    errors = raw["errors"]
    problems = [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []
    # A disconnect decides what the client does, wherever it stands in the list.
    first = next(
        (e for e in problems if e.get("disconnect_type") or e.get("connection_issue")),
        problems[0] if problems else {},
    )
    return StreamError(
        title=str(first.get("title", "")),
        detail=str(first.get("detail", "")),
        disconnect_type=str(first.get("disconnect_type", "")),
        connection_issue=str(first.get("connection_issue", "")),
        raw=raw,
    )


def _withheld_in(obj: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(c) for c in obj.get("withheld_in_countries") or ())


def parse_message(raw: Any) -> Message:
    """Classify one decoded JSON message.

    Parameters
    ----------
    raw : Any
        The decoded JSON value of one stream line.

    Returns
    -------
    Message
        The typed message; :class:`Unknown` for anything not recognised.

    Examples
    --------
    >>> parse_message({"limit": {"track": 12}})
    Limit(track=12)
    """
    if not isinstance(raw, dict):
        return Unknown(raw={"value": raw})
    try:
        return _classify(raw)
    except (AttributeError, TypeError, ValueError, KeyError):
        # A known key with an unexpected shape: keep the data, never fail the stream.
        return Unknown(raw=raw)


def _classify(raw: dict[str, Any]) -> Message:
    if "data" in raw or "errors" in raw:
        return _v2_payload(raw)
    if "text" in raw or "full_text" in raw or "in_reply_to_status_id" in raw:
        return _v1_tweet(raw)
    if "limit" in raw:
        return Limit(track=int(raw["limit"].get("track", 0)), raw=raw)
    if "disconnect" in raw:
        body = raw["disconnect"]
        return Disconnect(
            code=int(body.get("code", 0)),
            stream_name=str(body.get("stream_name", "")),
            reason=str(body.get("reason", "")),
            raw=raw,
        )
    if "warning" in raw:
        body = raw["warning"]
        return StallWarning(
            code=str(body.get("code", "")),
            percent_full=int(body.get("percent_full", 0)),
            message=str(body.get("message", "")),
            raw=raw,
        )
    if "delete" in raw:
        status = raw["delete"]["status"]
        return Delete(status_id=_id(status, "id"), user_id=_id(status, "user_id"), raw=raw)
    if "scrub_geo" in raw:
        body = raw["scrub_geo"]
        return ScrubGeo(
            user_id=_id(body, "user_id"),
            up_to_status_id=_id(body, "up_to_status_id"),
            raw=raw,
        )
    if "status_withheld" in raw:
        body = raw["status_withheld"]
        return StatusWithheld(
            status_id=_id(body, "id"),
            user_id=_id(body, "user_id"),
            withheld_in_countries=_withheld_in(body),
            raw=raw,
        )
    if "user_withheld" in raw:
        body = raw["user_withheld"]
        return UserWithheld(
            user_id=_id(body, "id"), withheld_in_countries=_withheld_in(body), raw=raw
        )
    return Unknown(raw=raw)
