"""OAuth 1.0a: the client's signature is verified by the server with oauthlib, and that
verifier is itself checked against published known-answer signatures."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
import requests
from conftest import ClientFactory, RecordingSleep, line, take, tweet
from oauthlib.common import Request
from oauthlib.oauth1 import Client
from oauthlib.oauth1.rfc5849 import signature, utils

from twitter_stream_client import (
    AsyncStreamClient,
    AuthenticationError,
    BearerToken,
    OAuth1Credentials,
    StreamClient,
    StreamRules,
)
from twitter_stream_client.testing import RecordedRequest, Reply, ScriptedStreamServer, Send

PATH = "/1.1/statuses/filter.json"
CONSUMER_KEY = "ck-visible"
CONSUMER_SECRET = "cs-TOP-SECRET-1"
TOKEN = "tk-ACCESS-TOKEN-2"
TOKEN_SECRET = "ts-TOP-SECRET-3"
CREDENTIALS = OAuth1Credentials(CONSUMER_KEY, CONSUMER_SECRET, TOKEN, TOKEN_SECRET)


def verify(
    method: str, url: str, body: str, authorization: str, consumer_secret: str,
    token_secret: str,
) -> bool:  # fmt: skip
    """Server-side check with oauthlib: rebuild the base string from what arrived."""
    headers = {"Authorization": authorization}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = Request(url, http_method=method, body=body, headers=headers)
    request.params = signature.collect_parameters(
        uri_query=urlsplit(url).query, body=body or None, headers=headers,
        exclude_oauth_signature=True, with_realm=False,
    )  # fmt: skip
    fields = dict(utils.parse_authorization_header(authorization))
    request.signature = utils.unescape(fields["oauth_signature"])
    return bool(signature.verify_hmac_sha1(request, consumer_secret, token_secret))


def test_verifier_accepts_twitters_published_example() -> None:
    # developer.x.com "Creating a signature": the published signature of this request.
    authorization = (
        'OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", '
        'oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", '
        'oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", '
        'oauth_timestamp="1318622958", '
        'oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"'
    )
    url = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"
    body = "status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21"
    consumer_secret = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
    token_secret = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
    assert verify("POST", url, body, authorization, consumer_secret, token_secret)
    # Negative controls: any change to the request or a secret breaks it.
    assert not verify("POST", url, body.replace("Ladies", "Lads"), authorization,
                      consumer_secret, token_secret)  # fmt: skip
    assert not verify("POST", url, body, authorization, consumer_secret, "wrong")


def test_credentials_sign_twitters_published_example() -> None:
    # The package's own signer, with the example's nonce and timestamp pinned, must
    # produce the published signature of developer.x.com "Creating a signature".
    credentials = OAuth1Credentials(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    )
    auth = credentials.requests_auth()
    auth.client.nonce = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"  # type: ignore[attr-defined]
    auth.client.timestamp = "1318622958"  # type: ignore[attr-defined]
    request = requests.Request(
        "POST",
        "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        data={"status": "Hello Ladies + Gentlemen, a signed OAuth request!"},
        auth=auth,
    ).prepare()
    header = request.headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    fields = dict(utils.parse_authorization_header(header))
    assert utils.unescape(fields["oauth_signature"]) == "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def test_rfc5849_published_signature() -> None:
    # RFC 5849 section 1.2 (no oauth_version parameter).
    params = [
        ("file", "vacation.jpg"), ("size", "original"),
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"), ("oauth_token", "nnch734d00sl2jdk"),
        ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "137131202"),
        ("oauth_nonce", "chapoH"),
    ]  # fmt: skip
    base = signature.signature_base_string(
        "GET",
        signature.base_string_uri("http://photos.example.net/photos"),
        signature.normalize_parameters(params),
    )
    client = Client("dpf43f3p2l4k3l03", client_secret="kd94hf93k423kf44",
                    resource_owner_secret="pfkkdhi9sl3r4s00")  # fmt: skip
    assert signature.sign_hmac_sha1_with_client(base, client) == "MdpQcU8iPSUjWoN/UDMsK2sui9I="


def oauth_checking_route(consumer_secret: str, token_secret: str):  # type: ignore[no-untyped-def]
    verdicts: list[bool] = []

    def route(request: RecordedRequest) -> Reply:
        valid = verify(
            request.method, request.url, request.body.decode(),
            request.headers.get("Authorization", ""), consumer_secret, token_secret,
        )  # fmt: skip
        verdicts.append(valid)
        if not valid:
            return Reply(
                status=401,
                body=b'{"errors":[{"code":32,"message":"Could not authenticate you."}]}',
            )
        return Reply(steps=[Send(line(tweet(len(verdicts))))])

    return route, verdicts


def test_v1_filter_signature_verified_by_the_server(
    Client: ClientFactory, server: ScriptedStreamServer, sleep: RecordingSleep
) -> None:
    route, verdicts = oauth_checking_route(CONSUMER_SECRET, TOKEN_SECRET)
    server.route(PATH, route)
    client = Client.v1_filter(
        track=["iphone", "ipad", "ipod"], auth=CREDENTIALS, url=server.url(PATH), sleep=sleep
    )
    messages = take(client, 2)  # two connections: each request signed afresh
    assert [m.id for m in messages] == ["1", "2"]
    assert verdicts == [True, True]
    nonces = [dict(utils.parse_authorization_header(r.headers["Authorization"]))["oauth_nonce"]
              for r in server.requests]  # fmt: skip
    assert nonces[0] != nonces[1]
    assert b"track=iphone%2Cipad%2Cipod" in server.requests[0].body


def test_wrong_secret_is_rejected_by_the_verifier_and_fatal(
    Client: ClientFactory,
    server: ScriptedStreamServer,
    sleep: RecordingSleep,
    caplog: pytest.LogCaptureFixture,
) -> None:
    route, verdicts = oauth_checking_route("another-consumer-secret", TOKEN_SECRET)
    server.route(PATH, route)
    client = Client.v1_filter(track=["x"], auth=CREDENTIALS, url=server.url(PATH), sleep=sleep)
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as info:
        take(client, 1)
    assert verdicts == [False, False]
    assert sleep.calls == [5.0]
    # Secrets appear nowhere: not in any log record, the exception, or reprs.
    shown = " ".join(
        [
            caplog.text,
            str(info.value),
            repr(info.value),
            repr(client.client if hasattr(client, "client") else client),
            repr(CREDENTIALS),
        ]
    )
    for secret in (CONSUMER_SECRET, TOKEN_SECRET):
        assert secret not in shown
    ours = " ".join(
        r.getMessage() for r in caplog.records if r.name.startswith("twitter_stream_client")
    )
    assert TOKEN not in ours
    assert "Could not authenticate you" in str(info.value)


def test_bearer_token_stays_out_of_reprs() -> None:
    for cls in (StreamClient, AsyncStreamClient):
        assert "very-secret" not in repr(cls.v2_filtered(bearer_token="AAAA-very-secret"))
    assert "very-secret" not in repr(BearerToken("AAAA-very-secret"))
    assert "very-secret" not in repr(StreamRules("AAAA-very-secret"))


def test_credentials_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "T_CONSUMER_KEY": "a", "T_CONSUMER_SECRET": "b", "T_ACCESS_TOKEN": "c",
        "T_ACCESS_TOKEN_SECRET": "d",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert OAuth1Credentials.from_env("T_") == OAuth1Credentials("a", "b", "c", "d")
    monkeypatch.delenv("T_ACCESS_TOKEN")
    with pytest.raises(KeyError, match="T_ACCESS_TOKEN is not set"):
        OAuth1Credentials.from_env("T_")


@pytest.mark.parametrize("field", ["consumer_key", "consumer_secret", "token", "token_secret"])
def test_empty_credential_is_rejected_by_name(field: str) -> None:
    values = {"consumer_key": "a", "consumer_secret": "b", "token": "c", "token_secret": "d"}
    values[field] = ""
    with pytest.raises(ValueError, match=f"`{field}` must be a non-empty string"):
        OAuth1Credentials(**values)


def test_empty_bearer_token_is_rejected() -> None:
    with pytest.raises(ValueError, match="`bearer_token` must be a non-empty string"):
        StreamClient.v2_filtered(bearer_token="")
