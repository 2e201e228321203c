from __future__ import annotations

import inspect
import subprocess
import sys
import types

import twitter_stream_client
import twitter_stream_client.testing

PUBLIC = {
    "COMPLIANCE_ACTIONS", "DISCONNECT_CODES", "MAX_BACKFILL_MINUTES", "RATE_LIMIT_CAP",
    "TWITTER_WAIT", "V1_FILTER_URL", "V1_SAMPLE_URL", "V2_DISCONNECT_TYPES", "V2_FILTERED_URL",
    "V2_RULES_URL", "V2_SAMPLE_URL", "V2_TWEETS_COMPLIANCE_URL", "V2_USERS_COMPLIANCE_URL",
    "AsyncStreamClient", "AuthenticationError", "BearerToken", "Cause", "ComplianceEvent",
    "Delete", "Disconnect", "FatalResponseError", "Limit", "MalformedRecording", "Message",
    "OAuth1Credentials", "ReconnectPolicy", "ReconnectState", "RetriesExhausted", "RulesError",
    "RulesResult", "ScrubGeo", "StallWarning", "StatusWithheld", "StopStrategy", "StreamClient",
    "StreamClientError", "StreamDisconnected", "StreamError", "StreamRule", "StreamRules",
    "StreamStats", "Tweet", "Unknown", "UserWithheld", "WaitStrategy", "__version__",
    "parse_message", "replay",
    "stop_after_attempt", "stop_after_delay", "stop_all", "stop_any", "stop_base", "stop_never",
    "wait_base", "wait_by_cause", "wait_chain", "wait_combine", "wait_exponential", "wait_fixed",
    "wait_incrementing", "wait_none", "wait_random", "wait_random_exponential",
}  # fmt: skip

TESTING = {
    "Cut", "Drip", "Hold", "Pause", "Raw", "RecordedRequest", "Reply", "ScriptedStreamServer",
    "Send", "SendEach", "Step", "WaitFor", "make_state",
}  # fmt: skip


def test_all_is_exactly_the_public_names() -> None:
    assert set(twitter_stream_client.__all__) == PUBLIC
    assert len(twitter_stream_client.__all__) == len(PUBLIC)


def test_every_exported_name_exists_and_has_a_docstring() -> None:
    for name in twitter_stream_client.__all__:
        value = getattr(twitter_stream_client, name)
        assert value is not None
        # Type aliases (WaitStrategy, StopStrategy) carry their doc in the source, as the
        # docs read it; Python 3.10 calls a generic alias a class.
        alias = isinstance(value, types.GenericAlias) or type(value).__module__ == "typing"
        if (inspect.isclass(value) or inspect.isfunction(value)) and not alias:
            assert (value.__doc__ or "").strip(), name


def test_no_name_is_shadowed_by_a_submodule() -> None:
    # `replay` the function, not a module of that name (the docs could not see it).
    assert callable(twitter_stream_client.replay)
    assert not isinstance(twitter_stream_client.replay, type(twitter_stream_client))


def test_testing_module_exports() -> None:
    assert set(twitter_stream_client.testing.__all__) == TESTING
    for name in TESTING:
        assert hasattr(twitter_stream_client.testing, name)


def test_version_is_a_constant_equal_to_the_metadata() -> None:
    from importlib.metadata import version

    assert twitter_stream_client.__version__ == version("twitter-stream-client")


def test_import_loads_no_asyncio_and_no_httpx() -> None:
    code = (
        "import sys, twitter_stream_client\n"
        "bad = sorted(m for m in ('asyncio', 'httpx', 'httpcore', 'anyio')"
        " if m in sys.modules)\n"
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_errors_share_one_root() -> None:
    for name in (
        "AuthenticationError", "FatalResponseError", "RetriesExhausted", "RulesError",
        "StreamDisconnected", "MalformedRecording",
    ):  # fmt: skip
        assert issubclass(
            getattr(twitter_stream_client, name), twitter_stream_client.StreamClientError
        )
    assert issubclass(twitter_stream_client.MalformedRecording, ValueError)
