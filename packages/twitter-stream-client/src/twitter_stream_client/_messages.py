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


_new = object.__new__

# What a Tweet's fields are still to be built from (`Tweet._pending`).
_BUILT = 0
_V1_STATUS = 1  # raw is a v1.1 status
_V2_PAYLOAD = 2  # raw is a v2 {"data": ..., "includes": ..., "matching_rules": ...} line
_V2_OBJECT = 3  # raw is a v2 Tweet object out of a payload's includes (set beforehand)


class Tweet:
    """A Tweet: a v1.1 status object, or a v2 ``{"data": ...}`` payload.

    ``text`` is the full text wherever the payload has it: v1.1 ``extended_tweet.full_text``
    or a top-level ``full_text`` (REST-recorded statuses), v2 ``note_tweet.text``, else
    ``text``. A retweet's own text is Twitter's truncated ``RT @user: ...``; the retweeted
    Tweet, with its full text, is ``retweeted``, and a quoted one ``quoted`` (v2: when the
    ``referenced_tweets.id`` expansion put it in ``includes``, which an embedded v2 Tweet
    shares with its payload). ``includes`` and ``matching_rules`` are filled for v2 only.

    The fields are read-only, and a Tweet that came off a stream builds them from ``raw``
    when one is first read: a stream brings thousands a second, and a consumer reads a few
    fields of each. Tweets compare equal when all their fields are equal.

    Examples
    --------
    >>> rt = parse_message({"id_str": "2", "text": "RT @a: short…",
    ...                     "retweeted_status": {"id_str": "1", "full_text": "the whole text"}})
    >>> rt.text, rt.retweeted.text
    ('RT @a: short…', 'the whole text')
    >>> Tweet("1", "hello", raw={"id_str": "1", "text": "hello"})
    Tweet(id='1', text='hello', matching_rules=())
    """

    __slots__ = (
        "_id",
        "_includes",
        "_matching_rules",
        "_pending",
        "_quoted",
        "_raw",
        "_retweeted",
        "_text",
    )
    __match_args__ = ("id", "text", "raw", "includes", "matching_rules", "retweeted", "quoted")
    __hash__ = None  # type: ignore[assignment]  # equal by value, like its dict ``raw``

    def __init__(
        self,
        id: str,
        text: str,
        raw: dict[str, Any],
        includes: dict[str, Any] | None = None,
        matching_rules: tuple[dict[str, Any], ...] = (),
        retweeted: Tweet | None = None,
        quoted: Tweet | None = None,
    ) -> None:
        self._raw = raw
        self._pending = _BUILT
        self._id = id
        self._text = text
        self._includes = {} if includes is None else includes
        self._matching_rules = matching_rules
        self._retweeted = retweeted
        self._quoted = quoted

    @property
    def raw(self) -> dict[str, Any]:
        """The decoded JSON of the message (v2: the whole line; embedded: the Tweet object)."""
        return self._raw

    @property
    def id(self) -> str:
        """The Tweet's id (v1.1: ``id_str``)."""
        return self._build()._id if self._pending else self._id

    @property
    def text(self) -> str:
        """The full text (see the class description)."""
        return self._build()._text if self._pending else self._text

    @property
    def includes(self) -> dict[str, Any]:
        """v2 ``includes`` (expanded users, media, Tweets ...); empty for v1.1."""
        return self._build()._includes if self._pending else self._includes

    @property
    def matching_rules(self) -> tuple[dict[str, Any], ...]:
        """v2 ``matching_rules`` (``{"id": ..., "tag": ...}``); empty for v1.1."""
        return self._build()._matching_rules if self._pending else self._matching_rules

    @property
    def retweeted(self) -> Tweet | None:
        """The retweeted Tweet, typed, or None."""
        return self._build()._retweeted if self._pending else self._retweeted

    @property
    def quoted(self) -> Tweet | None:
        """The quoted Tweet, typed, or None."""
        return self._build()._quoted if self._pending else self._quoted

    def _fields(self) -> tuple[Any, ...]:
        return (self.id, self.text, self._raw, self.includes, self.matching_rules,
                self.retweeted, self.quoted)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        return f"Tweet(id={self.id!r}, text={self.text!r}, matching_rules={self.matching_rules!r})"

    def _build(self) -> Tweet:
        # Never raises on decoded JSON: every lookup is guarded. Embedded Tweets are built
        # lazily too, so no nesting depth of retweets can exhaust the stack.
        raw = self._raw
        pending = self._pending
        if pending == _V1_STATUS:
            extended = raw.get("extended_tweet")
            text = extended.get("full_text") if isinstance(extended, dict) else None
            if text is None:
                text = raw.get("full_text")
            self._id = _id(raw, "id")
            self._text = str(text if text is not None else raw.get("text", ""))
            self._includes = {}
            self._matching_rules = ()
            self._retweeted = _v1_embedded(raw.get("retweeted_status"))
            self._quoted = _v1_embedded(raw.get("quoted_status"))
        else:
            data = raw["data"] if pending == _V2_PAYLOAD else raw
            if pending == _V2_PAYLOAD:
                includes = raw.get("includes")
                self._includes = includes if isinstance(includes, dict) else {}
                rules = raw.get("matching_rules")
                self._matching_rules = tuple(rules) if isinstance(rules, list) else ()
            else:
                self._matching_rules = ()
            self._id = str(data["id"])
            self._text = _v2_text(data)
            self._retweeted = _v2_referenced(data, self._includes, "retweeted")
            self._quoted = _v2_referenced(data, self._includes, "quoted")
        self._pending = _BUILT
        return self


