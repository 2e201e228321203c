"""Robust consumer of the Twitter/X streaming APIs: v2 (bearer) and v1.1 (OAuth1).

`StreamClient` runs on requests; `AsyncStreamClient` (the ``async`` extra, httpx) is
imported on first use, so ``import twitter_stream_client`` loads neither asyncio nor httpx.

Examples
--------
>>> from twitter_stream_client import StreamClient
>>> StreamClient.v2_filtered(bearer_token="AAAA").stall_timeout
30.0
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from twitter_stream_client._auth import BearerToken, OAuth1Credentials
from twitter_stream_client._client import StreamClient
from twitter_stream_client._disconnects import DISCONNECT_CODES, V2_DISCONNECT_TYPES
from twitter_stream_client._endpoints import (
    V1_FILTER_URL,
    V1_SAMPLE_URL,
    V2_FILTERED_URL,
    V2_SAMPLE_URL,
    V2_TWEETS_COMPLIANCE_URL,
    V2_USERS_COMPLIANCE_URL,
)
from twitter_stream_client._errors import (
    AuthenticationError,
    FatalResponseError,
    MalformedRecording,
    RetriesExhausted,
    RulesError,
    StreamClientError,
    StreamDisconnected,
)
from twitter_stream_client._messages import (
    COMPLIANCE_ACTIONS,
    ComplianceEvent,
    Delete,
    Disconnect,
    Limit,
    Message,
    ScrubGeo,
    StallWarning,
    StatusWithheld,
    StreamError,
    Tweet,
    Unknown,
    UserWithheld,
    parse_message,
)
from twitter_stream_client._policy import (
    RATE_LIMIT_CAP,
    TWITTER_WAIT,
    ReconnectPolicy,
    StopStrategy,
    WaitStrategy,
    wait_by_cause,
)
from twitter_stream_client._recovery import MAX_BACKFILL_MINUTES
from twitter_stream_client._replay import replay
from twitter_stream_client._rules import V2_RULES_URL, RulesResult, StreamRule, StreamRules
from twitter_stream_client._state import Cause, ReconnectState
from twitter_stream_client._stats import StreamStats
from twitter_stream_client._strategies import (
    stop_after_attempt,
    stop_after_delay,
    stop_all,
    stop_any,
    stop_base,
    stop_never,
    wait_base,
    wait_chain,
    wait_combine,
    wait_exponential,
    wait_fixed,
    wait_incrementing,
    wait_none,
    wait_random,
    wait_random_exponential,
)
from twitter_stream_client._version import __version__

if TYPE_CHECKING:
    from twitter_stream_client._async_client import AsyncStreamClient

__all__ = [
    "COMPLIANCE_ACTIONS",
    "DISCONNECT_CODES",
    "MAX_BACKFILL_MINUTES",
    "RATE_LIMIT_CAP",
    "TWITTER_WAIT",
    "V1_FILTER_URL",
    "V1_SAMPLE_URL",
    "V2_DISCONNECT_TYPES",
    "V2_FILTERED_URL",
    "V2_RULES_URL",
    "V2_SAMPLE_URL",
    "V2_TWEETS_COMPLIANCE_URL",
    "V2_USERS_COMPLIANCE_URL",
    "AsyncStreamClient",
    "AuthenticationError",
    "BearerToken",
    "Cause",
    "ComplianceEvent",
    "Delete",
    "Disconnect",
    "FatalResponseError",
    "Limit",
    "MalformedRecording",
    "Message",
    "OAuth1Credentials",
    "ReconnectPolicy",
    "ReconnectState",
    "RetriesExhausted",
    "RulesError",
    "RulesResult",
    "ScrubGeo",
    "StallWarning",
    "StatusWithheld",
    "StopStrategy",
    "StreamClient",
    "StreamClientError",
    "StreamDisconnected",
    "StreamError",
    "StreamRule",
    "StreamRules",
    "StreamStats",
    "Tweet",
    "Unknown",
    "UserWithheld",
    "WaitStrategy",
    "__version__",
    "parse_message",
    "replay",
    "stop_after_attempt",
    "stop_after_delay",
    "stop_all",
    "stop_any",
    "stop_base",
    "stop_never",
    "wait_base",
    "wait_by_cause",
    "wait_chain",
    "wait_combine",
    "wait_exponential",
    "wait_fixed",
    "wait_incrementing",
    "wait_none",
    "wait_random",
    "wait_random_exponential",
]


def __getattr__(name: str) -> Any:
    # The asyncio client (and with it asyncio and httpx) is imported on first use.
    if name == "AsyncStreamClient":
        from twitter_stream_client._async_client import AsyncStreamClient

        globals()[name] = AsyncStreamClient
        return AsyncStreamClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


logging.getLogger(__name__).addHandler(logging.NullHandler())
