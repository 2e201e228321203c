"""Exceptions raised by twitter_stream_client.

::

    StreamClientError                 root of everything below
    ├── FatalResponseError            403/404/406/413/416/other 4xx: retrying cannot help
    │   └── AuthenticationError       a second 401 before any 200 (credentials, clock skew)
    ├── StreamDisconnected            the server asked us to stop (disconnect code or v2 error)
    ├── RetriesExhausted              the policy's stop strategy gave up
    ├── RulesError                    the v2 rules endpoint refused a request
    └── MalformedRecording            a line of a recording is not a JSON message (also ValueError)

Network errors, stalls, HTTP 5xx, 420 and 429 never surface: the client reconnects by
its policy. Bad arguments raise plain ``ValueError`` / ``TypeError`` naming the argument.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twitter_stream_client._state import ReconnectState

__all__ = [
    "AuthenticationError",
    "FatalResponseError",
    "MalformedRecording",
    "RetriesExhausted",
    "RulesError",
    "StreamClientError",
    "StreamDisconnected",
]


class StreamClientError(Exception):
    """Root of every error this package raises on purpose."""


class FatalResponseError(StreamClientError):
    """The stream endpoint answered with a status that retrying cannot fix.

    Not safe to retry unchanged: fix the parameters, the credentials or the account.

    Attributes
    ----------
    status_code : int
        The HTTP status.
    body : str
        The start of the response body (at most 4 KiB), which usually says why.
    """

    def __init__(self, status_code: int, body: str) -> None:
        self.status_code = status_code
        self.body = body
        super().__init__(f"stream endpoint answered HTTP {status_code}: {body[:300]!r}")


class AuthenticationError(FatalResponseError):
    """HTTP 401 a second time before any connection succeeded (answered 200).

    The first 401 is retried once, because an out-of-sync clock (OAuth timestamp) is
    transient; check the credentials and the system clock before retrying again.
    """


class StreamDisconnected(StreamClientError):
    """The server told the client to stop, and reconnecting would fight it.

    Raised after the message that caused it was yielded. Not safe to retry blindly:
    a duplicate stream (code 2) or an admin logout (7) means another consumer uses
    the same credentials.

    Attributes
    ----------
    reason : str
        The disconnect code or v2 ``disconnect_type`` and the server's text.
    raw : dict
        The message that ended the stream.
    """

    def __init__(self, reason: str, raw: dict[str, Any]) -> None:
        self.reason = reason
        self.raw = raw
        super().__init__(f"server ended the stream: {reason}")


class RetriesExhausted(StreamClientError):
    """The reconnect policy's stop strategy gave up.

    Attributes
    ----------
    state : ReconnectState
        The state the stop strategy saw: cause, attempts, last error or status.
    """

    def __init__(self, state: ReconnectState) -> None:
        self.state = state
        super().__init__(
            f"gave up after {state.attempt_number} failed connection attempts"
            f" (last: {state.describe()})"
        )


class RulesError(StreamClientError):
    """The v2 rules endpoint refused a request.

    Attributes
    ----------
    status_code : int
        The HTTP status.
    errors : list of dict
        The problems (RFC 7807 objects with ``title``, ``detail``, ``type``): the answer's
        ``errors`` array, or the answer itself when it is one problem at the top level
        (a 401 or 403 is); empty if the body said nothing readable.
    """

    def __init__(self, status_code: int, errors: list[dict[str, Any]], body: str) -> None:
        self.status_code = status_code
        self.errors = errors
        details = "; ".join(
            str(e.get("detail") or e.get("title") or e.get("message") or "") for e in errors
        ).strip("; ")
        super().__init__(
            f"rules endpoint answered HTTP {status_code}: {details or repr(body[:300])}"
        )


class MalformedRecording(StreamClientError, ValueError):
    """A line of a recording read by `replay` is not a JSON message (a JSON object).

    Not retryable: the file is damaged (or is not a recording). ``replay(..., errors="skip")``
    logs and skips such lines instead.

    Attributes
    ----------
    path : str
        The file.
    line_number : int
        The 1-based number of the offending line.
    line : bytes
        Its first 80 bytes.
    """

    def __init__(self, path: str, line_number: int, line: bytes) -> None:
        self.path = path
        self.line_number = line_number
        self.line = line[:80]
        super().__init__(f"{path}:{line_number}: not a JSON message: {self.line!r}")
