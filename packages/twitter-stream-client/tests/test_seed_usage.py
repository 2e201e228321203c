"""The blog post's program (track iphone/ipad/ipod with OAuth, report limits, warnings,
disconnects and tweets), written with this package's names, against the loopback server."""

from __future__ import annotations

from conftest import ClientFactory, line, tweet

from twitter_stream_client import (
    Disconnect,
    Limit,
    OAuth1Credentials,
    StallWarning,
    StreamClient,
    Tweet,
)
from twitter_stream_client.testing import Reply, ScriptedStreamServer, Send

PATH = "/1.1/statuses/filter.json"


def handle_tweets(client: StreamClient, report: list[str], until: int) -> None:
    for message in client:
        match message:
            case Limit(track=missed):
                report.append(f"Rate limiting caused us to miss {missed} tweets")
            case Disconnect(reason=reason):
                report.append(f"Got disconnect: {reason}")
            case StallWarning(message=text):
                report.append(f"Got warning: {text}")
            case Tweet(text=text):
                report.append(f"Got tweet with text: {text}")
        if len(report) == until:
            client.stop()


def test_blog_post_program(Client: ClientFactory, server: ScriptedStreamServer) -> None:
    warning = {
        "warning": {"code": "FALLING_BEHIND", "message": "queue 60% full", "percent_full": 60}
    }
    shed = {"disconnect": {"code": 12, "stream_name": "s", "reason": "shed load"}}
    server.script(
        PATH,
        Reply(steps=[Send(line(tweet(1, "new iphone")) + line({"limit": {"track": 3}}))]),
        Reply(steps=[Send(line(warning) + line(shed))]),
        Reply(steps=[Send(line(tweet(2, "ipod forever")))]),
    )
    auth = OAuth1Credentials("consumer key", "consumer secret", "token key", "token secret")
    client = Client.v1_filter(track=["iphone", "ipad", "ipod"], auth=auth,
                                    url=server.url(PATH))  # fmt: skip
    report: list[str] = []
    handle_tweets(client, report, until=5)
    assert report == [
        "Got tweet with text: new iphone",
        "Rate limiting caused us to miss 3 tweets",
        "Got warning: queue 60% full",
        "Got disconnect: shed load",
        "Got tweet with text: ipod forever",
    ]
    # The post's POST_PARAMS, with the parameter spelled as Twitter documents it.
    assert server.requests[0].body == b"track=iphone%2Cipad%2Cipod&stall_warnings=true"
    assert len(server.requests) == 3
