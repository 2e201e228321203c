"""The proxy's cheap entry into pymongo's deadline behaves as ``pymongo.timeout()``."""

import contextlib
import contextvars

import pymongo
from pymongo import _csot

from mongo_autoreconnect import _deadline


def test_enter_sets_the_deadline_pymongo_timeout_would():
    tokens = _deadline.enter(5.0)
    try:
        assert _csot.get_timeout() == 5.0
        assert 4.9 < _csot.remaining() <= 5.0
        assert _csot.get_rtt() == 0.0
    finally:
        _deadline.leave(tokens)
    assert _csot.get_timeout() is None
    assert _csot.remaining() is None


def test_an_enclosing_deadline_stays_the_shorter_one_and_comes_back():
    with pymongo.timeout(1.0):
        before = _csot.get_deadline()
        tokens = _deadline.enter(5.0)
        try:
            assert _csot.remaining() <= 1.0
        finally:
            _deadline.leave(tokens)
        assert _csot.get_timeout() == 1.0
        assert _csot.get_deadline() == before


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
