"""recover=True: a server that replays its backfill window, reconnects that neither lose
nor double a Tweet; and the compliance streams."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import ClientFactory, line, take

from twitter_stream_client import (
    ComplianceEvent,
    ReconnectPolicy,
    StreamClient,
    Tweet,
    parse_message,
)
from twitter_stream_client._recovery import Recovery, backfill_minutes
from twitter_stream_client.testing import (
    Cut,
    Hold,
    RecordedRequest,
    Reply,
    ScriptedStreamServer,
    Send,
)

PATH = "/2/tweets/search/stream"


class Clock:
    """The one clock of the client and the server: sleeping moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class BackfillingServer:
    """Answers like Twitter's recovery feature: every Tweet published within the requested
    ``backfill_minutes`` comes again, older first, without deduplication."""

    def __init__(self, clock: Clock, timeline: list[tuple[float, str]], live: dict[int, str]):
        self.clock = clock
        self.timeline = timeline  # (published at, id), including what is sent live
        self.live = live  # connection number -> the id sent live on it
        self.replies: dict[int, Reply] = {}
        self.connections = 0
        self.backfills: list[str | None] = []

    def __call__(self, request: RecordedRequest) -> Reply:
        self.connections += 1
        self.backfills.append(request.query.get("backfill_minutes"))
        if self.connections in self.replies:
            return self.replies[self.connections]
        now = self.clock.now
        lines = b""
        minutes = request.query.get("backfill_minutes")
        if minutes is not None:
            since = now - 60 * int(minutes)
            for published, tweet_id in sorted(self.timeline):
                if since <= published <= now and tweet_id != self.live.get(self.connections):
                    lines += line({"data": {"id": tweet_id, "text": f"tweet {tweet_id}"}})
        steps: list[Any] = [Send(lines)] if lines else []
        for number, tweet_id in self.live.items():
            if number == self.connections:
                steps.append(Send(line({"data": {"id": tweet_id, "text": f"tweet {tweet_id}"}})))
        return Reply(steps=[*steps, Hold()])


def outage_script(clock: Clock) -> BackfillingServer:
    # Tweets 1-3 arrive live at t = 0, then the connection is cut. The reconnects fail
    # for 65 s (420: 60 s, 503: 5 s) while Tweet 4 is published at t = 3 and Tweet 5 at
    # t = 50. Only a 2-minute backfill (65 s rounded up) brings Tweet 4 back.
    timeline = [(-2.0, "1"), (-1.0, "2"), (0.0, "3"), (3.0, "4"), (50.0, "5"), (65.0, "6")]
    server = BackfillingServer(clock, timeline, live={4: "6"})
    first = b"".join(line({"data": {"id": i, "text": f"tweet {i}"}}) for i in "123")
    server.replies[1] = Reply(steps=[Send(first), Cut(b'{"data": {"id": "9')])
    server.replies[2] = Reply(status=420)
    server.replies[3] = Reply(status=503)
    return server


