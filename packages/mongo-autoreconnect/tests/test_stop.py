import pytest
from helpers import make_state

from mongo_autoreconnect import stop_after_attempt, stop_after_delay


def test_after_delay_stops_at_the_deadline_not_before():
    stop = stop_after_delay(2.0)
    assert not stop(make_state(elapsed=1.99))
    assert stop(make_state(elapsed=2.0))


def test_after_attempt_counts_attempts():
    stop = stop_after_attempt(3)
    assert not stop(make_state(2))
    assert stop(make_state(3))


def test_or_stops_when_either_does_and_accepts_functions():
    stop = stop_after_attempt(5) | stop_after_delay(10)
    assert stop(make_state(5, elapsed=0))
    assert stop(make_state(1, elapsed=10))
    assert not stop(make_state(4, elapsed=9))
    assert (stop_after_attempt(99) | (lambda state: state.attempt == 2))(make_state(2))


def test_and_stops_only_when_both_do():
    stop = stop_after_attempt(3) & stop_after_delay(1)
    assert not stop(make_state(3, elapsed=0.5))
    assert stop(make_state(3, elapsed=1.5))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_after_attempt_rejects_non_positive_ints(bad):
    with pytest.raises(ValueError, match="`attempts` must be an int >= 1"):
        stop_after_attempt(bad)


@pytest.mark.parametrize("bad", [0, -2.0, float("nan")])
def test_after_delay_rejects_non_positive(bad):
    with pytest.raises(ValueError, match="`seconds` must be > 0"):
        stop_after_delay(bad)
