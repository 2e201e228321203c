import math

import pytest
from helpers import make_state
from pymongo import ReadPreference

from mongo_autoreconnect import RetryPolicy, stop_after_attempt, wait_fixed


def test_defaults_are_the_documented_ones():
    policy = RetryPolicy()
    assert (policy.deadline, policy.initial, policy.maximum, policy.exp_base) == (
        60.0,
        0.1,
        5.0,
        2.0,
    )
    assert policy.jitter is True
    assert policy.read_fallback is None
    assert policy.retry_writes == "safe"


def test_without_jitter_the_wait_is_capped_exponential():
    policy = RetryPolicy(initial=0.5, maximum=2.0, jitter=False)
    assert [policy.next_wait(make_state(n)) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 2.0]


def test_with_jitter_the_wait_never_exceeds_the_backoff():
    policy = RetryPolicy(initial=0.5, maximum=2.0)
    assert all(0 <= policy.next_wait(make_state(3)) <= 2.0 for _ in range(200))


def test_the_wait_never_sleeps_past_the_deadline():
    policy = RetryPolicy(deadline=10.0, initial=4.0, maximum=4.0, jitter=False)
    assert policy.next_wait(make_state(1, elapsed=8.5)) == pytest.approx(1.5)
    assert policy.next_wait(make_state(1, elapsed=12.0)) == 0.0


def test_stops_at_the_deadline():
    policy = RetryPolicy(deadline=3.0)
    assert not policy.should_stop(make_state(elapsed=2.9))
    assert policy.should_stop(make_state(elapsed=3.0))


def test_strategies_can_be_replaced_by_composed_ones_or_functions():
    policy = RetryPolicy(
        wait=wait_fixed(0.25) + (lambda state: 0.25),
        stop=stop_after_attempt(2),
        retry=lambda state: state.attempt == 1,
    )
    assert policy.next_wait(make_state(7)) == 0.5
    assert policy.should_stop(make_state(2))
    assert policy.should_retry(make_state(1))
    assert not policy.should_retry(make_state(2))


def test_options_after_the_deadline_are_keyword_only():
    assert RetryPolicy(30.0).deadline == 30.0
    with pytest.raises(TypeError, match="positional"):
        RetryPolicy(30.0, 0.1)  # type: ignore[misc]


def test_the_default_wait_is_full_jitter_within_the_exponential():
    policy = RetryPolicy(initial=0.5, maximum=2.0, exp_base=3.0)
    assert all(0 <= policy.next_wait(make_state(2)) <= 1.5 for _ in range(200))
    assert len({policy.next_wait(make_state(2)) for _ in range(20)}) > 1


def test_with_changes_returns_a_validated_copy():
    policy = RetryPolicy(deadline=5.0)
    assert policy.with_changes(deadline=1.0).deadline == 1.0
    assert policy.deadline == 5.0
    with pytest.raises(ValueError, match="`deadline`"):
        policy.with_changes(deadline=0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"deadline": 0}, ValueError, "`deadline` must be a finite number of seconds > 0"),
        ({"deadline": math.inf}, ValueError, "`deadline` must be a finite"),
        ({"deadline": True}, ValueError, "`deadline`"),
        ({"initial": -0.1}, ValueError, "`initial` must be >= 0"),
        ({"maximum": 0.01}, ValueError, "`maximum` must be >= `initial`"),
        ({"exp_base": 0.9}, ValueError, "`exp_base` must be >= 1"),
        ({"initial": "0.1"}, TypeError, "`initial` must be a number"),
        ({"retry_writes": "yes"}, ValueError, '`retry_writes` must be "safe" or "always"'),
        ({"read_fallback": "secondary"}, TypeError, "`read_fallback` must be a pymongo read"),
        ({"read_fallback": ReadPreference.PRIMARY}, ValueError, "PRIMARY is no fallback"),
    ],
)
def test_bad_knobs_fail_early_naming_the_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        RetryPolicy(**kwargs)
