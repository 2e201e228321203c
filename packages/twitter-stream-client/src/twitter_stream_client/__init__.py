"""Robust consumer of the Twitter/X streaming APIs (v1.1 OAuth1 and v2 bearer) on requests.

>>> from twitter_stream_client import StreamClient, OAuth1Credentials, Tweet, Limit
"""

from __future__ import annotations

import logging

from twitter_stream_client._version import __version__
from twitter_stream_client.auth import BearerToken, OAuth1Credentials
from twitter_stream_client.client import (
    V1_FILTER_URL,
    V1_SAMPLE_URL,
    V2_FILTERED_URL,
    V2_SAMPLE_URL,
    StreamClient,
)
from twitter_stream_client.disconnects import DISCONNECT_CODES, V2_DISCONNECT_TYPES
from twitter_stream_client.errors import (
    AuthenticationError,
    FatalResponseError,
    RetriesExhausted,
    RulesError,
    StreamClientError,
    StreamDisconnected,
)
from twitter_stream_client.messages import (
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
from twitter_stream_client.reconnect import (
    RATE_LIMIT_CAP,
    TWITTER_WAIT,
    Cause,
    ReconnectPolicy,
    ReconnectState,
    make_state,
)
from twitter_stream_client.replay import replay
from twitter_stream_client.rules import V2_RULES_URL, RulesResult, StreamRule, StreamRules
from twitter_stream_client.stats import StreamStats
from twitter_stream_client.stop import (
    StopStrategy,
    stop_after_attempt,
    stop_after_delay,
    stop_never,
)
from twitter_stream_client.wait import (
    WaitStrategy,
    wait_by_cause,
    wait_exponential,
    wait_linear,
    wait_random,
)

__all__ = [
    "DISCONNECT_CODES",
    "RATE_LIMIT_CAP",
    "TWITTER_WAIT",
    "V1_FILTER_URL",
    "V1_SAMPLE_URL",
    "V2_DISCONNECT_TYPES",
    "V2_FILTERED_URL",
    "V2_RULES_URL",
    "V2_SAMPLE_URL",
    "AuthenticationError",
    "BearerToken",
    "Cause",
    "Delete",
    "Disconnect",
    "FatalResponseError",
    "Limit",
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
    "make_state",
    "parse_message",
    "replay",
    "stop_after_attempt",
    "stop_after_delay",
    "stop_never",
    "wait_by_cause",
    "wait_exponential",
    "wait_linear",
    "wait_random",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
