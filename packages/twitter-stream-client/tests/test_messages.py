from __future__ import annotations

from typing import Any

import pytest

from twitter_stream_client import (
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
