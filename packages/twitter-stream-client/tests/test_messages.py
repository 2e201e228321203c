from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from twitter_stream_client import (
    ComplianceEvent,
    Delete,
    Disconnect,
    Limit,
    ScrubGeo,
    StallWarning,
    StatusWithheld,
    StreamError,
    Tweet,
    Unknown,
    UserWithheld,
    parse_message,
)


def test_v1_tweet() -> None:
    raw = {"id": 5, "id_str": "5", "text": "hello", "in_reply_to_status_id": None}
    message = parse_message(raw)
    assert message == Tweet(id="5", text="hello", raw=raw)
    assert message.raw is raw


def test_v1_extended_tweet_uses_full_text() -> None:
    raw = {"id_str": "6", "text": "short…", "extended_tweet": {"full_text": "the long text"}}
    assert parse_message(raw).text == "the long text"  # type: ignore[union-attr]


def test_v2_payload_with_includes_and_rules() -> None:
    raw = {
        "data": {"id": "9", "text": "v2 hello"},
        "includes": {"users": [{"id": "1"}]},
        "matching_rules": [{"id": "r1", "tag": "cats"}],
    }
    message = parse_message(raw)
    assert isinstance(message, Tweet)
    assert (message.id, message.text) == ("9", "v2 hello")
    assert message.includes == {"users": [{"id": "1"}]}
    assert message.matching_rules == ({"id": "r1", "tag": "cats"},)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"limit": {"track": 1234}}, Limit(track=1234, raw={})),
        (
            {"disconnect": {"code": 4, "stream_name": "s", "reason": "slow"}},
            Disconnect(code=4, stream_name="s", reason="slow", raw={}),
        ),
        (
            {"warning": {"code": "FALLING_BEHIND", "message": "m", "percent_full": 60}},
            StallWarning(code="FALLING_BEHIND", percent_full=60, message="m", raw={}),
        ),
        (
            {"delete": {"status": {"id": 1, "id_str": "1", "user_id": 3, "user_id_str": "3"}}},
            Delete(status_id="1", user_id="3", raw={}),
        ),
        (
            {"scrub_geo": {"user_id": 3, "up_to_status_id": 10}},
            ScrubGeo(user_id="3", up_to_status_id="10", raw={}),
        ),
        (
            {"status_withheld": {"id": 1, "user_id": 3, "withheld_in_countries": ["DE", "AR"]}},
            StatusWithheld(status_id="1", user_id="3", withheld_in_countries=("DE", "AR"), raw={}),
        ),
        (
            {"user_withheld": {"id": 3, "withheld_in_countries": ["DE"]}},
            UserWithheld(user_id="3", withheld_in_countries=("DE",), raw={}),
        ),
        (
            {
                "errors": [
                    {
                        "title": "operational-disconnect",
                        "disconnect_type": "UpstreamOperationalDisconnect",
                        "detail": "d",
                    }
                ]
            },
            StreamError(
                title="operational-disconnect",
                detail="d",
                disconnect_type="UpstreamOperationalDisconnect",
                connection_issue="",
                raw={},
            ),
        ),
        ({"friends": [1, 2]}, Unknown(raw={})),
    ],
)
def test_each_kind(raw: dict[str, Any], expected: Any) -> None:
    message = parse_message(raw)
    assert type(message) is type(expected)
    fields = {k: v for k, v in vars_of(message).items() if k != "raw"}
    assert fields == {k: v for k, v in vars_of(expected).items() if k != "raw"}
    assert message.raw == raw


