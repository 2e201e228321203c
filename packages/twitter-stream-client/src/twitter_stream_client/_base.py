"""What both clients share: arguments, endpoint constructors, recording, stop flag, stats.

`StreamClient` (requests) and `AsyncStreamClient` (httpx) differ only in how they move
bytes and wait: both drive the same I/O-free core (`_flow`), which holds every decision
of a stream through the pure modules it calls (`_attempts`, `_body`, `_reader`,
`_recovery`); `_endpoints` builds what the constructors send.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from twitter_stream_client import _endpoints
from twitter_stream_client._attempts import AttemptTracker
from twitter_stream_client._auth import BearerToken
from twitter_stream_client._policy import ReconnectPolicy
from twitter_stream_client._recovery import Recovery
from twitter_stream_client._stats import StreamStats
from twitter_stream_client._transport import shutdown
from twitter_stream_client._version import __version__

__all__ = ["ClientBase"]

_C = TypeVar("_C", bound="ClientBase")
USER_AGENT = f"twitter-stream-client/{__version__}"


class ClientBase:
    """Arguments, constructors and shared state of both clients (see `StreamClient`)."""

    # What the driver's HTTP library raises when a read waits longer than its timeout:
    # the core counts such a read as a stall, not as a network error.
    _read_timeouts: tuple[type[BaseException], ...] = (TimeoutError,)

    def __init__(
        self,
        url: str,
        *,
        auth: Any,
        method: str = "GET",
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        policy: ReconnectPolicy | None = None,
        stall_timeout: float = 90.0,
        max_message_bytes: int = 1_048_576,
        recover: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if method not in ("GET", "POST"):
            raise ValueError(f"`method` must be 'GET' or 'POST', got {method!r}")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"`url` must be an http:// or https:// URL, got {url!r}")
        try:
            host = urllib.parse.urlsplit(url).hostname
        except ValueError as exc:
            raise ValueError(f"`url` is not a usable URL: {url!r} ({exc})") from None
        if not host:
            raise ValueError(f"`url` is not a usable URL: {url!r} (no host)")
        if isinstance(stall_timeout, bool) or not (
            isinstance(stall_timeout, (int, float)) and stall_timeout > 0
        ):
            raise ValueError(f"`stall_timeout` must be a positive number, got {stall_timeout!r}")
        if (
            isinstance(max_message_bytes, bool)
            or not isinstance(max_message_bytes, int)
            or max_message_bytes < 1
        ):
            raise ValueError(
                f"`max_message_bytes` must be a positive int, got {max_message_bytes!r}"
            )
        if policy is not None and not isinstance(policy, ReconnectPolicy):
            raise TypeError(f"`policy` must be a ReconnectPolicy, got {type(policy).__name__}")
        self.url = url
        self.method = method
        self.params = dict(params or {})
        self.data = dict(data or {})
        self.auth = auth
        self.policy = policy or ReconnectPolicy()
        self.stall_timeout = float(stall_timeout)
        self.max_message_bytes = max_message_bytes
        self.recover = bool(recover)
        self.stats = StreamStats()
        self._clock = clock
        self._stop_event = threading.Event()
        self._halted = False  # read before each message: cheaper than the event
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._record_path: Path | None = None
        self._recovery = Recovery() if recover else None
        delimited = self.params.get("delimited") or self.data.get("delimited")
        self._length_framing = delimited == "length"

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self.method} {self.url}', auth={self.auth!r})"

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def v1_filter(
        cls: type[_C],
        *,
        auth: Any,
        track: str | Iterable[str] | None = None,
        follow: str | Iterable[int | str] | None = None,
        locations: Sequence[float] | None = None,
        stall_warnings: bool = True,
        delimited: bool = False,
        url: str | None = None,
        **options: Any,
    ) -> _C:
        """v1.1 ``statuses/filter`` (POST form body, OAuth1; stall timeout 90 s).

        ``track``, ``follow`` and ``locations`` are ORed by the server; at least one is
        required. Lists are joined with commas. New apps get 403 from Twitter here.

        Examples
        --------
        >>> from twitter_stream_client import OAuth1Credentials, StreamClient
        >>> creds = OAuth1Credentials("ck", "cs", "tk", "ts")
        >>> StreamClient.v1_filter(track=["iphone", "ipad", "ipod"], auth=creds).data["track"]
        'iphone,ipad,ipod'
        """
        _no_recovery(options)
        form = _endpoints.v1_filter_form(
            track=track,
            follow=follow,
            locations=locations,
            stall_warnings=stall_warnings,
            delimited=delimited,
        )
        options.setdefault("stall_timeout", 90.0)
        url = url or _endpoints.default_url(_endpoints.V1_FILTER_URL)
        return cls(url, auth=auth, method="POST", data=form, **options)

    @classmethod
    def v1_sample(
        cls: type[_C],
        *,
        auth: Any,
        stall_warnings: bool = True,
        delimited: bool = False,
        url: str | None = None,
        **options: Any,
    ) -> _C:
        """v1.1 ``statuses/sample`` (GET, OAuth1; stall timeout 90 s).

        Examples
        --------
        >>> from twitter_stream_client import OAuth1Credentials, StreamClient
        >>> StreamClient.v1_sample(auth=OAuth1Credentials("ck", "cs", "tk", "ts")).params
        {'stall_warnings': 'true'}
        """
        _no_recovery(options)
        params = _endpoints.v1_sample_params(stall_warnings=stall_warnings, delimited=delimited)
        options.setdefault("stall_timeout", 90.0)
        url = url or _endpoints.default_url(_endpoints.V1_SAMPLE_URL)
        return cls(url, auth=auth, method="GET", params=params, **options)

    @classmethod
    def v2_filtered(
        cls: type[_C],
        *,
        bearer_token: str,
        expansions: str | Iterable[str] | None = None,
        tweet_fields: str | Iterable[str] | None = None,
        user_fields: str | Iterable[str] | None = None,
        media_fields: str | Iterable[str] | None = None,
        place_fields: str | Iterable[str] | None = None,
        poll_fields: str | Iterable[str] | None = None,
        backfill_minutes: int | None = None,
        recover: bool = False,
        url: str | None = None,
        **options: Any,
    ) -> _C:
        """v2 filtered stream (GET, bearer token; stall timeout 30 s).

        Manage its rules with `StreamRules`. Keep-alives come every 20 s; 30 s leaves
        room for late ones (20 s gives spurious reconnects in practice).

        ``recover=True`` makes reconnects gap-free: each reconnect asks for
        ``backfill_minutes`` covering the measured gap (rounded up, at most 5) and Tweets
        already delivered are dropped (counted in ``stats.duplicates``).
        ``backfill_minutes`` then applies to the first connection only.

        Examples
        --------
        >>> from twitter_stream_client import StreamClient
        >>> StreamClient.v2_filtered(bearer_token="AAAA", tweet_fields=["created_at"]).params
        {'tweet.fields': 'created_at'}
        """
        params = _endpoints.v2_params(
            backfill_minutes=backfill_minutes,
            expansions=expansions,
            tweet_fields=tweet_fields,
            user_fields=user_fields,
            media_fields=media_fields,
            place_fields=place_fields,
            poll_fields=poll_fields,
        )
        options.setdefault("stall_timeout", 30.0)
        url = url or _endpoints.default_url(_endpoints.V2_FILTERED_URL)
        return cls(url, auth=BearerToken(bearer_token), params=params, recover=recover, **options)

    @classmethod
    def v2_sample(
        cls: type[_C],
        *,
        bearer_token: str,
        url: str | None = None,
        **fields_and_options: Any,
    ) -> _C:
        """v2 1% sampled stream; the same field and client options as `v2_filtered`.

        Examples
        --------
        >>> from twitter_stream_client import StreamClient
        >>> StreamClient.v2_sample(bearer_token="AAAA").url
        'https://api.twitter.com/2/tweets/sample/stream'
        """
        url = url or _endpoints.default_url(_endpoints.V2_SAMPLE_URL)
        return cls.v2_filtered(bearer_token=bearer_token, url=url, **fields_and_options)

    @classmethod
    def v2_compliance(
        cls: type[_C],
        *,
        bearer_token: str,
        kind: str = "tweets",
        partition: int,
        backfill_minutes: int | None = None,
        start_time: datetime | str | None = None,
        end_time: datetime | str | None = None,
        recover: bool = False,
        url: str | None = None,
        **options: Any,
    ) -> _C:
        """A v2 compliance stream: Tweet or User compliance events as `ComplianceEvent`.

        Parameters
        ----------
        bearer_token : str
            App-only bearer token (the streams need Enterprise access).
        kind : {"tweets", "users"}, default="tweets"
        partition : {1, 2, 3, 4}
            Events are split over 4 partitions; consume all 4 to see every event.
        backfill_minutes : int, optional
            0 to 5 minutes to replay on connecting.
        start_time, end_time : datetime or ISO 8601 str, optional
            Timezone-aware bounds of the events to deliver.
        recover : bool, default=False
            Gap-free reconnects, as for `v2_filtered`.
        url : str, optional
            Overrides the endpoint of ``kind`` (as ``url=`` does for every constructor;
            without it, ``TWITTER_API_URL`` in the environment may set the host).

        Examples
        --------
        >>> from twitter_stream_client import StreamClient
        >>> client = StreamClient.v2_compliance(bearer_token="AAAA", kind="users", partition=2)
        >>> client.url, client.params
        ('https://api.twitter.com/2/users/compliance/stream', {'partition': '2'})
        """
        default_url, params = _endpoints.compliance_params(
            kind=kind,
            partition=partition,
            backfill_minutes=backfill_minutes,
            start_time=start_time,
            end_time=end_time,
        )
        options.setdefault("stall_timeout", 30.0)
        return cls(
            url or _endpoints.default_url(default_url),
            auth=BearerToken(bearer_token),
            params=params,
            recover=recover,
            **options,
        )

    # -- shared control -----------------------------------------------------------------

    @property
    def stopped(self) -> bool:
        """True once `stop` was called."""
        return self._stop_event.is_set()

    def _halt(self) -> None:
        """No message is yielded after this; the stream ends at its next step, and a read
        blocked on the live socket ends at once (closing the response would leave it
        waiting for the server's next byte)."""
        self._halted = True
        self._stop_event.set()
        with self._lock:
            sock = self._socket
        if sock is not None:
            shutdown(sock)

    def _set_socket(self, sock: socket.socket | None) -> None:
        """The live connection's socket (None between connections)."""
        with self._lock:
            self._socket = sock
            stopped = self._stop_event.is_set()
        if stopped and sock is not None:
            shutdown(sock)

    def _current_socket(self) -> socket.socket | None:
        with self._lock:
            return self._socket

    def record_to(self: _C, path: str | Path) -> _C:
        """Append each message's line, as received, to the JSONL file ``path`` as it is yielded.

        Keep-alives, lines that are not JSON objects, dropped duplicates and messages read
        but never yielded (after a stop) are not recorded.
        Read the file back with `replay`. Returns the client, for chaining.
        """
        self._record_path = Path(path)
        return self

    def _open_record(self) -> IO[bytes] | None:
        return None if self._record_path is None else self._record_path.open("ab")

    def _tracker(self) -> AttemptTracker:
        return AttemptTracker(self.policy, self._clock)

    def _query(self) -> dict[str, str]:
        """The query of the next connection: ``backfill_minutes`` from the gap, if recovering."""
        params = dict(self.params)
        if self._recovery is not None:
            minutes = self._recovery.backfill(self._clock())
            if minutes is not None:
                params["backfill_minutes"] = str(minutes)
        return params


def _no_recovery(options: Mapping[str, Any]) -> None:
    if options.get("recover"):
        raise ValueError("`recover` needs a v2 stream: v1.1 has no backfill_minutes")
