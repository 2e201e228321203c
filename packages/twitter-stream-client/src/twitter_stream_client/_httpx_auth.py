"""httpx auth flows for the asyncio client: OAuth 1.0a signed by oauthlib, and Bearer."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
from oauthlib.oauth1 import Client

from twitter_stream_client._auth import BearerToken, OAuth1Credentials

__all__ = ["BearerAuth", "OAuth1Auth", "httpx_auth"]

_FORM = "application/x-www-form-urlencoded"


class OAuth1Auth(httpx.Auth):
    """Sign each request with OAuth 1.0a HMAC-SHA1 (a fresh nonce and timestamp each time).

    A form body is part of the signature, as Twitter requires for ``statuses/filter``.
    """

    requires_request_body = True

    def __init__(self, credentials: OAuth1Credentials) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        creds = self._credentials
        signer = Client(
            creds.consumer_key,
            client_secret=creds.consumer_secret,
            resource_owner_key=creds.token,
            resource_owner_secret=creds.token_secret,
        )
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith(_FORM) and request.content:
            _, headers, _ = signer.sign(
                str(request.url),
                request.method,  # type: ignore[arg-type]
                request.content.decode("utf-8"),
                {"Content-Type": _FORM},
            )
        else:
            _, headers, _ = signer.sign(str(request.url), request.method)  # type: ignore[arg-type]
        request.headers["Authorization"] = headers["Authorization"]
        yield request


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``."""

    def __init__(self, token: BearerToken) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._token.authorization()
        yield request


def httpx_auth(auth: Any) -> httpx.Auth | None:
    """The httpx auth for a client's ``auth=`` argument."""
    if auth is None or isinstance(auth, httpx.Auth):
        return auth
    if isinstance(auth, OAuth1Credentials):
        return OAuth1Auth(auth)
    if isinstance(auth, BearerToken):
        return BearerAuth(auth)
    raise TypeError(
        "`auth` must be OAuth1Credentials, BearerToken, an httpx.Auth or None, "
        f"got {type(auth).__name__}"
    )
