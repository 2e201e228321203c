"""The attempt tracker: every outcome to its wait or error, from one table, no server."""

from __future__ import annotations

import pytest

from twitter_stream_client import (
    AuthenticationError,
    FatalResponseError,
    ReconnectPolicy,
    RetriesExhausted,
    StreamDisconnected,
    stop_after_attempt,
    stop_after_delay,
)
from twitter_stream_client._attempts import (
    OUTCOME_RULES,
    AttemptTracker,
    Failed,
    Refused,
    Rule,
    StreamEnded,
    outcome_key,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tracker(**policy: object) -> AttemptTracker:
    return AttemptTracker(ReconnectPolicy(**policy), clock=Clock())  # type: ignore[arg-type]


def delays(t: AttemptTracker, *outcomes: object) -> list[float]:
    return [t.decide(o).delay for o in outcomes]  # type: ignore[arg-type]


REFUSED = Failed(ConnectionRefusedError("refused"))
CUT = StreamEnded("network", healthy=True, error=ConnectionResetError())


def test_the_table_names_every_outcome_once() -> None:
    examples = {
        "healthy stream ended": CUT,
        "stream ended before its first line": StreamEnded("stall", healthy=False),
        "network error": REFUSED,
        "HTTP 420": Refused(420),
        "HTTP 429": Refused(429),
        "TooManyConnections line": StreamEnded("disconnect", True, action="rate_limit"),
        "HTTP 401": Refused(401),
        "other HTTP 4xx": Refused(406),
        "other HTTP status": Refused(503),
        "stop-type disconnect": StreamEnded("disconnect", True, StreamDisconnected("x", {}),
                                            "stop"),
    }  # fmt: skip
    assert set(examples) == set(OUTCOME_RULES)
    assert {key: outcome_key(o) for key, o in examples.items()} == {k: k for k in examples}  # type: ignore[arg-type]


def test_network_failures_wait_a_quarter_second_more_each_time() -> None:
    assert delays(tracker(), REFUSED, REFUSED, REFUSED) == [0.25, 0.5, 0.75]


def test_http_then_rate_limit_each_start_their_own_backoff() -> None:
    t = tracker()
    assert delays(t, Refused(503), Refused(503), Refused(420), Refused(429), Refused(502)) == [
        5.0, 10.0, 60.0, 120.0, 20.0,
    ]  # fmt: skip


def test_a_healthy_end_reconnects_at_once_and_resets_every_backoff() -> None:
    t = tracker()
    assert delays(t, Refused(503), REFUSED, CUT, Refused(503), REFUSED) == [
        5.0,
        0.25,
        0.0,
        5.0,
        0.25,
    ]
    decision = t.decide(StreamEnded("stall", healthy=True))
    assert (decision.delay, decision.label, decision.state) == (0.0, "stall", None)
    assert decision.describe() == "reconnecting at once: the stream ended (stall)"


def test_a_stream_that_ends_before_its_first_line_is_a_network_failure() -> None:
    decision = tracker().decide(StreamEnded("closed", healthy=False))
    assert (decision.delay, decision.label) == (0.25, "network")
    assert decision.describe() == "reconnecting in 0.25 s: network error #1 (no detail)"
    assert decision.state is not None
    assert decision.state.cause.value == "network"


def test_the_decision_says_cause_and_wait() -> None:
    decision = tracker().decide(Refused(503, "over capacity"))
    assert decision.describe() == "reconnecting in 5.00 s: http error #1 (HTTP 503)"


def test_401_once_then_fatal_unless_a_200_came_between() -> None:
    t = tracker()
    assert delays(t, Refused(401)) == [5.0]
    t.connected()
    assert delays(t, Refused(401)) == [10.0]
    with pytest.raises(AuthenticationError, match="HTTP 401: 'bad'"):
        t.decide(Refused(401, "bad"))


@pytest.mark.parametrize("status", [400, 403, 404, 406, 413, 416, 451])
def test_other_4xx_are_fatal(status: int) -> None:
    with pytest.raises(FatalResponseError) as info:
        tracker().decide(Refused(status, "Please use V2"))
    assert info.value.status_code == status
    assert info.value.body == "Please use V2"


def test_a_stop_type_disconnect_raises_its_error() -> None:
    error = StreamDisconnected("disconnect code 2", {"disconnect": {"code": 2}})
    with pytest.raises(StreamDisconnected) as info:
        tracker().decide(StreamEnded("disconnect", True, error, "stop"))
    assert info.value is error


def test_too_many_connections_line_waits_the_rate_limit_backoff() -> None:
    line = StreamEnded("disconnect", healthy=True, action="rate_limit")
    assert delays(tracker(), line, line) == [60.0, 120.0]


def test_stop_counts_every_failure_and_sees_elapsed_time() -> None:
    t = tracker(stop=stop_after_attempt(3))
    delays(t, REFUSED, Refused(503))
    with pytest.raises(
        RetriesExhausted, match="gave up after 3 failed connection attempts"
    ) as info:
        t.decide(Refused(420))
    assert info.value.state.attempt_number == 3
    assert info.value.state.cause_attempt == 1
    clock = Clock()
    timed = AttemptTracker(ReconnectPolicy(stop=stop_after_delay(30)), clock=clock)
    timed.decide(REFUSED)
    clock.now += 31
    with pytest.raises(RetriesExhausted) as late:
        timed.decide(REFUSED)
    assert late.value.state.seconds_since_start == 31.0


def test_every_rule_is_used() -> None:
    assert set(OUTCOME_RULES.values()) == set(Rule)
