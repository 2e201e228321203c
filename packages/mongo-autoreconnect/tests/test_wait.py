import pytest
from helpers import make_state
from hypothesis import given
from hypothesis import strategies as st

from mongo_autoreconnect import wait_exponential, wait_fixed, wait_full_jitter


class TestWaitExponential:
    def test_grows_by_the_multiplier_then_caps(self):
        wait = wait_exponential(initial=0.1, maximum=1.0, multiplier=2.0)
        assert [wait(make_state(n)) for n in range(1, 7)] == pytest.approx(
            [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
        )

    def test_a_huge_attempt_number_does_not_overflow(self):
        assert wait_exponential(0.1, 5.0, 2.0)(make_state(100_000)) == 5.0

    @given(st.integers(1, 10_000), st.floats(0, 10), st.floats(1, 10))
    def test_never_exceeds_the_maximum(self, attempt, initial, multiplier):
        wait = wait_exponential(initial, initial + 3.0, multiplier)
        assert 0 <= wait(make_state(attempt)) <= initial + 3.0

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"initial": -1}, "`initial` must be >= 0"),
            ({"initial": 2, "maximum": 1}, "`maximum` must be >= `initial`"),
            ({"multiplier": 0.5}, "`multiplier` must be >= 1"),
            ({"initial": float("nan")}, "`initial` must be >= 0"),
        ],
    )
    def test_bad_knobs_name_the_argument(self, kwargs, message):
        with pytest.raises(ValueError, match=message):
            wait_exponential(**kwargs)


class TestWaitFullJitter:
    def test_scales_the_inner_wait_by_the_random_draw(self):
        wait = wait_full_jitter(wait_exponential(1.0, 8.0), random=lambda: 0.25)
        assert wait(make_state(3)) == 1.0

    @given(st.integers(1, 50))
    def test_stays_between_zero_and_the_inner_wait(self, attempt):
        inner = wait_exponential(0.1, 5.0)
        assert 0 <= wait_full_jitter(inner)(make_state(attempt)) <= inner(make_state(attempt))


class TestComposition:
    def test_plus_adds_waits_and_accepts_plain_functions(self):
        wait = wait_fixed(0.5) + wait_exponential(1.0, 1.0) + (lambda state: 0.25)
        assert wait(make_state(4)) == 1.75

    def test_plain_function_on_the_left(self):
        wait = (lambda state: 1.0) + wait_fixed(2.0)
        assert wait(make_state()) == 3.0

    def test_fixed_rejects_negative(self):
        with pytest.raises(ValueError, match="`seconds` must be >= 0"):
            wait_fixed(-0.1)
