"""pylearn2's Sigmoid detection channels (``monitor_style='detection'``).

Expected values are recomputed here in plain numpy from the formulas of pylearn2's
``models/mlp.py`` (``Sigmoid.get_detection_channels_from_state``) and ``expr/nnet.py``
(``compute_precision``, ``compute_recall``, ``compute_f1``), lisa-lab/pylearn2 at
af81e5c, never from this package.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pylearn2_recipes._backend import fast_compile_mode, pt, pytensor
from pylearn2_recipes.config import yaml_parse
from pylearn2_recipes.datasets import DenseDesignMatrix
from pylearn2_recipes.models.mlp import MLP, Sigmoid
from pylearn2_recipes.training_algorithms.sgd import SGD

DETECTION_NAMES = [
    "01_loss",
    "kl",
    "precision",
    "recall",
    "f1",
    *(
        f"per_output_{metric}_{stat}"
        for metric in ("precision", "recall", "f1")
        for stat in ("max", "mean", "min")
    ),
]


def softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def numpy_detection(
    z: np.ndarray, targets: np.ndarray, unit_axes: int | tuple[int, ...] = 0
) -> dict[str, float]:
    """The channels from the sigmoid's argument ``z``, by pylearn2's formulas (a unit is
    what is left after summing over ``unit_axes``: (0, 1) for ``ConvSigmoid``'s)."""
    state = 1.0 / (1.0 + np.exp(-z))
    y_hat = (state > 0.5).astype(float)
    y = (targets > 0.5).astype(float)
    tp, fp = (y * y_hat).sum(), ((1 - y) * y_hat).sum()
    precision = tp / max(1.0, tp + fp)
    recall = tp / max(1.0, y.sum())
    out = {
        "01_loss": float((y != y_hat).mean()),
        "kl": float((targets * softplus(-z) + (1 - targets) * softplus(z)).mean()),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / max(1.0, precision + recall),
    }
    tp_u, fp_u = (y * y_hat).sum(axis=unit_axes), ((1 - y) * y_hat).sum(axis=unit_axes)
    per_unit = {
        "precision": tp_u / np.maximum(1.0, tp_u + fp_u),
        # compute_recall divides by every unit's positives, not the unit's own.
        "recall": tp_u / max(1.0, y.sum()),
    }
    per_unit["f1"] = (
        2
        * per_unit["precision"]
        * per_unit["recall"]
        / np.maximum(1.0, per_unit["precision"] + per_unit["recall"])
    )
    for name, values in per_unit.items():
        out[f"per_output_{name}_max"] = float(values.max())
        out[f"per_output_{name}_mean"] = float(values.mean())
        out[f"per_output_{name}_min"] = float(values.min())
    return out


def sigmoid_mlp(nvis: int, bias: list[float], **kwargs: Any) -> MLP:
    model = MLP([Sigmoid(layer_name="y", dim=len(bias), irange=0.5, **kwargs)], nvis=nvis)
    model.layers[0].set_biases(np.array(bias))
    return model


def layer_channels(model: MLP, X: np.ndarray, Y: np.ndarray) -> dict[str, np.ndarray]:
    x, y = pt.matrix("X"), pt.matrix("Y")
    channels = model.layers[-1].get_layer_monitoring_channels(state_below=x, targets=y)
    f = pytensor.function([x, y], list(channels.values()), mode=fast_compile_mode())
    return dict(zip(channels, f(X, Y), strict=True))


def test_detection_channels_match_pylearn2s_formulas() -> None:
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))
    Y = (rng.uniform(size=(40, 3)) > 0.6).astype(float)
    model = sigmoid_mlp(4, [0.0, -0.5, 0.5])
    got = layer_channels(model, X, Y)
    expected = numpy_detection(X @ model.layers[0].get_weights() + [0.0, -0.5, 0.5], Y)
    # Every channel of pylearn2's detection style, after Linear's norms and statistics.
    assert [name for name in got if name in expected] == DETECTION_NAMES
    assert "misclass" not in got
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-6), name
        assert got[name].dtype == pytensor.config.floatX
    # A non-trivial batch: the per-unit values differ and nothing is 0 or 1.
    assert 0 < expected["precision"] < 1
    assert 0 < expected["recall"] < 1
    assert expected["per_output_f1_min"] < expected["per_output_f1_max"]


