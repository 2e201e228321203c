"""Wait and stop strategies as pure functions of a state: no sleeping."""

from __future__ import annotations

import pytest

from twitter_stream_client import (
    RATE_LIMIT_CAP,
    TWITTER_WAIT,
    Cause,
    ReconnectPolicy,
    make_state,
    stop_after_attempt,
    stop_after_delay,
    stop_never,
    wait_by_cause,
    wait_exponential,
    wait_linear,
    wait_random,
)


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


def test_exponential_never_overflows() -> None:
    assert wait_exponential(5.0, maximum=320.0)(make_state("http", 10_000)) == 320.0


def test_waits_compose_with_plus_and_accept_plain_functions() -> None:
    wait = wait_linear(1.0, maximum=10.0) + (lambda state: 0.5)
    assert wait(make_state("network", 3)) == 3.5
    jittered = wait_exponential(5.0, maximum=320.0) + wait_random(0.0, 1.0)
    assert 5.0 <= jittered(make_state("http", 1)) <= 6.0
    left = (lambda state: 2.0) + wait_linear(1.0, maximum=10.0)
    assert left(make_state("network", 1)) == 3.0


def test_wait_by_cause_dispatches() -> None:
    wait = wait_by_cause(network=lambda s: 1.0, http=lambda s: 2.0, rate_limit=lambda s: 3.0)
    assert [wait(make_state(c)) for c in Cause] == [1.0, 2.0, 3.0]


def test_stop_strategies_and_operators() -> None:
    assert not stop_never(make_state("http", 10**6))
    assert stop_after_attempt(3)(make_state("network", 1, failures=3))
    assert not stop_after_attempt(3)(make_state("network", 2, failures=2))
    assert stop_after_delay(60)(make_state(seconds_since_healthy=60.0))
    either = stop_after_attempt(5) | stop_after_delay(60)
    both = stop_after_attempt(5) & stop_after_delay(60)
    late = make_state("http", 1, seconds_since_healthy=61.0)
    assert either(late)
    assert not both(late)
    assert both(make_state("http", 5, seconds_since_healthy=61.0))


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


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: wait_linear(-1.0, maximum=1.0), "`step` must be a non-negative"),
        (lambda: wait_linear(1.0, maximum=float("nan")), "`maximum` must be a non-negative"),
        (lambda: wait_exponential(-5.0, maximum=1.0), "`initial` must be a non-negative"),
        (
            lambda: wait_exponential(5.0, maximum=1.0, multiplier=0.5),
            "`multiplier` must be at least 1",
        ),
        (lambda: wait_random(2.0, 1.0), "`maximum` must be at least `minimum`"),
        (lambda: stop_after_attempt(0), "`attempts` must be a positive int"),
        (lambda: stop_after_attempt(True), "`attempts` must be a positive int"),
        (lambda: stop_after_delay(-1), "`seconds` must be a non-negative"),
    ],
)
def test_bad_arguments_name_the_argument(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]
