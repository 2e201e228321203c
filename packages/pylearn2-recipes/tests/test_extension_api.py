"""pylearn2's extension API: a user's own Model, Cost and dataset train as in pylearn2.

The user's code is ``user_extension.py`` (written against ``pylearn2.*``); here it
trains through ``SGD``, ``Train`` and a YAML file, and the dataset iterator protocol is
checked mode by mode.
"""

from __future__ import annotations

import numpy as np
import pytest
import user_extension
from conftest import FAST
from user_extension import (
    TRUE_B,
    TRUE_W,
    LinearProblem,
    LinearRegression,
    MeanSquaredError,
    NonNegativeBias,
    OutputEnergy,
)

from pylearn2_recipes import Train
from pylearn2_recipes.costs.cost import MethodCost, SumOfCosts
from pylearn2_recipes.exceptions import UnsafeYAMLError
from pylearn2_recipes.space import CompositeSpace, VectorSpace
from pylearn2_recipes.termination_criteria import EpochCounter
from pylearn2_recipes.training_algorithms.sgd import SGD
from pylearn2_recipes.utils import serial

PENALTY = 1e-3


def penalised() -> SumOfCosts:
    return SumOfCosts([MeanSquaredError(), [PENALTY, MethodCost("weight_penalty")]])


def train_linear(model: LinearRegression, cost=None, epochs: int = 30) -> Train:
    data = LinearProblem(n=200, seed=0)
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=20,
        cost=cost,
        monitoring_dataset={"train": data},
        termination_criterion=EpochCounter(epochs),
        theano_function_mode=FAST,
    )
    train = Train(dataset=data, model=model, algorithm=algorithm)
    train.main_loop()
    return train


def test_user_model_and_cost_train_through_sgd_and_train() -> None:
    model = LinearRegression(nvis=3, nout=2)
    train_linear(model, penalised())
    W, b = model.W.get_value(), model.b.get_value()
    # The penalty shrinks W a little: the minimiser of MSE + 1e-3·|W|² is within 1e-2.
    np.testing.assert_allclose(W, TRUE_W, atol=2e-2)
    np.testing.assert_allclose(b, TRUE_B, atol=2e-2)

    channels = model.monitor.channels
    X, Y = LinearProblem(n=200, seed=0).X, LinearProblem(n=200, seed=0).y
    out = X @ W + b
    mse = float(((out - Y) ** 2).sum(axis=1).mean())
    penalty = float((W**2).sum())
    # One channel per cost term, the cost's own, the model's, the objective: pylearn2's names
    # (a term is suffixed with its expression's name: `.mean()` names its result "mean").
    assert channels["train_objective"].val_record[-1] == pytest.approx(mse + PENALTY * penalty)
    assert channels["train_term_0_mean"].val_record[-1] == pytest.approx(mse)
    assert channels["train_term_1"].val_record[-1] == pytest.approx(penalty)
    assert channels["train_mae"].val_record[-1] == pytest.approx(abs(out - Y).mean())
    assert channels["train_W_norm"].val_record[-1] == pytest.approx(np.sqrt(penalty))
    assert channels["train_mean_output"].val_record[-1] == pytest.approx(out.mean())
    objective = channels["train_objective"].val_record
    assert len(objective) == 31  # the untrained model, then every epoch
    assert objective[-1] < objective[0] / 100


def test_default_cost_comes_from_the_model() -> None:
    model = LinearRegression(nvis=3, nout=2)
    train = train_linear(model, cost=None, epochs=30)
    assert isinstance(train.algorithm.cost, MeanSquaredError)
    np.testing.assert_allclose(model.W.get_value(), TRUE_W, atol=1e-3)


def test_modify_updates_and_legacy_censor_updates_constrain_every_step() -> None:
    capped = LinearRegression(nvis=3, nout=2, max_col_norm=0.5)
    train_linear(capped, epochs=3)
    norms = np.sqrt((capped.W.get_value() ** 2).sum(axis=0))
    np.testing.assert_allclose(norms, [0.5, 0.5], rtol=1e-5)  # unconstrained: 2.3 and 3.6

    legacy = NonNegativeBias(nvis=3, nout=2)
    train_linear(legacy, epochs=3)
    b = legacy.b.get_value()
    assert b[1] == 0.0  # TRUE_B[1] < 0: held at the bound
    assert b[0] > 0.1


def test_an_unsupervised_term_and_a_supervised_one_share_the_features() -> None:
    """SumOfCosts flattens (X, Y) and (X,) to one (X, Y) batch, as pylearn2's mapping."""
    model = LinearRegression(nvis=3, nout=2)
    cost = SumOfCosts([MeanSquaredError(), [0.1, OutputEnergy()]])
    space, source = cost.get_data_specs(model)
    assert source == ("features", "targets")
    assert isinstance(space, CompositeSpace)
    assert [c.dim for c in space.components] == [3, 2]
    train_linear(model, cost, epochs=20)
    # Minimising |XW+b−Y|² + 0.1·|XW+b|²/2 shrinks the least-squares fit by 1/(1 + 0.05).
    np.testing.assert_allclose(model.W.get_value(), TRUE_W / 1.05, atol=2e-2)


