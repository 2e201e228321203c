"""The wait and stop strategies (``_strategies.py``), with tenacity's names and meanings.

The comparison with tenacity itself, number for number, is in the repository's
``tools/tests/test_strategy_vocabulary.py`` (it also keeps the copies of the module equal).
"""

import datetime
import random

import pytest
from helpers import make_state
from hypothesis import given
from hypothesis import strategies as st

from mongo_autoreconnect import (
    stop_after_attempt,
    stop_after_delay,
    stop_all,
    stop_any,
    stop_never,
    wait_chain,
    wait_combine,
    wait_exponential,
    wait_fixed,
    wait_incrementing,
    wait_none,
    wait_random,
    wait_random_exponential,
)


class TestWaitExponential:
    def test_multiplier_scales_and_exp_base_grows(self):
        wait = wait_exponential(multiplier=0.1, max=1.0, exp_base=2)
        assert [wait(make_state(n)) for n in range(1, 7)] == pytest.approx(
            [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
        )
        assert [wait_exponential(multiplier=1, exp_base=3)(make_state(n)) for n in (1, 2, 3)] == [
            1.0,
            3.0,
            9.0,
        ]

    def test_min_raises_the_floor(self):
        wait = wait_exponential(multiplier=0.1, min=0.5, max=2)
        assert [wait(make_state(n)) for n in (1, 4, 6)] == pytest.approx([0.5, 0.8, 2.0])

    def test_a_huge_attempt_number_does_not_overflow(self):
        assert wait_exponential(0.1, 5.0)(make_state(100_000)) == 5.0

    @given(st.integers(1, 10_000), st.floats(0, 10), st.floats(1, 10))
    def test_never_exceeds_the_maximum(self, attempt, multiplier, exp_base):
        wait = wait_exponential(multiplier, multiplier + 3.0, exp_base)
        assert 0 <= wait(make_state(attempt)) <= multiplier + 3.0

    def test_bounds_may_be_timedeltas(self):
        wait = wait_exponential(multiplier=1, max=datetime.timedelta(seconds=3))
        assert wait(make_state(5)) == 3.0

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"multiplier": -1}, ValueError, "`multiplier` must be a finite number >= 0"),
            ({"min": 2, "max": 1}, ValueError, r"`max` must be >= `min` \(2.0\)"),
            ({"exp_base": 0.5}, ValueError, "`exp_base` must be a finite number >= 1"),
            ({"multiplier": float("nan")}, ValueError, "`multiplier`"),
            ({"max": "5"}, TypeError, "`max` must be a number of seconds or a timedelta"),
        ],
    )
    def test_bad_arguments_are_named(self, kwargs, error, message):
        with pytest.raises(error, match=message):
            wait_exponential(**kwargs)


class TestRandomWaits:
    def test_wait_random_spans_min_to_max_by_the_injected_draw(self):
        assert wait_random(1, 3, random=lambda: 0.0)(make_state()) == 1.0
        assert wait_random(1, 3, random=lambda: 0.5)(make_state()) == 2.0

    def test_wait_random_exponential_is_full_jitter_over_the_exponential(self):
        draws = iter([0.25, 0.5])
        wait = wait_random_exponential(multiplier=1, max=8, random=lambda: next(draws))
        assert wait(make_state(3)) == 1.0  # a quarter of 4
        assert wait(make_state(9)) == 4.0  # half of the cap

    def test_a_seeded_source_repeats_its_draws(self):
        first = wait_random_exponential(1, 60, random=random.Random(3).random)
        again = wait_random_exponential(1, 60, random=random.Random(3).random)
        assert [first(make_state(n)) for n in range(1, 9)] == [
            again(make_state(n)) for n in range(1, 9)
        ]

    @given(st.integers(1, 50))
    def test_full_jitter_stays_between_min_and_the_exponential(self, attempt):
        inner = wait_exponential(0.1, 5.0, min=0.05)
        wait = wait_random_exponential(0.1, 5.0, min=0.05)
        assert 0.05 <= wait(make_state(attempt)) <= inner(make_state(attempt))

    def test_wait_random_rejects_inverted_bounds(self):
        with pytest.raises(ValueError, match="`max` must be >= `min`"):
            wait_random(2, 1)