def test_recover_backfills_the_measured_gap_and_drops_duplicates(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    clock = Clock()
    fake = outage_script(clock)
    server.route(PATH, fake)
    client = Client.v2_filtered(
        bearer_token="b", url=server.url(PATH), recover=True, clock=clock, sleep=clock.sleep
    )
    tweets = take(client, 6)
    assert [t.id for t in tweets] == ["1", "2", "3", "4", "5", "6"]
    # Each attempt asks for the gap so far: 0 s, 60 s, then 65 s (2 minutes).
    assert fake.backfills == [None, "1", "1", "2"]
    assert client.stats.duplicates == 3
    assert client.stats.reconnects == {"network": 1, "rate_limit": 1, "http": 1}


def test_without_recover_the_gap_is_lost(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    clock = Clock()
    fake = outage_script(clock)
    server.route(PATH, fake)
    client = Client.v2_filtered(
        bearer_token="b", url=server.url(PATH), clock=clock, sleep=clock.sleep
    )
    tweets = take(client, 4)
    assert [t.id for t in tweets] == ["1", "2", "3", "6"]
    assert fake.backfills == [None, None, None, None]


def test_the_backfill_is_capped_at_five_minutes(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    clock = Clock()
    fake = BackfillingServer(clock, [(0.0, "1")], live={1: "1"})
    fake.replies[1] = Reply(steps=[Send(line({"data": {"id": "1", "text": "t"}})), Cut()])
    fake.replies[2] = Reply(status=503)
    server.route(PATH, fake)
    client = Client.v2_filtered(
        bearer_token="b", url=server.url(PATH), recover=True, clock=clock, sleep=clock.sleep,
        policy=ReconnectPolicy(wait=lambda state: 400.0),
    )  # fmt: skip
    iterator = iter(client)
    assert next(iterator).id == "1"
    # Connection 3 is a Hold: the duplicate of Tweet 1 is dropped, nothing else comes.
    fake.replies[3] = Reply(
        steps=[
            Send(line({"data": {"id": "1", "text": "t"}})),
            Send(line({"data": {"id": "2", "text": "t"}})),
        ]
    )
    assert next(iterator).id == "2"
    assert fake.backfills == [None, "1", "5"]
    assert client.stats.duplicates == 1


def test_backfill_minutes_rounds_up_and_caps() -> None:
    assert [backfill_minutes(s) for s in (0.0, 59.9, 60.0, 60.1, 240.5, 301.0, 10**6)] == [
        1, 1, 1, 2, 5, 5, 5,
    ]  # fmt: skip


def test_the_recent_ids_are_bounded() -> None:
    recovery = Recovery(max_ids=3)
    tweets = [Tweet(id=str(n), text="", raw={}) for n in range(5)]
    assert [recovery.is_duplicate(t) for t in tweets] == [False] * 5
    assert recovery.is_duplicate(tweets[4])
    assert not recovery.is_duplicate(tweets[0])  # forgotten: only the 3 latest are kept
    assert len(recovery._seen) == 3


def test_compliance_stream_yields_typed_events(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    events = [
        {"data": {"user_suspend": {"user": {"id": "7"},
                                   "event_at": "2022-06-27T23:49:41.839+00:00"}}},
        {"data": {"user_withheld": {"user": {"id": "8"}, "withheld_in_countries": ["DE"],
                                    "event_at": "2022-06-27T23:49:42.000+00:00"}}},
    ]  # fmt: skip
    server.script("/2/users/compliance/stream", Reply(steps=[Send(b"".join(map(line, events)))]))
    start = datetime(2026, 12, 3, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    client = Client.v2_compliance(
        bearer_token="b", kind="users", partition=3, start_time=start,
        end_time="2026-12-03T12:30:00Z", url=server.url("/2/users/compliance/stream"),
    )  # fmt: skip
    first, second = take(client, 2)
    assert isinstance(first, ComplianceEvent)
    assert (first.action, first.user_id, first.tweet_id) == ("user_suspend", "7", None)
    assert (second.action, second.withheld_in_countries) == ("user_withheld", ("DE",))
    request = server.requests[0]
    assert request.headers["Authorization"] == "Bearer b"
    assert request.query == {
        "partition": "3", "start_time": "2026-12-03T11:00:00Z", "end_time": "2026-12-03T12:30:00Z",
    }  # fmt: skip
    assert client.stall_timeout == 30.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "spaces", "partition": 1}, "`kind` must be 'tweets' or 'users'"),
        ({"partition": 0}, "`partition` must be an int from 1 to 4"),
        ({"partition": 5}, "`partition` must be an int from 1 to 4"),
        ({"partition": 1, "backfill_minutes": 6}, "`backfill_minutes` must be an int from 0 to 5"),
        (
            {"partition": 1, "start_time": datetime(2026, 1, 1)},
            "`start_time` must be timezone-aware",
        ),
        (
            {"partition": 1, "end_time": "yesterday"},
            "`end_time` must be a datetime or an ISO 8601",
        ),
    ],
)
def test_compliance_arguments(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StreamClient.v2_compliance(bearer_token="b", **options)


def test_compliance_defaults_to_the_tweets_stream() -> None:
    client = StreamClient.v2_compliance(bearer_token="b", partition=1, backfill_minutes=2)
    assert client.url == "https://api.twitter.com/2/tweets/compliance/stream"
    assert client.params == {"partition": "1", "backfill_minutes": "2"}


def test_recover_keeps_distinct_compliance_events_that_share_subject_and_time(
    Client: ClientFactory, server: ScriptedStreamServer
) -> None:
    # Twitter's "Compliance Data Objects": a deleted Post that was quoted brings one more
    # delete event per quote, with a quote_tweet_id; a profile edit of several fields at
    # once is one event per field. Same action, subject and time: none is a duplicate.
    at = "2022-12-23T12:34:56.789Z"
    tweet = {"id": "601430178305220608", "author_id": "3198576760"}
    events = [
        {"data": {"delete": {"tweet": tweet, "event_at": at}}},
        {"data": {"delete": {"tweet": tweet, "quote_tweet_id": "7", "event_at": at}}},
        {"data": {"delete": {"tweet": tweet, "quote_tweet_id": "8", "event_at": at}}},
        {"data": {"user_profile_modification": {"user": {"id": "9"}, "event_at": at,
                  "profile_field": "profile.description", "new_value": "a"}}},
        {"data": {"user_profile_modification": {"user": {"id": "9"}, "event_at": at,
                  "profile_field": "profile.name", "new_value": "b"}}},
    ]  # fmt: skip
    replayed = [events[4], {"data": {"delete": {"event_at": at, "tweet": tweet}}}]
    last = {"data": {"drop": {"tweet": tweet, "event_at": at}}}
    path = "/2/tweets/compliance/stream"
    server.script(path, Reply(steps=[Send(b"".join(map(line, [*events, *replayed, last])))]))
    client = Client.v2_compliance(
        bearer_token="b", partition=1, recover=True, url=server.url(path)
    )
    got = take(client, len(events) + 1)
    assert [event.raw for event in got] == [*events, last]
    assert client.stats.duplicates == len(replayed)


def test_a_replayed_compliance_event_is_a_duplicate_whatever_its_key_order() -> None:
    recovery = Recovery()
    at = "2022-06-27T23:49:41.839+00:00"
    first = {"data": {"user_suspend": {"user": {"id": "7"}, "event_at": at}}}
    again = {"data": {"user_suspend": {"event_at": at, "user": {"id": "7"}}}}
    assert not recovery.is_duplicate(parse_message(first))
    assert recovery.is_duplicate(parse_message(again))