def test_a_user_yaml_file_names_the_users_classes(tmp_path, monkeypatch) -> None:
    config = tmp_path / "linear.yaml"
    config.write_text(
        """
!obj:pylearn2.train.Train {
    dataset: &train !obj:user_extension.LinearProblem {n: 200, seed: 0},
    model: !obj:user_extension.LinearRegression {nvis: 3, nout: 2},
    algorithm: !obj:pylearn2.training_algorithms.sgd.SGD {
        learning_rate: .05,
        batch_size: 20,
        cost: !obj:pylearn2.costs.cost.SumOfCosts {
            costs: [
                !obj:user_extension.MeanSquaredError {},
                [1e-3, !obj:pylearn2.costs.cost.MethodCost {method: weight_penalty}],
            ],
        },
        monitoring_dataset: {train: *train},
        termination_criterion: !obj:pylearn2.termination_criteria.EpochCounter {
            max_epochs: 30,
        },
        theano_function_mode: FAST_COMPILE,
    },
}
"""
    )
    # The user's module is not on the allow-list: refused by default, like any import.
    with pytest.raises(UnsafeYAMLError, match=r"user_extension\.LinearProblem"):
        serial.load_train_file(config)
    train = serial.load_train_file(config, allow_unsafe=True)
    assert isinstance(train.model, user_extension.LinearRegression)
    train.main_loop()
    in_python = LinearRegression(nvis=3, nout=2)
    train_linear(in_python, penalised())
    # Same seeds, same batches, same graph: the YAML run is the Python run.
    np.testing.assert_array_equal(train.model.W.get_value(), in_python.W.get_value())
    assert train.model.monitor.channels["train_objective"].val_record == (
        in_python.monitor.channels["train_objective"].val_record
    )


# --- the dataset iterator protocol ---------------------------------------------------


@pytest.fixture
def data() -> LinearProblem:
    return LinearProblem(n=10, seed=1)


def test_sequential_serves_the_sources_asked_for_in_order(data) -> None:
    specs = (CompositeSpace([VectorSpace(3), VectorSpace(2)]), ("features", "targets"))
    batches = list(data.iterator(mode="sequential", batch_size=4, data_specs=specs))
    assert [len(X) for X, _ in batches] == [4, 4, 2]  # the last, short batch is kept
    np.testing.assert_array_equal(np.concatenate([X for X, _ in batches]), data.X)
    np.testing.assert_array_equal(np.concatenate([Y for _, Y in batches]), data.y)
    (only,) = data.iterator(
        mode="sequential", batch_size=10, data_specs=(VectorSpace(2), "targets"), return_tuple=True
    )
    assert isinstance(only, tuple)
    np.testing.assert_array_equal(only[0], data.y)
    bare = next(iter(data.iterator(mode="sequential", batch_size=10)))
    np.testing.assert_array_equal(bare, data.X)  # features alone, not a tuple


def test_shuffled_sequential_is_a_permutation_drawn_from_the_rng(data) -> None:
    def order(seed: int) -> np.ndarray:
        iterator = data.iterator(
            mode="shuffled_sequential", batch_size=3, rng=np.random.RandomState(seed)
        )
        rows = np.concatenate(list(iterator))
        return np.array([int(np.flatnonzero((row == data.X).all(axis=1))[0]) for row in rows])

    assert sorted(order(0)) == list(range(10))
    np.testing.assert_array_equal(order(0), order(0))
    assert not np.array_equal(order(0), order(1))
    assert not np.array_equal(order(0), np.arange(10))


@pytest.mark.parametrize(
    ("mode", "num_batches", "sizes"),
    [
        ("random_uniform", 5, [2] * 5),
        ("random_slice", 4, [2] * 4),
        ("even_sequential", None, [3] * 3),
        ("even_shuffled_sequential", None, [3] * 3),
        ("batchwise_shuffled_sequential", None, [3, 3, 3, 1]),
    ],
)
def test_every_pylearn2_mode_yields_its_batches(data, mode, num_batches, sizes) -> None:
    stochastic = mode != "even_sequential"
    rng = np.random.RandomState(0) if stochastic else None  # sequential modes refuse one
    iterator = data.iterator(mode=mode, batch_size=sizes[0], num_batches=num_batches, rng=rng)
    assert sorted(len(batch) for batch in iterator) == sorted(sizes)
    assert iterator.stochastic == stochastic
    assert iterator.num_examples == sum(sizes)


def test_bad_iterator_requests_name_the_problem(data) -> None:
    with pytest.raises(ValueError, match="no_such_mode"):
        data.iterator(mode="no_such_mode", batch_size=2)
    with pytest.raises(ValueError, match="labels"):
        data.iterator(mode="sequential", batch_size=2, data_specs=(VectorSpace(2), "labels"))
    with pytest.raises(ValueError, match="rng argument not supported for sequential"):
        data.iterator(mode="sequential", batch_size=2, rng=np.random.RandomState(0))
