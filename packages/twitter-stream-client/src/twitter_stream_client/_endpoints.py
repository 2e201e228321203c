"""The streaming endpoints: their URLs and the query or form each constructor sends.

Pure functions shared by both clients' constructors (``v1_filter``, ``v1_sample``,
``v2_filtered``, ``v2_sample``, ``v2_compliance``).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

__all__ = [
    "API_URL_VARIABLE",
    "V1_FILTER_URL",
    "V1_SAMPLE_URL",
    "V2_FILTERED_URL",
    "V2_SAMPLE_URL",
    "V2_TWEETS_COMPLIANCE_URL",
    "V2_USERS_COMPLIANCE_URL",
    "compliance_params",
    "default_url",
    "v1_filter_form",
    "v1_sample_params",
    "v2_params",
]

V1_FILTER_URL = "https://stream.twitter.com/1.1/statuses/filter.json"
V1_SAMPLE_URL = "https://stream.twitter.com/1.1/statuses/sample.json"
V2_FILTERED_URL = "https://api.twitter.com/2/tweets/search/stream"
V2_SAMPLE_URL = "https://api.twitter.com/2/tweets/sample/stream"
V2_TWEETS_COMPLIANCE_URL = "https://api.twitter.com/2/tweets/compliance/stream"
V2_USERS_COMPLIANCE_URL = "https://api.twitter.com/2/users/compliance/stream"

API_URL_VARIABLE = "TWITTER_API_URL"
"""An environment variable that, when set (``http://127.0.0.1:8080``), replaces the scheme
and host of every default endpoint: a compatible service, a proxy, a local test server."""


def default_url(url: str) -> str:
    """``url`` with its scheme and host taken from ``TWITTER_API_URL``, if that is set."""
    base = os.environ.get(API_URL_VARIABLE)
    if not base:
        return url
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{API_URL_VARIABLE} must be an http(s):// URL, got {base!r}")
    path = parts.path.rstrip("/") + urllib.parse.urlsplit(url).path
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


_V2_FIELDS = {
    "expansions": "expansions",
    "tweet_fields": "tweet.fields",
    "user_fields": "user.fields",
    "media_fields": "media.fields",
    "place_fields": "place.fields",
    "poll_fields": "poll.fields",
}


def _join(values: str | Iterable[object], name: str) -> str:
    items = values.split(",") if isinstance(values, str) else [str(v) for v in values]
    text = ",".join(item.strip() for item in items if item.strip())
    if not text:
        raise ValueError(f"`{name}` must not be empty")
    return text


def _locations(boxes: Sequence[float]) -> str:
    if len(boxes) % 4 or not boxes:
        raise ValueError(
            f"`locations` must hold 4 numbers per box (sw lon, sw lat, ne lon, ne lat), "
            f"got {len(boxes)}"
        )
    if len(boxes) > 100:
        raise ValueError(f"`locations` allows at most 25 boxes, got {len(boxes) // 4}")
    return ",".join(f"{float(v):.4f}" for v in boxes)


def v1_filter_form(
    *,
    track: str | Iterable[str] | None,
    follow: str | Iterable[int | str] | None,
    locations: Sequence[float] | None,
    stall_warnings: bool,
    delimited: bool,
) -> dict[str, str]:
    """The form body of v1.1 ``statuses/filter``; lists are joined with commas."""
    data: dict[str, str] = {}
    if track is not None:
        data["track"] = _join(track, "track")
    if follow is not None:
        data["follow"] = _join(follow, "follow")
    if locations is not None:
        data["locations"] = _locations(locations)
    if not data:
        raise ValueError("v1_filter needs at least one of `track`, `follow`, `locations`")
    if stall_warnings:
        data["stall_warnings"] = "true"
    if delimited:
        data["delimited"] = "length"
    return data


def v1_sample_params(*, stall_warnings: bool, delimited: bool) -> dict[str, str]:
    """The query of v1.1 ``statuses/sample``."""
    params: dict[str, str] = {}
    if stall_warnings:
        params["stall_warnings"] = "true"
    if delimited:
        params["delimited"] = "length"
    return params


def _backfill(params: dict[str, str], backfill_minutes: int | None) -> None:
    if backfill_minutes is not None:
        if isinstance(backfill_minutes, bool) or backfill_minutes not in range(6):
            raise ValueError(
                f"`backfill_minutes` must be an int from 0 to 5, got {backfill_minutes!r}"
            )
        params["backfill_minutes"] = str(backfill_minutes)


def v2_params(
    *, backfill_minutes: int | None, **fields: str | Iterable[str] | None
) -> dict[str, str]:
    """The query of the v2 filtered and sampled streams (``tweet_fields`` etc.)."""
    unknown = sorted(set(fields) - _V2_FIELDS.keys())
    if unknown:
        raise TypeError(f"unexpected keyword argument {unknown[0]!r}")
    params = {_V2_FIELDS[k]: _join(v, k) for k, v in fields.items() if v is not None}
    _backfill(params, backfill_minutes)
    return params


def _timestamp(name: str, value: datetime | str) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"`{name}` must be a datetime or an ISO 8601 time, got {value!r}"
            ) from None
    if not isinstance(value, datetime):
        raise TypeError(f"`{name}` must be a datetime or an ISO 8601 string, got {value!r}")
    if value.tzinfo is None:
        raise ValueError(f"`{name}` must be timezone-aware (UTC), got {value!r}")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def compliance_params(
    *,
    kind: str,
    partition: int,
    backfill_minutes: int | None,
    start_time: datetime | str | None,
    end_time: datetime | str | None,
) -> tuple[str, dict[str, str]]:
    """The URL and query of a v2 compliance stream."""
    urls = {"tweets": V2_TWEETS_COMPLIANCE_URL, "users": V2_USERS_COMPLIANCE_URL}
    if kind not in urls:
        raise ValueError(f"`kind` must be 'tweets' or 'users', got {kind!r}")
    if isinstance(partition, bool) or partition not in range(1, 5):
        raise ValueError(f"`partition` must be an int from 1 to 4, got {partition!r}")
    params = {"partition": str(partition)}
    _backfill(params, backfill_minutes)
    if start_time is not None:
        params["start_time"] = _timestamp("start_time", start_time)
    if end_time is not None:
        params["end_time"] = _timestamp("end_time", end_time)
    return urls[kind], params
