"""Credentials: OAuth 1.0a user context (v1.1) and an app-only bearer token (v2).

Both keep their secrets out of ``repr``, logs and exception messages; signing is done
by requests-oauthlib (oauthlib), never by this package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import requests

__all__ = ["BearerToken", "OAuth1Credentials"]


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"`{name}` must be a non-empty string")


@dataclass(frozen=True)
class OAuth1Credentials:
    """The four OAuth 1.0a values of a user-context app (v1.1 streams).

    Parameters
    ----------
    consumer_key, consumer_secret, token, token_secret : str
        The app's consumer key/secret and the user's access token/secret.

    Examples
    --------
    >>> OAuth1Credentials("ck", "cs", "tk", "ts")
    OAuth1Credentials(consumer_key='ck', consumer_secret=***, token=***, token_secret=***)
    """

    consumer_key: str
    consumer_secret: str = field(repr=False)
    token: str = field(repr=False)
    token_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("consumer_key", "consumer_secret", "token", "token_secret"):
            _require_text(name, getattr(self, name))

    def __repr__(self) -> str:
        return (
            f"OAuth1Credentials(consumer_key={self.consumer_key!r}, consumer_secret=***,"
            " token=***, token_secret=***)"
        )

    @classmethod
    def from_env(cls, prefix: str = "TWITTER_") -> OAuth1Credentials:
        """Read the four values from the environment.

        The variables are ``{prefix}CONSUMER_KEY``, ``{prefix}CONSUMER_SECRET``,
        ``{prefix}ACCESS_TOKEN`` and ``{prefix}ACCESS_TOKEN_SECRET``.

        Raises
        ------
        KeyError
            Naming the first missing variable.
        """
        names = ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET")
        values = []
        for name in names:
            if not os.environ.get(prefix + name):
                raise KeyError(f"environment variable {prefix + name} is not set")
            values.append(os.environ[prefix + name])
        return cls(*values)

    def requests_auth(self) -> requests.auth.AuthBase:
        """A requests auth object that signs every request anew (fresh nonce and timestamp)."""
        # Imported here: requests-oauthlib and oauthlib are only needed to sign for v1.1.
        from requests_oauthlib import OAuth1

        return OAuth1(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.token,
            resource_owner_secret=self.token_secret,
        )


class BearerToken(requests.auth.AuthBase):
    """An app-only OAuth 2.0 bearer token (v2 streams and rules).

    Examples
    --------
    >>> BearerToken("AAAA-secret")
    BearerToken(***)
    """

    def __init__(self, token: str) -> None:
        _require_text("bearer_token", token)
        self._token = token

    def __repr__(self) -> str:
        return "BearerToken(***)"

    def authorization(self) -> str:
        """The ``Authorization`` header value."""
        return f"Bearer {self._token}"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self.authorization()
        return request
