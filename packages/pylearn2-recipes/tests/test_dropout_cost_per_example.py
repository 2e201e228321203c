"""pylearn2's ``Dropout.cost_per_example`` and the layers' ``cost_matrix``.

Expected values are recomputed here in plain numpy from the formulas of pylearn2's
``costs/mlp/dropout.py`` (``cost_matrix(Y, Y_hat).sum(axis=1)`` of a dropout pass) and
``models/mlp.py`` (each layer's ``cost_matrix``), lisa-lab/pylearn2 at af81e5c, never
from this package.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pylearn2_recipes._backend import fast_compile_mode, pt, pytensor
from pylearn2_recipes.costs.mlp.dropout import Dropout
from pylearn2_recipes.models.mlp import MLP, Linear, RectifiedLinear, Sigmoid, Softmax, Tanh


def softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def compile_per_example(cost: Dropout, model: MLP, y: Any) -> Any:
    x = pt.matrix("X")
    return pytensor.function(
        [x, y], cost.cost_per_example(model, (x, y)), mode=fast_compile_mode()
    )


KEEP_ALL = {"default_input_include_prob": 1.0, "default_input_scale": 1.0}


@pytest.mark.parametrize("output", ["softmax", "sigmoid", "linear"])
def test_cost_per_example_sums_the_output_layers_cost_matrix(output: str) -> None:
    rng = np.random.RandomState(4)
    X = rng.normal(size=(7, 4))
    layer = {
        "softmax": Softmax(3, "y", irange=0.5),
        "sigmoid": Sigmoid(layer_name="y", dim=3, irange=0.5),
        "linear": Linear(dim=3, layer_name="y", irange=0.5),
    }[output]
    model = MLP([Tanh(layer_name="h0", dim=5, irange=0.5), layer], nvis=4)
    Y = np.eye(3)[rng.randint(0, 3, 7)] if output != "linear" else rng.normal(size=(7, 3))
    cost = Dropout(**KEEP_ALL)  # every input kept, unscaled: the plain forward pass
    per_example = compile_per_example(cost, model, pt.matrix("Y"))(X, Y)
    h = np.tanh(X @ model.layers[0].get_weights() + model.layers[0].get_biases())
    z = h @ model.layers[1].get_weights() + model.layers[1].get_biases()
    if output == "softmax":
        log_p = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
        expected = -(Y * log_p).sum(axis=1)
    elif output == "sigmoid":
        expected = (Y * softplus(-z) + (1 - Y) * softplus(z)).sum(axis=1)
    else:
        expected = ((Y - z) ** 2).sum(axis=1)
    assert per_example.shape == (7,)
    assert per_example.dtype == pytensor.config.floatX
    np.testing.assert_allclose(per_example, expected, rtol=1e-6)
    # expr averages units for a sigmoid (pylearn2's kl), sums them for the others.
    x, y = pt.matrix("X"), pt.matrix("Y")
    mean = pytensor.function([x, y], cost.expr(model, (x, y)), mode=fast_compile_mode())(X, Y)
    assert mean * (3 if output == "sigmoid" else 1) == pytest.approx(expected.mean())


def test_cost_per_example_uses_the_dropout_pass() -> None:
    # Every input of h0 dropped, to its mask value: each example's cost is that of an
    # input of all -5, whatever its own features.
    model = MLP([Sigmoid(layer_name="h0", dim=3, irange=0.5), Softmax(2, "y", irange=0.5)], nvis=4)
    model.layers[0].dropout_input_mask_value = -5.0
    cost = Dropout(input_include_probs={"h0": 0.0, "y": 1.0}, input_scales={"y": 1.0})
    f = compile_per_example(cost, model, pt.matrix("Y"))
    rng = np.random.RandomState(5)
    Y = np.eye(2)[[0, 1, 1, 0]]
    dropped = f(rng.normal(size=(4, 4)), Y)
    h = 1 / (
        1
        + np.exp(
            -(np.full((4, 4), -5.0) @ model.layers[0].get_weights() + model.layers[0].get_biases())
        )
    )
    z = h @ model.layers[1].get_weights() + model.layers[1].get_biases()
    expected = -(Y * (z - np.logaddexp.reduce(z, axis=1, keepdims=True))).sum(axis=1)
    np.testing.assert_allclose(dropped, expected, rtol=1e-6)
    # Random masks (p = .5): a different pass from the plain one, per example.
    noisy = compile_per_example(Dropout(), model, pt.matrix("Y"))
    plain = compile_per_example(Dropout(**KEEP_ALL), model, pt.matrix("Y"))
    X = rng.normal(size=(50, 4))
    Y = np.eye(2)[rng.randint(0, 2, 50)]
    assert not np.allclose(noisy(X, Y), plain(X, Y))


def test_cost_per_example_with_index_targets() -> None:
    rng = np.random.RandomState(6)
    model = MLP([Softmax(4, "y", irange=0.5, binary_target_dim=1)], nvis=3)
    X = rng.normal(size=(5, 3))
    labels = np.array([[0], [3], [1], [3], [2]])
    f = compile_per_example(Dropout(**KEEP_ALL), model, pt.lmatrix("Y"))
    z = X @ model.layers[0].get_weights() + model.layers[0].get_biases()
    log_p = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    np.testing.assert_allclose(f(X, labels), -log_p[np.arange(5), labels[:, 0]], rtol=1e-6)


def test_cost_per_example_needs_a_cost_matrix() -> None:
    # RectifiedLinear has no cost here, so no cost matrix either.
    model = MLP([RectifiedLinear(layer_name="y", dim=2, irange=0.5)], nvis=3)
    with pytest.raises(NotImplementedError, match="cost_matrix"):
        Dropout().cost_per_example(model, (pt.matrix("X"), pt.matrix("Y")))
