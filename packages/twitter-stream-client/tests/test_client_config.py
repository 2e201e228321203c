"""Bad arguments fail early with a message naming the argument."""

from __future__ import annotations

import pytest

from twitter_stream_client import AsyncStreamClient, OAuth1Credentials, StreamClient, StreamRules

CREDS = OAuth1Credentials("a", "b", "c", "d")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "ftp://x"}, "`url` must be an http:// or https:// URL"),
        ({"url": "http://"}, "`url` is not a usable URL"),
        ({"method": "PUT"}, "`method` must be 'GET' or 'POST'"),
        ({"stall_timeout": 0}, "`stall_timeout` must be a positive number"),
        ({"max_message_bytes": 0}, "`max_message_bytes` must be a positive int"),
        ({"max_message_bytes": 1.5}, "`max_message_bytes` must be a positive int"),
    ],
)
def test_core_arguments(kwargs: dict[str, object], message: str) -> None:
    options: dict[str, object] = {"url": "http://127.0.0.1:1/s", "auth": None, **kwargs}
    with pytest.raises(ValueError, match=message):
        StreamClient(**options)  # type: ignore[arg-type]


def test_policy_type_is_checked() -> None:
    with pytest.raises(TypeError, match="`policy` must be a ReconnectPolicy"):
        StreamClient("http://127.0.0.1:1/s", auth=None, policy=lambda s: 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs at least one of `track`, `follow`, `locations`"),
        ({"track": []}, "`track` must not be empty"),
        ({"track": " , "}, "`track` must not be empty"),
        ({"locations": [1.0, 2.0, 3.0]}, "`locations` must hold 4 numbers per box"),
        ({"locations": [0.0] * 104}, "`locations` allows at most 25 boxes"),
    ],
)
def test_v1_filter_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StreamClient.v1_filter(auth=CREDS, **kwargs)  # type: ignore[arg-type]


def test_v1_filter_accepts_a_comma_string() -> None:
    client = StreamClient.v1_filter(track="iphone,ipad", auth=CREDS, stall_warnings=False)
    assert client.data == {"track": "iphone,ipad"}


@pytest.mark.parametrize("minutes", [-1, 6, True])
def test_v2_backfill_range(minutes: object) -> None:
    with pytest.raises(ValueError, match="`backfill_minutes` must be an int from 0 to 5"):
        StreamClient.v2_filtered(bearer_token="b", backfill_minutes=minutes)  # type: ignore[arg-type]


def test_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="tweet_feilds"):
        StreamClient.v2_filtered(bearer_token="b", tweet_feilds=["x"])


def test_twitter_api_url_moves_every_default_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWITTER_API_URL", "http://127.0.0.1:8080/")
    assert StreamClient.v2_filtered(bearer_token="b").url == (
        "http://127.0.0.1:8080/2/tweets/search/stream"
    )
    assert StreamClient.v1_filter(track="x", auth=CREDS).url == (
        "http://127.0.0.1:8080/1.1/statuses/filter.json"
    )
    assert StreamRules("b").url == "http://127.0.0.1:8080/2/tweets/search/stream/rules"
    # An explicit url= always wins.
    assert StreamClient.v2_sample(bearer_token="b", url="http://other/s").url == "http://other/s"
    monkeypatch.setenv("TWITTER_API_URL", "ftp://nowhere")
    with pytest.raises(ValueError, match="TWITTER_API_URL must be an http"):
        StreamClient.v2_filtered(bearer_token="b")


def test_async_client_takes_the_same_arguments() -> None:
    with pytest.raises(ValueError, match="`stall_timeout` must be a positive number"):
        AsyncStreamClient.v2_filtered(bearer_token="b", stall_timeout=0)
    with pytest.raises(TypeError, match="`auth` must be OAuth1Credentials, BearerToken"):
        AsyncStreamClient("http://127.0.0.1:1/s", auth=object())
    client = AsyncStreamClient.v1_filter(track=["a", "b"], auth=CREDS)
    assert (client.method, client.data) == ("POST", {"track": "a,b", "stall_warnings": "true"})


@pytest.mark.parametrize("cls", [StreamClient, AsyncStreamClient])
@pytest.mark.parametrize("constructor", ["v1_filter", "v1_sample"])
def test_recover_is_refused_on_v1(cls: type[StreamClient], constructor: str) -> None:
    # v1.1 has no backfill_minutes: recover=True would send a parameter it does not know
    # and promise a gap-free reconnect it cannot give.
    build = getattr(cls, constructor)
    options = {"track": "x"} if constructor == "v1_filter" else {}
    with pytest.raises(ValueError, match="`recover` needs a v2 stream"):
        build(auth=CREDS, recover=True, **options)
