"""The simulated clock."""

from __future__ import annotations

import math

import pytest

from mongosim import Clock


def test_advance_moves_now_forward_by_that_much() -> None:
    clock = Clock()
    before = clock.time()

    clock.advance(90.5)

    assert clock.time() - before >= 90.5
    assert clock.offset == 90.5


def test_now_is_naive_utc_with_millisecond_precision() -> None:
    now = Clock().now()

    assert now.tzinfo is None
    assert now.microsecond % 1000 == 0


@pytest.mark.parametrize("seconds", [-1, math.inf, math.nan])
def test_advance_refuses_what_is_not_a_finite_non_negative_number(seconds: float) -> None:
    with pytest.raises(ValueError, match="seconds must be a finite number >= 0"):
        Clock().advance(seconds)
