"""``optimization.BatchGradientDescent`` and ``training_algorithms.bgd.BGD``, as pylearn2's."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from pylearn2_recipes import yaml_parse
from pylearn2_recipes._backend import pt
from pylearn2_recipes.costs.cost import Cost
from pylearn2_recipes.exceptions import InvalidArgumentError
from pylearn2_recipes.models.mlp import MLP, Softmax
from pylearn2_recipes.optimization import BatchGradientDescent
from pylearn2_recipes.testing.datasets import random_one_hot_dense_design_matrix
from pylearn2_recipes.training_algorithms.bgd import BGD
from pylearn2_recipes.utils import sharedX

FAST = "FAST_COMPILE"


def quadratic(n: int = 4) -> tuple[object, object, np.ndarray]:
    """``½ wᵀAw − bᵀw`` for a fixed positive definite ``A``; its minimiser."""
    rng = np.random.RandomState(3)
    m = rng.randn(n, n)
    a = m @ m.T + n * np.eye(n)
    b = rng.randn(n)
    w = sharedX(np.zeros(n), name="w")
    objective = 0.5 * pt.dot(w, pt.dot(a, w)) - pt.dot(b, w)
    return w, objective, np.linalg.solve(a, b)


def test_the_default_search_never_increases_the_objective() -> None:
    w, objective, _ = quadratic()
    optimizer = BatchGradientDescent(objective, [w], max_iter=1, theano_function_mode=FAST)
    values = [float(optimizer.obj())]
    for _ in range(15):
        values.append(optimizer.minimize())
    assert all(b <= a for a, b in itertools.pairwise(values))
    assert values[-1] < values[0]


def test_conjugate_gradient_with_exhaustive_search_reaches_a_quadratics_minimum() -> None:
    w, objective, best = quadratic()
    optimizer = BatchGradientDescent(
        objective,
        [w],
        max_iter=12,
        conjugate=True,
        line_search_mode="exhaustive",
        theano_function_mode=FAST,
    )
    optimizer.minimize()
    np.testing.assert_allclose(w.get_value(), best, atol=1e-3)
    assert float(optimizer.ave_step_size.get_value()) > 0


def test_lr_scalers_and_constrainers_shape_each_step() -> None:
    w = sharedX(np.array([1.0, 1.0]), name="w")
    objective = pt.sqr(w).sum()

    def keep_first_fixed(updates: dict[object, object]) -> None:
        updates[w] = pt.set_subtensor(updates[w][0], w[0])

    optimizer = BatchGradientDescent(
        objective,
        [w],
        max_iter=3,
        param_constrainers=[keep_first_fixed],
        lr_scalers={w: 0.5},
        theano_function_mode=FAST,
    )
    optimizer.minimize()
    first, second = w.get_value()
    assert first == 1.0
    assert 0 <= second < 1.0


def test_a_zero_gradient_ends_the_call_without_nan() -> None:
    w = sharedX(np.array([1.0]), name="w")
    optimizer = BatchGradientDescent(
        pt.sqr(w - 1.0).sum(), [w], max_iter=5, theano_function_mode=FAST
    )
    assert optimizer.minimize() == 0.0
    assert w.get_value().tolist() == [1.0]
    # No step was taken: the step averages are not updated (pylearn2's became 0/0 = NaN).
    assert optimizer.ave_step_size.get_value() == 0.0
    assert optimizer.ave_grad_mult.get_value() == 0.0
    assert optimizer.ave_grad_size.get_value() == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"line_search_mode": "golden"},
        {"line_search_mode": "exhaustive", "init_alpha": (1.0, 0.5)},
        {"accumulate": True},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    w = sharedX(np.zeros(2), name="w")
    with pytest.raises(InvalidArgumentError):
        BatchGradientDescent(pt.sqr(w).sum(), [w], **kwargs)  # type: ignore[arg-type]


def test_bgd_trains_an_mlp_from_yaml_and_monitors_its_steps() -> None:
    # pylearn2's test_monitoring_batch_size.py experiment, one epoch of true batch
    # gradient descent (one batch of the whole set): the line search cannot increase
    # the objective on it.
    train = yaml_parse.load(
        """
        !obj:pylearn2.train.Train {
            dataset: &train !obj:pylearn2.testing.datasets.random_one_hot_dense_design_matrix {
                rng: !obj:numpy.random.RandomState { seed: 1 },
                num_examples: 200, dim: 5, num_classes: 2 },
            model: !obj:pylearn2.models.mlp.MLP {
                nvis: 5,
                layers: [!obj:pylearn2.models.mlp.Softmax {
                    layer_name: 'y', n_classes: 2, irange: 0. }] },
            algorithm: !obj:pylearn2.training_algorithms.bgd.BGD {
                batch_size: 200,
                updates_per_batch: 3,
                conjugate: 1,
                line_search_mode: 'exhaustive',
                monitoring_dataset: {'train': *train},
                monitoring_batch_size: 50,
                theano_function_mode: FAST_COMPILE,
                termination_criterion: !obj:pylearn2.termination_criteria.EpochCounter {
                    max_epochs: 1 } } }
        """
    )
    train.main_loop()
    monitor = train.model.monitor
    assert monitor.get_batches_seen() == 1
    assert monitor.batch_size() == [50]
    objective = monitor.channels["train_objective"].val_record
    assert objective[-1] < objective[0] == pytest.approx(np.log(2))
    assert monitor.channels["ave_step_size"].val_record[-1] > 0
    assert monitor.channels["ave_grad_size"].val_record[-1] > 0


def test_scale_step_moves_part_of_the_way() -> None:
    rng = np.random.RandomState(0)
    data = random_one_hot_dense_design_matrix(rng, 20, 3, 2)

    def final_weights(scale_step: float) -> np.ndarray:
        model = MLP(nvis=3, layers=[Softmax(2, "y", irange=0.0)])
        algorithm = BGD(
            batch_size=20,
            updates_per_batch=1,
            scale_step=scale_step,
            theano_function_mode=FAST,
            seed=1,
        )
        algorithm.setup(model, data)
        algorithm.train(data)
        return model.layers[0].get_weights()

    np.testing.assert_allclose(final_weights(0.25), 0.25 * final_weights(1.0), rtol=1e-6)


def test_a_stochastic_cost_is_refused() -> None:
    class Noisy(Cost):
        def expr(self, model: object, data: object, **kwargs: object) -> object:
            return None

        def is_stochastic(self) -> bool:
            return True

    model = MLP(nvis=3, layers=[Softmax(2, "y", irange=0.0)])
    data = random_one_hot_dense_design_matrix(np.random.RandomState(0), 4, 3, 2)
    with pytest.raises(TypeError, match="stochastic"):
        BGD(cost=Noisy(), batch_size=4).setup(model, data)


def test_monitoring_settings_need_a_monitoring_dataset() -> None:
    with pytest.raises(InvalidArgumentError):
        BGD(batch_size=4, monitoring_batches=2)