def test_detection_without_positives_is_zero_not_nan() -> None:
    # W = 0: each unit outputs sigmoid(b) for every example. Unit 0 always predicts
    # positive with no positive target (all false positives), unit 1 never predicts
    # positive but has positive targets (all misses), unit 2 outputs exactly 0.5,
    # which is not above the threshold.
    X = np.random.RandomState(1).normal(size=(6, 2))
    Y = np.array([[0, 1, 1], [0, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [0, 1, 0]], float)
    model = sigmoid_mlp(2, [3.0, -3.0, 0.0])
    model.layers[0].set_weights(np.zeros((2, 3)))
    got = layer_channels(model, X, Y)
    expected = numpy_detection(np.tile([3.0, -3.0, 0.0], (6, 1)), Y)
    for name in DETECTION_NAMES:
        assert got[name] == pytest.approx(expected[name]), name
    assert got["precision"] == got["recall"] == got["f1"] == 0.0
    assert got["01_loss"] == pytest.approx((6 + 3 + 2) / 18)
    # No target positive and no prediction positive at all: every ratio 0/1.
    model.layers[0].set_biases(np.array([-3.0, -3.0, -3.0]))
    nothing = layer_channels(model, X, np.zeros((6, 3)))
    for name in DETECTION_NAMES[2:]:
        assert nothing[name] == 0.0, name
    assert nothing["01_loss"] == 0.0


def test_detection_channels_through_the_monitor() -> None:
    rng = np.random.RandomState(2)
    X = rng.normal(size=(30, 3))
    Y = (rng.uniform(size=(30, 2)) > 0.5).astype(float)
    model = sigmoid_mlp(3, [0.3, -0.2])
    ds = DenseDesignMatrix(X=X, y=Y)
    SGD(0.1, batch_size=30, monitoring_dataset=ds).setup(model, ds)
    model.monitor()
    z = X @ model.layers[0].get_weights() + model.layers[0].get_biases()
    for name, value in numpy_detection(z, Y).items():
        assert model.monitor.channels[f"y_{name}"].val_record == [pytest.approx(value)], name


def test_yaml_experiment_monitors_detection_and_trains_with_dropout() -> None:
    train = yaml_parse.load(
        """
        !obj:pylearn2.train.Train {
            dataset: &train !obj:pylearn2.testing.datasets.random_one_hot_dense_design_matrix {
                rng: !obj:numpy.random.RandomState { seed: 3 },
                num_examples: 60, dim: 4, num_classes: 3 },
            model: !obj:pylearn2.models.mlp.MLP {
                nvis: 4,
                layers: [
                    !obj:pylearn2.models.mlp.Tanh { layer_name: 'h0', dim: 5, irange: .5 },
                    !obj:pylearn2.models.mlp.Sigmoid {
                        layer_name: 'y', dim: 3, irange: .5, monitor_style: 'detection' }] },
            algorithm: !obj:pylearn2.training_algorithms.sgd.SGD {
                learning_rate: .5,
                batch_size: 20,
                cost: !obj:pylearn2.costs.mlp.dropout.Dropout {
                    input_include_probs: { 'h0': .8 }, input_scales: { 'h0': 1.25 } },
                monitoring_dataset: {'train': *train},
                theano_function_mode: FAST_COMPILE,
                termination_criterion: !obj:pylearn2.termination_criteria.EpochCounter {
                    max_epochs: 3 } } }
        """
    )
    train.main_loop()
    model, data = train.model, train.dataset
    hidden = np.tanh(data.X @ model.layers[0].get_weights() + model.layers[0].get_biases())
    z = hidden @ model.layers[1].get_weights() + model.layers[1].get_biases()
    channels = model.monitor.channels
    # The last record is taken after the last epoch, with the final parameters, and,
    # as pylearn2 warns, is the mean of the values of each monitoring batch (here three
    # batches of 20 in order), not the precision etc. of the whole set.
    batches = [numpy_detection(z[i : i + 20], data.y[i : i + 20]) for i in (0, 20, 40)]
    for name in DETECTION_NAMES:
        expected = np.mean([batch[name] for batch in batches])
        assert channels[f"train_y_{name}"].val_record[-1] == pytest.approx(expected), name
    whole_set = numpy_detection(z, data.y)["precision"]
    assert channels["train_y_precision"].val_record[-1] != pytest.approx(whole_set)
    assert len(channels["train_y_f1"].val_record) == 4


def test_convolutional_sigmoid_detection_channels_match_pylearn2s_formulas() -> None:
    """models/mlp.py, SigmoidConvNonlinearity.get_monitoring_channels_from_state: the same
    channels, per-output statistics over what is left after summing axes 0 and 1."""
    from pylearn2_recipes.models.mlp import ConvElemwise, SigmoidConvNonlinearity
    from pylearn2_recipes.space import Conv2DSpace

    layer = ConvElemwise(3, [2, 2], "c", SigmoidConvNonlinearity(), irange=0.8)
    model = MLP([layer], input_space=Conv2DSpace([3, 3], num_channels=1))
    x, y = pt.tensor4(), pt.tensor4()
    channels = layer.get_layer_monitoring_channels(state=model.fprop(x), targets=y)
    names = [name for name in DETECTION_NAMES if name != "kl"]  # kl: the cost, tested apart
    f = pytensor.function([x, y], [channels[name] for name in names], mode=fast_compile_mode())
    rng = np.random.RandomState(5)
    X = rng.rand(6, 3, 3, 1)
    Y = (rng.rand(6, 3, 2, 2) > 0.4).astype(float)
    (state,) = pytensor.function([x], [model.fprop(x)], mode=fast_compile_mode())(X)
    z = np.log(state / (1 - state))
    expected = numpy_detection(z, Y, unit_axes=(0, 1))
    got = dict(zip(names, f(X, Y), strict=True))
    for name in names:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-6, err_msg=name)
