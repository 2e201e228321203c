import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locker_room._backoff import FIRST_RETRY, GROWTH, MAX_RETRY, backoff


def test_envelope_grows_from_ten_ms_and_caps_at_one_second():
    delays = list(itertools.islice(backoff(uniform=lambda: 1.0), 14))
    assert delays[:3] == pytest.approx([0.01, 0.015, 0.0225])
    assert delays[-1] == 1.0
    assert max(delays) == 1.0
    assert (FIRST_RETRY, MAX_RETRY) == (0.01, 1.0)


@given(st.lists(st.floats(0.0, 0.999999), min_size=1, max_size=30))
def test_every_delay_lies_within_its_envelope(draws):
    source = iter(draws)
    delays = backoff(uniform=lambda: next(source))
    envelope = FIRST_RETRY
    for _ in draws:
        delay = next(delays)
        assert 0.0 <= delay < envelope
        envelope = min(MAX_RETRY, envelope * GROWTH)


def test_first_retry_comes_within_ten_ms():
    assert all(next(backoff()) < 0.01 for _ in range(100))


def test_a_polling_delay_never_runs_past_the_end_of_the_lease_read():
    from locker_room._wait import Wait

    now = [0.0]
    wait = Wait(None, lambda: now[0], uniform=lambda: 1.0)
    info = {"locked": True, "owner": "bob", "remaining_ms": 2500, "queue": []}
    wait.read(info, sent=0.0, owner="me", attempt="a", fair=False)
    slept = 0.0
    while now[0] < 2.5:
        delay = wait.poll_delay()
        assert delay > 0
        now[0] += delay
        slept += delay
    assert slept == pytest.approx(2.5)  # the last delay stops exactly at the lease's end
