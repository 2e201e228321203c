"""The proxy's fast path enters pymongo's deadline as ``pymongo.timeout()`` would."""

import contextlib
import contextvars

import pymongo
import pytest
from pymongo import _csot
from pymongo.collection import Collection
from pymongo.errors import OperationFailure

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


def test_a_shorter_enclosing_deadline_is_left_as_the_caller_set_it(seen):
    # pymongo already bounds the attempt by the caller's deadline and retries until it:
    # the proxy enters nothing (nested, it would change only TIMEOUT, quoted in errors).
    proxy = MongoProxy(seen, RetryPolicy(deadline=5.0))
    with pymongo.timeout(1.0):
        outer = contextvars.copy_context()
        proxy.find_one({})
        assert seen.seen[0] == 1.0  # the caller's timeout, not the policy's 5 s
        assert seen.seen[2] == outer[_csot.DEADLINE]
        assert dict(contextvars.copy_context()) == dict(outer)


@contextlib.contextmanager
def no_timeout():
    yield


@contextlib.contextmanager
def disabled_inside_a_shorter_one():
    # pymongo.timeout(None) turns CSOT off inside a shorter timeout, keeping its DEADLINE.
    with pymongo.timeout(1.0), pymongo.timeout(None):
        yield


@pytest.mark.parametrize(
    "enclosing",
    [
        no_timeout,
        lambda: pymongo.timeout(1.0),
        lambda: pymongo.timeout(100.0),
        disabled_inside_a_shorter_one,
    ],
    ids=["none", "shorter", "longer", "none-inside-shorter"],
)
def test_the_deadline_is_the_one_a_nested_pymongo_timeout_would_give(seen, enclosing):
    proxy = MongoProxy(seen, RetryPolicy(deadline=5.0))
    with enclosing():
        seen.find_one({})
        before = seen.seen
        with pymongo.timeout(5.0):
            seen.find_one({})
            nested = seen.seen
        proxy.find_one({})
        proxied = seen.seen
        seen.find_one({})
        assert (seen.seen[0], seen.seen[2]) == (before[0], before[2])  # left as it was
    # Both the caller's timeout and the policy's are enabled: the earlier deadline wins.
    assert bool(proxied[0]) is bool(nested[0]) is True
    if nested[2] == before[2]:  # the enclosing deadline was the earlier one: kept exactly
        assert proxied[2] == before[2]
    else:  # the policy's own deadline, taken a moment after pymongo's was
        assert proxied[0] == nested[0] == 5.0
        assert 0.0 <= proxied[2] - nested[2] < 1.0
        assert proxied[2] < before[2]


class FailingCollection(Collection):
    """A pymongo Collection whose find_one records pymongo's deadline, then raises."""

    seen: tuple[float | None, float, float]
    error: Exception

    def find_one(self, *args, **kwargs):
        self.seen = (_csot.get_timeout(), _csot.get_deadline(), _csot.get_rtt())
        raise self.error


@pytest.mark.parametrize(
    "error",
    # Not pymongo's: passed through as it is. pymongo's, not retried: through the retry loop.
    [ValueError("bad argument"), OperationFailure("not retried", code=2)],
    ids=["other-error", "pymongo-error"],
)
@pytest.mark.parametrize("direct", [True, False], ids=["direct", "pymongo-timeout"])
@pytest.mark.parametrize(
    "enclosing", [no_timeout, lambda: pymongo.timeout(100.0)], ids=["none", "longer"]
)
def test_a_failed_call_leaves_pymongo_s_deadline_as_it_found_it(
    monkeypatch, error, direct, enclosing
):
    monkeypatch.setattr(_proxy, "DIRECT", direct)
    client = pymongo.MongoClient("localhost", 1, directConnection=True, connect=False)
    failing = FailingCollection(client.blogs, "posts")
    failing.error = error
    proxy = MongoProxy(failing, RetryPolicy(deadline=5.0))
    assert isinstance(proxy.find_one, _proxy._Method) is not direct
    with enclosing():
        outer = dict(contextvars.copy_context())
        rtt_token = _csot.RTT.set(0.25)  # as a server selection inside the block left it
        # What pymongo would see inside the proxy's own deadline, entered the public way:
        with pymongo.timeout(5.0), pytest.raises(type(error)):
            failing.find_one({})
        expected = failing.seen
        with pytest.raises(type(error)):
            proxy.find_one({})
        seen = failing.seen
        _csot.RTT.reset(rtt_token)
        assert dict(contextvars.copy_context()) == outer
    client.close()
    assert seen[0] == expected[0] == 5.0
    # The policy's deadline, a moment after the one pymongo.timeout() took: the earlier one.
    assert 0.0 <= seen[1] - expected[1] < 1.0
    # RTT: pymongo.timeout() resets it to 0, the direct route leaves it (pymongo sets it
    # after selecting a server, before reading it: see the two tests above).
    assert seen[2] == (0.25 if direct else 0.0)


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


def test_inside_a_shorter_caller_timeout_a_stale_round_trip_time_is_not_read(make_client, db_name):
    # Nested, pymongo.timeout() would reset RTT to 0; the proxy enters nothing inside a
    # shorter caller's timeout, so RTT is whatever the caller's block left: pymongo sets it
    # again after selecting a server, before computing maxTimeMS from it.
    client = make_client()
    client.admin.command("ping")
    proxy = MongoProxy(client, RetryPolicy(deadline=60.0))
    with pymongo.timeout(5.0):
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