class TestOtherWaits:
    def test_incrementing_is_linear_and_clamped(self):
        wait = wait_incrementing(start=0.5, increment=0.5, max=1.2)
        assert [wait(make_state(n)) for n in (1, 2, 3, 4)] == [0.5, 1.0, 1.2, 1.2]
        assert wait_incrementing(start=1, increment=-1)(make_state(5)) == 0.0

    def test_chain_uses_one_strategy_per_attempt_then_the_last(self):
        wait = wait_chain(wait_fixed(1), wait_fixed(2), lambda state: 7)
        assert [wait(make_state(n)) for n in (1, 2, 3, 10)] == [1.0, 2.0, 7.0, 7.0]
        with pytest.raises(ValueError, match="at least one strategy"):
            wait_chain()

    def test_fixed_and_none(self):
        assert wait_fixed(datetime.timedelta(milliseconds=250))(make_state()) == 0.25
        assert wait_none()(make_state(9)) == 0.0
        with pytest.raises(ValueError, match="`wait` must be a finite number >= 0"):
            wait_fixed(-0.1)


class TestWaitComposition:
    def test_plus_adds_waits_and_accepts_plain_functions(self):
        wait = wait_fixed(0.5) + wait_exponential(1.0, 1.0) + (lambda state: 0.25)
        assert wait(make_state(4)) == 1.75

    def test_plain_function_on_the_left(self):
        assert ((lambda state: 1.0) + wait_fixed(2.0))(make_state()) == 3.0

    def test_sum_of_a_list_works(self):
        assert sum([wait_fixed(1), wait_fixed(2)])(make_state()) == 3.0
        assert wait_combine(wait_fixed(1), wait_fixed(2))(make_state()) == 3.0

    def test_adding_a_number_is_refused_at_the_plus(self):
        with pytest.raises(TypeError):
            wait_fixed(1) + 2
        with pytest.raises(TypeError):
            3 + wait_fixed(1)


class TestStops:
    def test_after_delay_stops_at_the_deadline_not_before(self):
        stop = stop_after_delay(2.0)
        assert not stop(make_state(elapsed=1.99))
        assert stop(make_state(elapsed=2.0))
        assert stop_after_delay(datetime.timedelta(seconds=2))(make_state(elapsed=2.0))

    def test_after_attempt_counts_attempts(self):
        stop = stop_after_attempt(3)
        assert not stop(make_state(2))
        assert stop(make_state(3))

    def test_never_never_stops(self):
        assert not stop_never(make_state(10**6, elapsed=1e9))

    def test_or_stops_when_either_does_and_accepts_functions(self):
        stop = stop_after_attempt(5) | stop_after_delay(10)
        assert isinstance(stop, stop_any)
        assert stop(make_state(5, elapsed=0))
        assert stop(make_state(1, elapsed=10))
        assert not stop(make_state(4, elapsed=9))
        assert (stop_after_attempt(99) | (lambda state: state.attempt == 2))(make_state(2))
        assert ((lambda state: state.attempt == 2) | stop_after_attempt(99))(make_state(2))

    def test_and_stops_only_when_both_do(self):
        stop = stop_after_attempt(3) & stop_after_delay(1)
        assert isinstance(stop, stop_all)
        assert not stop(make_state(3, elapsed=0.5))
        assert stop(make_state(3, elapsed=1.5))
        assert stop_all()(make_state()) is True  # nothing objects, like all([])

    @pytest.mark.parametrize("bad", [0, -1, 1.5, True])
    def test_after_attempt_rejects_non_positive_ints(self, bad):
        with pytest.raises(ValueError, match="`max_attempt_number` must be an int >= 1"):
            stop_after_attempt(bad)

    @pytest.mark.parametrize("bad", [-2.0, float("nan"), float("inf")])
    def test_after_delay_rejects_negative_and_non_finite(self, bad):
        with pytest.raises(ValueError, match="`max_delay` must be a finite number >= 0"):
            stop_after_delay(bad)
