"""Wait and stop strategies as pure functions of a state: no sleeping."""

from __future__ import annotations

import random

import pytest

from twitter_stream_client import (
    RATE_LIMIT_CAP,
    TWITTER_WAIT,
    Cause,
    ReconnectPolicy,
    stop_after_attempt,
    stop_after_delay,
    stop_never,
    wait_by_cause,
    wait_exponential,
    wait_fixed,
    wait_incrementing,
    wait_random,
)
from twitter_stream_client.testing import make_state


def sequence(cause: str, count: int) -> list[float]:
    return [TWITTER_WAIT(make_state(cause, n)) for n in range(1, count + 1)]


def test_network_errors_back_off_linearly_by_quarter_seconds_to_16() -> None:
    waits = sequence("network", 70)
    assert waits[:4] == [0.25, 0.5, 0.75, 1.0]
    assert waits[63] == 16.0
    assert waits[64:] == [16.0] * 6


def test_http_errors_double_from_5_to_320() -> None:
    assert sequence("http", 9) == [5, 10, 20, 40, 80, 160, 320, 320, 320]


def test_rate_limit_doubles_from_60_to_the_documented_cap() -> None:
    assert RATE_LIMIT_CAP == 900.0
    assert sequence("rate_limit", 7) == [60, 120, 240, 480, 900, 900, 900]


def test_each_cause_counts_its_own_attempts() -> None:
    # Three network failures, then a 503: the first HTTP pause, not the fourth.
    state = make_state("http", 1, attempt_number=4)
    assert TWITTER_WAIT(state) == 5.0
    # A strategy used directly sees every failure: tenacity's attempt_number.
    assert wait_exponential(multiplier=5, max=320)(state) == 40.0


def test_exponential_never_overflows() -> None:
    assert wait_exponential(multiplier=5.0, max=320.0)(make_state("http", 10_000)) == 320.0


def test_waits_compose_with_plus_sum_and_plain_functions() -> None:
    wait = wait_incrementing(start=1, increment=1, max=10) + (lambda state: 0.5)
    assert wait(make_state("network", 3)) == 3.5
    draws = iter([0.0, 1.0])
    jittered = wait_exponential(multiplier=5.0, max=320.0) + wait_random(
        0, 1, random=lambda: next(draws)
    )
    assert [jittered(make_state("http", 1)) for _ in range(2)] == [5.0, 6.0]
    left = (lambda state: 2.0) + wait_fixed(1)
    assert left(make_state("network", 1)) == 3.0
    assert sum([wait_fixed(1), wait_fixed(2)])(make_state()) == 3.0


def test_wait_random_takes_an_injected_random() -> None:
    seeded = random.Random(7)
    expected = random.Random(7)
    wait = wait_random(1, 3, random=seeded.random)
    assert [wait(make_state()) for _ in range(3)] == [1 + 2 * expected.random() for _ in range(3)]


def test_wait_by_cause_dispatches() -> None:
    wait = wait_by_cause(network=lambda s: 1.0, http=lambda s: 2.0, rate_limit=lambda s: 3.0)
    assert [wait(make_state(c)) for c in Cause] == [1.0, 2.0, 3.0]


def test_stop_strategies_and_operators() -> None:
    assert not stop_never(make_state("http", 10**6))
    assert stop_after_attempt(3)(make_state("network", 1, attempt_number=3))
    assert not stop_after_attempt(3)(make_state("network", 2, attempt_number=2))
    assert stop_after_delay(60)(make_state(seconds_since_start=60.0))
    either = stop_after_attempt(5) | stop_after_delay(60)
    both = stop_after_attempt(5) & stop_after_delay(60)
    late = make_state("http", 1, seconds_since_start=61.0)
    assert either(late)
    assert not both(late)
    assert both(make_state("http", 5, seconds_since_start=61.0))


def test_default_policy_is_twitters_rules_and_never_stops() -> None:
    policy = ReconnectPolicy()
    assert policy.wait is TWITTER_WAIT
    assert policy.stop is stop_never


def test_state_description_names_cause_and_status() -> None:
    assert make_state("http", 2, status_code=503).describe() == "http error #2 (HTTP 503)"
    error = ConnectionRefusedError("refused")
    assert make_state("network", 1, error=error).describe() == (
        "network error #1 (ConnectionRefusedError)"
    )


NAN = float("nan")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: wait_incrementing(start=0, increment=1, max=NAN), "`max` must be a finite"),
        (lambda: wait_exponential(multiplier=-5.0, max=1.0), "`multiplier` must be a finite"),
        (lambda: wait_exponential(multiplier=5, max=10, exp_base=0.5), "`exp_base` must be"),
        (lambda: wait_random(2.0, 1.0), "`max` must be >= `min`"),
        (lambda: stop_after_attempt(0), "`max_attempt_number` must be an int >= 1"),
        (lambda: stop_after_attempt(True), "`max_attempt_number` must be an int >= 1"),
        (lambda: stop_after_delay(-1), "`max_delay` must be a finite number"),
        (lambda: ReconnectPolicy(wait=3), "`wait` must be a wait strategy"),
        (
            lambda: wait_by_cause(network=1, http=wait_fixed(1), rate_limit=wait_fixed(1)),
            "`network` must be",
        ),
    ],
)
def test_bad_arguments_name_the_argument(build: object, message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        build()  # type: ignore[operator]
