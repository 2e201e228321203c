"""The v2 filtered-stream rules endpoint: `StreamRules`.

Rules can change while the stream is connected; no reconnect is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import requests

from twitter_stream_client._auth import BearerToken
from twitter_stream_client._endpoints import default_url
from twitter_stream_client._errors import RulesError

__all__ = ["V2_RULES_URL", "RulesResult", "StreamRule", "StreamRules"]

V2_RULES_URL = "https://api.twitter.com/2/tweets/search/stream/rules"
_TIMEOUT = 30.0


@dataclass(frozen=True)
class StreamRule:
    """One filtered-stream rule; ``id`` is set by the server."""

    value: str
    tag: str | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not self.value.strip():
            raise ValueError("a rule's `value` must be a non-empty string")

    def to_json(self) -> dict[str, str]:
        """The object the endpoint expects in ``add``."""
        body = {"value": self.value}
        if self.tag is not None:
            body["tag"] = self.tag
        return body


@dataclass(frozen=True)
class RulesResult:
    """The answer to an add or delete.

    Attributes
    ----------
    rules : list of StreamRule
        Rules created (add), with their ids.
    summary : dict
        ``meta.summary``: created, not_created, valid, invalid, deleted, not_deleted.
    errors : list of dict
        Per-rule problems (duplicate rule, invalid syntax, ...), RFC 7807 objects.
    """

    rules: list[StreamRule]
    summary: dict[str, int]
    errors: list[dict[str, Any]] = field(default_factory=list)


def _problems(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The problem objects of an error answer, from an ``errors`` list or the top level."""
    errors = payload.get("errors")
    if isinstance(errors, list) and errors:
        return [e for e in errors if isinstance(e, dict)]
    # 401/403 carry one RFC 7807 problem as the whole body.
    if any(key in payload for key in ("title", "detail", "type")):
        return [payload]
    return []


def _rule(obj: dict[str, Any]) -> StreamRule:
    tag = obj.get("tag")
    return StreamRule(
        value=str(obj["value"]), tag=None if tag is None else str(tag), id=str(obj["id"])
    )


class StreamRules:
    """Add, list and delete the rules of the v2 filtered stream.

    Parameters
    ----------
    bearer_token : str
        App-only bearer token.
    url : str, optional
        Default `V2_RULES_URL` (its host from ``TWITTER_API_URL`` if that is set).
    session : requests.Session, optional
        Closed by `close` (or the end of a ``with`` block) only if created here.

    Examples
    --------
    >>> with StreamRules("AAAA") as rules:
    ...     rules
    StreamRules('https://api.twitter.com/2/tweets/search/stream/rules', auth=BearerToken(***))
    """

    def __init__(
        self,
        bearer_token: str,
        *,
        url: str | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self._auth = BearerToken(bearer_token)
        self.url = url or default_url(V2_RULES_URL)
        self._own_session = session is None
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"StreamRules({self.url!r}, auth={self._auth!r})"

    def close(self) -> None:
        """Close the session's connections, if the session was created here."""
        if self._own_session:
            self._session.close()

    def __enter__(self) -> StreamRules:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(
        self, method: str, params: dict[str, str], body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = self._session.request(
            method, self.url, params=params or None, json=body, auth=self._auth, timeout=_TIMEOUT
        )
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if response.status_code >= 400:
            raise RulesError(response.status_code, _problems(payload), response.text)
        return payload

    def add(self, *rules: StreamRule | str, dry_run: bool = False) -> RulesResult:
        """Add rules (strings or `StreamRule`); ``dry_run`` only validates them.

        Raises
        ------
        RulesError
            If the endpoint answers with an HTTP error (bad token, malformed request).
        ValueError
            If no rule is given.
        """
        if not rules:
            raise ValueError("add() needs at least one rule")
        items = [r if isinstance(r, StreamRule) else StreamRule(r) for r in rules]
        payload = self._call(
            "POST",
            {"dry_run": "true"} if dry_run else {},
            {"add": [r.to_json() for r in items]},
        )
        return self._result(payload)

    def delete(self, *ids: str | StreamRule, dry_run: bool = False) -> RulesResult:
        """Delete rules by id (or by `StreamRule` with an id)."""
        keys = [r.id if isinstance(r, StreamRule) else r for r in ids]
        if not keys or any(not k for k in keys):
            raise ValueError("delete() needs rule ids")
        payload = self._call(
            "POST", {"dry_run": "true"} if dry_run else {}, {"delete": {"ids": keys}}
        )
        return self._result(payload)

    def delete_all(self, *, dry_run: bool = False) -> RulesResult:
        """Delete every rule (lists them, then deletes by id); no-op when there are none."""
        current = self.list()
        if not current:
            return RulesResult(rules=[], summary={"deleted": 0, "not_deleted": 0})
        return self.delete(*current, dry_run=dry_run)

    def list(self, ids: Iterable[str] | None = None) -> list[StreamRule]:
        """The current rules (all pages), or only those with the given ids."""
        params: dict[str, str] = {"max_results": "1000"}
        if ids is not None:
            params = {"ids": ",".join(ids)}
        found: list[StreamRule] = []
        while True:
            payload = self._call("GET", params)
            found.extend(_rule(obj) for obj in payload.get("data") or [])
            token = (payload.get("meta") or {}).get("next_token")
            if not token or ids is not None:
                return found
            params = {**params, "pagination_token": str(token)}

    @staticmethod
    def _result(payload: dict[str, Any]) -> RulesResult:
        meta = payload.get("meta") or {}
        summary = meta.get("summary") or {}
        errors = payload.get("errors")
        return RulesResult(
            rules=[_rule(obj) for obj in payload.get("data") or []],
            summary={str(k): int(v) for k, v in summary.items()},
            errors=errors if isinstance(errors, list) else [],
        )