def _lazy_tweet(raw: dict[str, Any], kind: int) -> Tweet:
    tweet = _new(Tweet)
    tweet._raw = raw
    tweet._pending = kind
    return tweet


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


def _v1_embedded(status: Any) -> Tweet | None:
    return _lazy_tweet(status, _V1_STATUS) if isinstance(status, dict) else None


def _v2_text(data: dict[str, Any]) -> str:
    note = data.get("note_tweet")  # a Tweet longer than 280 characters
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return str(note["text"])
    text = data.get("text", "")
    return text if type(text) is str else str(text)


def _v2_referenced(data: dict[str, Any], includes: dict[str, Any], kind: str) -> Tweet | None:
    references = data.get("referenced_tweets")
    expanded = includes.get("tweets")
    if not isinstance(references, list) or not isinstance(expanded, list):
        return None
    for reference in references:
        if isinstance(reference, dict) and reference.get("type") == kind:
            wanted = str(reference.get("id"))
            for tweet in expanded:
                if isinstance(tweet, dict) and "id" in tweet and str(tweet["id"]) == wanted:
                    embedded = _lazy_tweet(tweet, _V2_OBJECT)
                    embedded._includes = includes
                    return embedded
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


def _v2_payload(raw: dict[str, Any]) -> Message:
    data = raw.get("data")
    if isinstance(data, dict):
        if "id" in data:
            return _lazy_tweet(raw, _V2_PAYLOAD)
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
    data = raw.get("data")
    if type(data) is dict and "id" in data and "errors" not in raw:
        # The bulk of every v2 stream, checked first and built without a call.
        tweet = _new(Tweet)
        tweet._raw = raw
        tweet._pending = _V2_PAYLOAD
        return tweet
    try:
        return _classify(raw)
    except (AttributeError, TypeError, ValueError, KeyError):
        # A known key with an unexpected shape: keep the data, never fail the stream.
        return Unknown(raw=raw)


def _classify(raw: dict[str, Any]) -> Message:
    if "data" in raw or "errors" in raw:
        return _v2_payload(raw)
    if "text" in raw or "full_text" in raw or "in_reply_to_status_id" in raw:
        return _lazy_tweet(raw, _V1_STATUS)
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