def vars_of(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def test_known_key_with_unexpected_shape_is_unknown_not_an_error() -> None:
    assert isinstance(parse_message({"limit": "not an object"}), Unknown)
    assert isinstance(parse_message({"delete": {}}), Unknown)


def test_non_object_json_is_unknown() -> None:
    assert parse_message([1, 2]) == Unknown(raw={"value": [1, 2]})


def test_match_statement_from_the_issue() -> None:
    def route(message: Any) -> str:
        match message:
            case Tweet():
                return "tweet"
            case Limit(track=n):
                return f"limit {n}"
            case _:
                return "other"

    assert route(parse_message({"limit": {"track": 7}})) == "limit 7"
    assert route(parse_message({"text": "x", "id_str": "1"})) == "tweet"


def test_top_level_full_text_is_the_text() -> None:
    raw = {"id": 1, "id_str": "1", "full_text": "hello full", "user": {"id": 2}}
    assert parse_message(raw) == Tweet(id="1", text="hello full", raw=raw)


def test_v1_retweet_and_quote_are_typed_tweets_with_their_full_text() -> None:
    original = {
        "id_str": "10",
        "text": "the original, truncated…",
        "truncated": True,
        "extended_tweet": {"full_text": "the original, all of it"},
    }
    quoted = {"id_str": "11", "text": "quoted text"}
    raw = {
        "id_str": "12",
        "text": "RT @a: the original, trunc…",
        "retweeted_status": original,
        "quoted_status": quoted,
    }
    tweet = parse_message(raw)
    assert isinstance(tweet, Tweet)
    assert tweet.text == "RT @a: the original, trunc…"
    assert tweet.retweeted == Tweet(id="10", text="the original, all of it", raw=original)
    assert tweet.quoted == Tweet(id="11", text="quoted text", raw=quoted)
    assert parse_message(quoted).retweeted is None  # type: ignore[union-attr]


def test_v2_note_tweet_and_expanded_references() -> None:
    raw = {
        "data": {
            "id": "3",
            "text": "RT @b: cut…",
            "referenced_tweets": [{"type": "retweeted", "id": "1"}, {"type": "quoted", "id": "2"}],
        },
        "includes": {
            "tweets": [
                {"id": "1", "text": "long…", "note_tweet": {"text": "long, and whole"}},
                {"id": "2", "text": "a quote"},
            ]
        },
    }
    tweet = parse_message(raw)
    assert isinstance(tweet, Tweet)
    assert tweet.retweeted is not None
    assert (tweet.retweeted.id, tweet.retweeted.text) == ("1", "long, and whole")
    assert tweet.quoted is not None
    assert (tweet.quoted.id, tweet.quoted.text) == ("2", "a quote")
    unexpanded = parse_message({"data": {"id": "4", "text": "t", "referenced_tweets": [
        {"type": "retweeted", "id": "1"}]}})  # fmt: skip
    assert unexpanded.retweeted is None  # type: ignore[union-attr]


# The payloads of Twitter's "Compliance Data Objects" page, one per event kind.
COMPLIANCE = [
    ({"delete": {"tweet": {"id": "601430178305220608", "author_id": "3198576760"},
                 "event_at": "2022-12-23T12:34:56.789Z"}},
     "delete", "601430178305220608", "3198576760", ()),
    ({"tweet_edit": {"tweet": {"id": "1567233994734948354"},
                     "initial_tweet_id": "1567233844205453313",
                     "edit_tweet_ids": ["1567233844205453313", "1567233994734948354"],
                     "event_at": "2022-09-06T19:31:16.801Z"}},
     "tweet_edit", "1567233994734948354", None, ()),
    ({"withheld": {"tweet": {"id": "601430178305220608", "author_id": "3198576760"},
                   "withheld_in_countries": ["XY"], "event_at": "2022-12-23T12:34:56.789Z"}},
     "withheld", "601430178305220608", "3198576760", ("XY",)),
    ({"drop": {"tweet": {"id": "601430178305220600", "author_id": "3198576760"},
               "event_at": "2022-12-23T12:34:56.789Z"}},
     "drop", "601430178305220600", "3198576760", ()),
    ({"undrop": {"tweet": {"id": "601430178305220600", "author_id": "3198576760"},
                 "event_at": "2022-12-23T12:34:56.789Z"}},
     "undrop", "601430178305220600", "3198576760", ()),
    ({"scrub_geo": {"user": {"id": "1375036644"}, "up_to_tweet_id": "411552403083628544",
                    "event_at": "2022-06-27T23:49:41.839+00:00"}},
     "scrub_geo", "411552403083628544", "1375036644", ()),
    ({"user_delete": {"user": {"id": "1375036644"},
                      "event_at": "2022-06-27T23:49:41.839+00:00"}},
     "user_delete", None, "1375036644", ()),
    ({"user_withheld": {"user": {"id": "1375036644"}, "withheld_in_countries": ["XY"],
                        "event_at": "2022-06-27T23:49:41.839+00:00"}},
     "user_withheld", None, "1375036644", ("XY",)),
    ({"user_protect": {"user": {"id": "3182003550"},
                       "event_at": "2022-06-27T23:49:41.839+00:00"}},
     "user_protect", None, "3182003550", ()),
    ({"user_suspend": {"user": {"id": "1375036644"},
                       "event_at": "2022-06-27T23:49:41.839+00:00"}},
     "user_suspend", None, "1375036644", ()),
    ({"user_profile_modification": {"user": {"id": "906948460078698496"},
                                    "event_at": "2022-07-12T19:47:59.442Z",
                                    "profile_field": "profile.description",
                                    "new_value": "Home of the @SnowbotDev chatbot."}},
     "user_profile_modification", None, "906948460078698496", ()),
]  # fmt: skip


@pytest.mark.parametrize(("data", "action", "tweet_id", "user_id", "countries"), COMPLIANCE)
def test_compliance_events_are_typed_never_an_empty_tweet(
    data: dict[str, Any], action: str, tweet_id: str | None, user_id: str | None,
    countries: tuple[str, ...],
) -> None:  # fmt: skip
    raw = {"data": data}
    event = parse_message(raw)
    assert event == ComplianceEvent(
        action=action, tweet_id=tweet_id, user_id=user_id, event_at=event.event_at,  # type: ignore[union-attr]
        raw=raw, withheld_in_countries=countries,
    )  # fmt: skip
    stamp = data[action]["event_at"]
    expected = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert event.event_at == expected  # type: ignore[union-attr]
    assert event.event_at.tzinfo is not None  # type: ignore[union-attr]


def test_a_data_object_without_an_id_is_never_an_empty_tweet() -> None:
    assert parse_message({"data": {"something": "new"}}) == Unknown(
        raw={"data": {"something": "new"}}
    )
    later = parse_message({"data": {"user_new_kind": {"user": {"id": "5"}, "event_at": "x"}}})
    assert isinstance(later, ComplianceEvent)
    assert (later.action, later.user_id, later.event_at) == ("user_new_kind", "5", None)


def test_deeply_nested_retweets_do_not_exhaust_the_stack() -> None:
    # A payload is nested at most as deep as the JSON decoder allows (orjson: 1024), which
    # a recursive walk of retweeted_status would exceed in frames: a bad line must never
    # crash the stream.
    raw: dict[str, Any] = {"id_str": "0", "text": "t0"}
    inner = raw
    for number in range(1, 1000):
        inner["retweeted_status"] = {"id_str": str(number), "text": f"t{number}"}
        inner = inner["retweeted_status"]
    message = parse_message(raw)
    assert isinstance(message, Tweet)
    depth = 0
    while message.retweeted is not None:
        message = message.retweeted
        depth += 1
    assert (depth, message.text) == (999, "t999")


def test_v2_embedded_tweets_resolve_their_own_references_from_the_includes() -> None:
    # A retweet of a quote: v1.1 nests the quote inside the retweeted status; v2 lists both
    # Tweets in includes, and the retweeted one references the quoted one.
    raw = {
        "data": {"id": "3", "text": "RT @b: …", "author_id": "30",
                 "referenced_tweets": [{"type": "retweeted", "id": "2"}]},
        "includes": {
            "tweets": [
                {"id": "2", "text": "look at this", "author_id": "20",
                 "referenced_tweets": [{"type": "quoted", "id": "1"}]},
                {"id": "1", "text": "the quoted one", "author_id": "10"},
            ],
            "users": [{"id": "20", "username": "b"}, {"id": "10", "username": "a"}],
        },
    }  # fmt: skip
    tweet = parse_message(raw)
    assert isinstance(tweet, Tweet)
    assert tweet.retweeted is not None
    assert tweet.retweeted.quoted is not None
    assert (tweet.retweeted.quoted.id, tweet.retweeted.quoted.text) == ("1", "the quoted one")
    assert tweet.retweeted.includes["users"][0]["username"] == "b"  # its author is there
    assert tweet.retweeted.matching_rules == ()


def test_a_tweet_is_read_only_comparable_and_picklable() -> None:
    import pickle

    raw = {"data": {"id": "9", "text": "v2 hello"}, "matching_rules": [{"id": "r1"}]}
    tweet = parse_message(raw)
    with pytest.raises(AttributeError):
        tweet.text = "changed"  # type: ignore[misc, union-attr]
    assert repr(tweet) == "Tweet(id='9', text='v2 hello', matching_rules=({'id': 'r1'},))"
    same = Tweet("9", "v2 hello", raw, {}, ({"id": "r1"},))
    assert tweet == same
    assert tweet != Tweet("9", "other", raw, {}, ({"id": "r1"},))
    assert pickle.loads(pickle.dumps(parse_message(raw))) == same
    with pytest.raises(TypeError, match="unhashable"):
        hash(tweet)
    match tweet:
        case Tweet(tweet_id, text=text):
            assert (tweet_id, text) == ("9", "v2 hello")
