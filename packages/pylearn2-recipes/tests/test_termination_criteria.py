from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pylearn2_recipes.models.mlp import MLP, Softmax
from pylearn2_recipes.termination_criteria import EpochCounter, MonitorBased


def scripted_model(values: list[float]) -> MLP:
    """A model whose monitor has one channel, `score`, yielding `values` in turn."""
    model = MLP([Softmax(2, "output", irange=0.1)], nvis=2)
    stream: Iterator[float] = iter(values)
    model.monitor.add_channel("score", ipt=None, val=lambda: next(stream))
    return model


def calls_until_stop(criterion, model, n_values: int) -> int | None:
    for call in range(1, n_values + 1):
        model.monitor()
        model.monitor.report_epoch()
        if not criterion.continue_learning(model):
            return call
    return None


def test_stops_exactly_n_after_the_last_strict_improvement() -> None:
    values = [0.5, 0.4, 0.4, 0.45, 0.3, *([0.3] * 10)]
    criterion = MonitorBased(prop_decrease=0.0, N=3, channel_name="score")
    # Last strict improvement at call 5 (0.3); the tie at call 6 does not reset.
    assert calls_until_stop(criterion, scripted_model(values), len(values)) == 8


def test_prop_decrease_requires_a_large_enough_drop() -> None:
    values = [1.0, 0.995, 0.99, 0.98, 0.97, 0.96]
    criterion = MonitorBased(prop_decrease=0.05, N=2, channel_name="score")
    # 0.995 etc. are never below 0.95 * best, so only the first call resets.
    assert calls_until_stop(criterion, scripted_model(values), len(values)) == 3
    assert criterion.best_value == 0.99  # the minimum is tracked without resetting


def naive_stop(values: list[float], n: int, prop: float) -> int | None:
    best, countdown = float("inf"), n
    for call, v in enumerate(values, start=1):
        countdown = n if v < (1 - prop) * best else countdown - 1
        best = min(best, v)
        if countdown <= 0:
            return call
    return None


@given(
    st.lists(st.sampled_from([0.1, 0.2, 0.25, 0.3, 0.5]), min_size=1, max_size=40),
    st.integers(1, 6),
    st.sampled_from([0.0, 0.01, 0.3]),
)
def test_matches_the_formula_for_any_sequence(values: list[float], n: int, prop: float) -> None:
    criterion = MonitorBased(prop_decrease=prop, N=n, channel_name="score")
    assert calls_until_stop(criterion, scripted_model(values), len(values)) == naive_stop(
        values, n, prop
    )


def test_default_channel_is_objective_and_missing_channel_is_named() -> None:
    model = scripted_model([1.0])
    model.monitor()
    with pytest.raises(KeyError, match="channel 'objective' has no values"):
        MonitorBased().continue_learning(model)


def test_epoch_counter_counts_from_its_first_call() -> None:
    model = scripted_model([0.0] * 10)
    model.monitor.report_epoch()
    model.monitor.report_epoch()
    counter = EpochCounter(3)
    answers = []
    for _ in range(5):
        answers.append(counter.continue_learning(model))
        model.monitor.report_epoch()
    assert answers == [True, True, True, False, False]
    absolute = EpochCounter(3, new_epochs=False)
    assert absolute.continue_learning(model) is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"N": 0}, "`N` must be a positive int"),
        ({"prop_decrease": 1.0}, "`prop_decrease` must be in \\[0, 1\\)"),
    ],
)
def test_monitor_based_argument_errors(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        MonitorBased(**kwargs)


def test_epoch_counter_argument_error() -> None:
    with pytest.raises(ValueError, match="`max_epochs` must be an int >= 0"):
        EpochCounter(-1)
