"""The proxy's fast path enters pymongo's deadline as ``pymongo.timeout()`` would."""

import contextlib
import contextvars

import pymongo
import pytest
from pymongo import _csot
from pymongo.collection import Collection

from mongo_autoreconnect import MongoProxy, RetryPolicy, _deadline, _proxy


class SeenCollection(Collection):
    """A pymongo Collection whose find_one records pymongo's deadline instead of doing I/O."""

    seen: tuple[float | None, float | None, float]

    def find_one(self, *args, **kwargs):
        self.seen = (_csot.get_timeout(), _csot.remaining(), _csot.get_deadline())
        return {"_id": 1}


@pytest.fixture
def seen():
    client = pymongo.MongoClient("localhost", 1, directConnection=True, connect=False)
    yield SeenCollection(client.blogs, "posts")
    client.close()


def test_a_proxied_call_runs_under_the_deadline_pymongo_timeout_would_set(seen):
    proxy = MongoProxy(seen, RetryPolicy(deadline=5.0))
    assert not isinstance(proxy.find_one, _proxy._Method)  # the fast path's function
    assert proxy.find_one.__qualname__ == "blogs.posts.find_one"
    assert proxy.find_one({}) == {"_id": 1}
    timeout, remaining, _ = seen.seen
    assert timeout == 5.0
    assert 4.9 < remaining <= 5.0
    assert _csot.get_timeout() is None
    assert _csot.remaining() is None


def test_an_enclosing_deadline_stays_the_shorter_one_and_comes_back(seen):
    proxy = MongoProxy(seen, RetryPolicy(deadline=5.0))
    with pymongo.timeout(1.0):
        before = _csot.get_deadline()
        proxy.find_one({})
        assert seen.seen[1] <= 1.0
        assert seen.seen[2] == before
        assert _csot.get_timeout() == 1.0
        assert _csot.get_deadline() == before


def test_a_longer_enclosing_deadline_gives_way_to_the_policy(seen):
    proxy = MongoProxy(seen, RetryPolicy(deadline=5.0))
    with pymongo.timeout(100.0):
        proxy.find_one({})
        assert 4.9 < seen.seen[1] <= 5.0
        assert 99.0 < _csot.remaining() <= 100.0


def test_pymongo_sets_the_round_trip_time_itself_before_it_reads_it(make_client, db_name):
    # The fast path leaves RTT as it finds it: pymongo sets it after selecting a server under
    # a deadline, before computing maxTimeMS (remaining - RTT). Were a stale RTT read, this
    # absurd one would make pymongo refuse to send ("operation would exceed time limit").
    client = make_client()
    client.admin.command("ping")  # a known server: the proxy takes its fast path
    proxy = MongoProxy(client, RetryPolicy(deadline=5.0))
    assert not isinstance(proxy[db_name].c.find_one, _proxy._Method)
    token = _csot.RTT.set(1000.0)
    try:
        assert proxy[db_name].c.find_one({}) is None
    finally:
        _csot.RTT.reset(token)


def test_without_the_direct_route_the_call_takes_pymongo_timeout(seen, monkeypatch):
    monkeypatch.setattr(_proxy, "DIRECT", False)
    proxy = MongoProxy(seen, RetryPolicy(deadline=5.0))
    assert isinstance(proxy.find_one, _proxy._Method)
    assert proxy.find_one({}) == {"_id": 1}
    timeout, remaining, _ = seen.seen
    assert timeout == 5.0
    assert 4.9 < remaining <= 5.0


def test_a_pymongo_timeout_that_sets_more_is_not_bypassed(monkeypatch):
    extra = contextvars.ContextVar("extra")
    real_timeout = pymongo.timeout

    @contextlib.contextmanager
    def timeout_doing_more(seconds):
        token = extra.set(seconds)
        with real_timeout(seconds):
            yield
        extra.reset(token)

    assert _deadline._pymongo_sets_only_these() is _deadline.DIRECT
    monkeypatch.setattr(pymongo, "timeout", timeout_doing_more)
    assert not _deadline._pymongo_sets_only_these()
