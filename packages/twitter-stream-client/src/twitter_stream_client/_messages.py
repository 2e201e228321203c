"""Typed stream messages: one small class per message kind, each keeping ``.raw``.

Twitter warns that the list of message kinds is not complete, so anything unrecognised
becomes `Unknown` instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "COMPLIANCE_ACTIONS",
    "ComplianceEvent",
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


# Tweet and ComplianceEvent are the kinds a stream carries by the thousand: they are not
# frozen, because a frozen dataclass builds about 4x slower (object.__setattr__ per field),
# a measurable share of a message's cost. Treat them as read-only all the same.
@dataclass(slots=True)
class Tweet:
    """A Tweet: a v1.1 status object, or a v2 ``{"data": ...}`` payload.

    ``text`` is the full text wherever the payload has it: v1.1 ``extended_tweet.full_text``
    or a top-level ``full_text`` (REST-recorded statuses), v2 ``note_tweet.text``, else
    ``text``. A retweet's own text is Twitter's truncated ``RT @user: ...``; the retweeted
    Tweet, with its full text, is ``retweeted`` (v2: when the ``referenced_tweets.id``
    expansion put it in ``includes``). ``includes`` and ``matching_rules`` are filled for
    v2 only.

    Examples
    --------
    >>> rt = parse_message({"id_str": "2", "text": "RT @a: short…",
    ...                     "retweeted_status": {"id_str": "1", "full_text": "the whole text"}})
    >>> rt.text, rt.retweeted.text
    ('RT @a: short…', 'the whole text')
    """

    id: str
    text: str
    raw: dict[str, Any] = field(repr=False)
    includes: dict[str, Any] = field(default_factory=dict, repr=False)
    matching_rules: tuple[dict[str, Any], ...] = ()
    retweeted: Tweet | None = field(default=None, repr=False)
    quoted: Tweet | None = field(default=None, repr=False)


COMPLIANCE_ACTIONS = frozenset(
    {
        "delete",
        "tweet_edit",
        "withheld",
        "drop",
        "undrop",
        "scrub_geo",
        "user_delete",
        "user_undelete",
        "user_withheld",
        "user_protect",
        "user_unprotect",
        "user_suspend",
        "user_unsuspend",
        "user_profile_modification",
    }
)
"""The event kinds of the v2 Tweet and User compliance streams, as documented."""


@dataclass(slots=True)
class ComplianceEvent:
    """One event of a v2 compliance stream (`StreamClient.v2_compliance`).

    Attributes
    ----------
    action : str
        The event kind: ``delete``, ``tweet_edit``, ``withheld``, ``drop``, ``undrop``,
        ``scrub_geo``, ``user_delete``, ``user_undelete``, ``user_withheld``,
        ``user_protect``, ``user_unprotect``, ``user_suspend``, ``user_unsuspend``,
        ``user_profile_modification``, or one Twitter adds later.
    tweet_id : str or None
        The Tweet the event is about (Tweet events), or ``up_to_tweet_id`` of a scrub_geo.
    user_id : str or None
        The user the event is about: the Tweet's ``author_id``, or the user of a user event.
    event_at : datetime or None
        When it happened (timezone-aware), if the event says.
    withheld_in_countries : tuple of str
        Country codes of a ``withheld`` or ``user_withheld`` event.
    raw : dict
        The whole line, for fields not lifted here (``edit_tweet_ids``, ``new_value``, ...).

    Examples
    --------
    >>> event = parse_message({"data": {"delete": {
    ...     "tweet": {"id": "601430178305220608", "author_id": "3198576760"},
    ...     "event_at": "2022-12-23T12:34:56.789Z"}}})
    >>> event.action, event.tweet_id, event.user_id, event.event_at.year
    ('delete', '601430178305220608', '3198576760', 2022)
    """

    action: str
    tweet_id: str | None
    user_id: str | None
    event_at: datetime | None
    raw: dict[str, Any] = field(repr=False)
    withheld_in_countries: tuple[str, ...] = ()


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
    | ComplianceEvent
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
    if text is None:
        text = raw.get("full_text")
    return Tweet(
        id=_id(raw, "id"),
        text=str(text if text is not None else raw.get("text", "")),
        raw=raw,
        retweeted=_v1_embedded(raw.get("retweeted_status")),
        quoted=_v1_embedded(raw.get("quoted_status")),
    )


def _v1_embedded(status: Any) -> Tweet | None:
    return _v1_tweet(status) if isinstance(status, dict) else None


def _v2_text(data: dict[str, Any]) -> str:
    note = data.get("note_tweet")  # a Tweet longer than 280 characters
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return str(note["text"])
    return str(data.get("text", ""))


def _v2_referenced(data: dict[str, Any], includes: dict[str, Any], kind: str) -> Tweet | None:
    references = data.get("referenced_tweets")
    expanded = includes.get("tweets")
    if not isinstance(references, list) or not isinstance(expanded, list):
        return None
    for reference in references:
        if isinstance(reference, dict) and reference.get("type") == kind:
            wanted = str(reference.get("id"))
            for tweet in expanded:
                if isinstance(tweet, dict) and str(tweet.get("id")) == wanted:
                    return Tweet(id=wanted, text=_v2_text(tweet), raw=tweet)
    return None


def _event_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:  # Python 3.10 reads neither "Z" nor fractions other than 3 or 6 digits
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _compliance(raw: dict[str, Any], action: str, body: dict[str, Any]) -> ComplianceEvent:
    tweet = body.get("tweet")
    user = body.get("user")
    tweet_id = tweet.get("id") if isinstance(tweet, dict) else body.get("up_to_tweet_id")
    if isinstance(tweet, dict):
        user_id = tweet.get("author_id")
    else:
        user_id = user.get("id") if isinstance(user, dict) else None
    return ComplianceEvent(
        action=action,
        tweet_id=None if tweet_id is None else str(tweet_id),
        user_id=None if user_id is None else str(user_id),
        event_at=_event_time(body.get("event_at")),
        raw=raw,
        withheld_in_countries=_withheld_in(body),
    )


def _v2_tweet(raw: dict[str, Any], data: dict[str, Any]) -> Tweet:
    rules = raw.get("matching_rules")
    includes = raw.get("includes")
    if type(includes) is not dict:
        includes = {}
    retweeted = quoted = None
    if "referenced_tweets" in data:  # most Tweets reference none: skip the search
        retweeted = _v2_referenced(data, includes, "retweeted")
        quoted = _v2_referenced(data, includes, "quoted")
    text = data.get("text", "") if "note_tweet" not in data else _v2_text(data)
    return Tweet(
        str(data["id"]),
        text if type(text) is str else str(text),
        raw,
        includes,
        tuple(rules) if type(rules) is list else (),
        retweeted,
        quoted,
    )


def _v2_payload(raw: dict[str, Any]) -> Message:
    data = raw.get("data")
    if isinstance(data, dict):
        if "id" in data:
            return _v2_tweet(raw, data)
        if len(data) == 1:
            ((action, body),) = data.items()
            # Documented kinds, and any later one shaped like them (an object with a time).
            if isinstance(body, dict) and (action in COMPLIANCE_ACTIONS or "event_at" in body):
                return _compliance(raw, action, body)
        if "errors" not in raw:
            return Unknown(raw=raw)
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
        The typed message; `Unknown` for anything not recognised.

    Examples
    --------
    >>> parse_message({"limit": {"track": 12}})
    Limit(track=12)
    """
    if type(raw) is not dict:
        if isinstance(raw, dict):
            raw = dict(raw)
        else:
            return Unknown(raw={"value": raw})
    try:
        data = raw.get("data")
        if type(data) is dict and "id" in data and "errors" not in raw:
            return _v2_tweet(raw, data)  # the bulk of every v2 stream, checked first
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
