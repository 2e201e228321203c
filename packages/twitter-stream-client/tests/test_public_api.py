from __future__ import annotations

import twitter_stream_client
import twitter_stream_client.testing

PUBLIC = {
    "DISCONNECT_CODES", "RATE_LIMIT_CAP", "TWITTER_WAIT", "V1_FILTER_URL", "V1_SAMPLE_URL",
    "V2_DISCONNECT_TYPES", "V2_FILTERED_URL", "V2_RULES_URL", "V2_SAMPLE_URL",
    "AuthenticationError", "BearerToken", "Cause", "Delete", "Disconnect", "FatalResponseError",
    "Limit", "Message", "OAuth1Credentials", "ReconnectPolicy", "ReconnectState",
    "RetriesExhausted", "RulesError", "RulesResult", "ScrubGeo", "StallWarning",
    "StatusWithheld", "StopStrategy", "StreamClient", "StreamClientError", "StreamDisconnected",
    "StreamError", "StreamRule", "StreamRules", "StreamStats", "Tweet", "Unknown",
    "UserWithheld", "WaitStrategy", "__version__", "make_state", "parse_message", "replay",
    "stop_after_attempt", "stop_after_delay", "stop_never", "wait_by_cause",
    "wait_exponential", "wait_linear", "wait_random",
}  # fmt: skip

TESTING = {
    "Cut", "Drip", "Hold", "Pause", "Raw", "RecordedRequest", "Reply", "ScriptedStreamServer",
    "Send", "SendEach", "Step", "WaitFor",
}  # fmt: skip


def test_all_is_exactly_the_public_names() -> None:
    assert set(twitter_stream_client.__all__) == PUBLIC
    assert len(twitter_stream_client.__all__) == len(PUBLIC)


def test_every_exported_name_exists() -> None:
    for name in twitter_stream_client.__all__:
        assert getattr(twitter_stream_client, name) is not None


def test_testing_module_exports() -> None:
    assert set(twitter_stream_client.testing.__all__) == TESTING
    for name in TESTING:
        assert hasattr(twitter_stream_client.testing, name)


def test_version_comes_from_the_metadata() -> None:
    from importlib.metadata import version

    assert twitter_stream_client.__version__ == version("twitter-stream-client")


def test_errors_share_one_root() -> None:
    for name in (
        "AuthenticationError", "FatalResponseError", "RetriesExhausted", "RulesError",
        "StreamDisconnected",
    ):  # fmt: skip
        assert issubclass(
            getattr(twitter_stream_client, name), twitter_stream_client.StreamClientError
        )
