"""pylearn2's composite layers, nested MLPs, dropout passes and pooling functions.

Each expectation is pylearn2's behaviour (models/mlp.py, expr/nnet.py), worked out by
hand or in numpy for tiny networks.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from pylearn2_recipes._backend import pt, pytensor
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.exceptions import BackendUnavailableError, TargetMarginalsError
from pylearn2_recipes.expr import nnet
from pylearn2_recipes.models._dropout import masked_fprop
from pylearn2_recipes.models.mlp import (
    MLP,
    CompositeLayer,
    ConvElemwise,
    FlattenerLayer,
    IdentityConvNonlinearity,
    Linear,
    Sigmoid,
    SigmoidConvNonlinearity,
    Softmax,
    exhaustive_dropout_average,
    generate_dropout_mask,
    max_pool,
    mean_pool,
    pool_dnn,
    sampled_dropout_average,
)
from pylearn2_recipes.space import CompositeSpace, Conv2DSpace, IndexSpace, VectorSpace

FAST = "FAST_COMPILE"


def compile_(inputs: list, output: object) -> object:
    return pytensor.function(inputs, output, mode=FAST, on_unused_input="ignore")


def identity_mlp(n: int = 2) -> MLP:
    mlp = MLP([Linear(n, "h0", irange=0), Linear(n, "h1", irange=0)], nvis=n)
    for layer in mlp.layers:
        layer.set_weights(np.eye(n))
    return mlp


def test_masked_fprop_keeps_the_inputs_whose_bits_are_set_and_scales_them() -> None:
    mlp = identity_mlp()
    x = pt.matrix()
    # Bits 0-1 mask h0's inputs, bits 2-3 h1's; a kept input is doubled.
    f = compile_([x], mlp.masked_fprop(x, 0b1101))
    np.testing.assert_allclose(f([[5.0, 3.0]]), [[20.0, 0.0]])
    g = compile_([x], mlp.masked_fprop(x, 0b01, ["h0"], input_scales={"h0": 3}))
    np.testing.assert_allclose(g([[5.0, 3.0]]), [[15.0, 0.0]])
    assert mlp.get_total_input_dimension(["h0", "h1"]) == 4
    with pytest.raises(ValueError, match="too large"):
        mlp.masked_fprop(x, 22)
    with pytest.raises(ValueError, match="no layer"):
        mlp.masked_fprop(x, 2, ["h3"])
    with pytest.raises(ValueError, match="not masked"):
        mlp.masked_fprop(x, 2, ["h0"], 2.0, {"h1": 4})


def test_a_dropped_input_takes_the_layers_mask_value() -> None:
    mlp = MLP([Linear(2, "h0", irange=0)], nvis=2)
    mlp.layers[0].set_weights(np.eye(2))
    mlp.layers[0].dropout_input_mask_value = -5.0
    x = pt.matrix()
    f = compile_([x], masked_fprop(mlp, x, 0b01, default_input_scale=1))
    np.testing.assert_allclose(f([[4.0, 3.0]]), [[4.0, -5.0]])


def test_exhaustive_average_is_the_softmax_of_the_mean_argument() -> None:
    # One softmax on one input: masks 0 (input dropped) and 1 (input doubled) average
    # to the argument x·W + b, so the geometric mean is the undropped softmax.
    mlp = MLP([Softmax(3, "y", irange=0.5)], nvis=1)
    x = pt.matrix()
    f = compile_([x], exhaustive_dropout_average(mlp, x))
    W, b = mlp.layers[0].W.get_value(), mlp.layers[0].b.get_value()
    np.testing.assert_allclose(f([[0.7]]), nnet.softmax_numpy(np.array([[0.7]]) @ W + b))
    with pytest.raises(ValueError, match="no layer"):
        exhaustive_dropout_average(mlp, x, ["h5"])
    with pytest.raises(ValueError, match="not masked"):
        exhaustive_dropout_average(mlp, x, [], 2.0, {"y": 3.0})


def test_sampled_average_uses_the_masks_generate_dropout_mask_draws() -> None:
    mlp = MLP([Linear(2, "h0", irange=0.5), Softmax(2, "y", irange=0.5)], nvis=3)
    rng = np.random.RandomState([2013, 5, 17])
    bits = [rng.uniform() < 0.5 for _ in range(5)]
    assert generate_dropout_mask(mlp) == sum(int(b) << i for i, b in enumerate(bits))
    x = pt.matrix()
    masks = [generate_dropout_mask(mlp, rng=np.random.RandomState(7)) for _ in range(1)]
    expected = compile_([x], masked_fprop(mlp, x, masks[0]))
    got = compile_([x], sampled_dropout_average(mlp, x, 1, rng=np.random.RandomState(7)))
    data = [[0.1, -0.4, 0.9]]
    np.testing.assert_allclose(got(data), expected(data))


def test_dropout_fprop_draws_one_mask_per_batch_or_per_example() -> None:
    mlp = MLP([Linear(2, "h0", irange=0)], nvis=2)
    mlp.layers[0].set_weights(np.eye(2))
    x = pt.matrix()
    batchwise = compile_([x], mlp.dropout_fprop(x, per_example=False))
    rows = [[3.0, 4.5]] * 40
    seen = set()
    for _ in range(10):
        out = batchwise(rows)
        assert (out == out[0]).all()
        seen.add(tuple(out[0]))
        assert set(out[0]) <= {0.0, 6.0, 9.0}
    assert len(seen) > 1  # a new mask at every call
    per_example = compile_([x], mlp.dropout_fprop(x, per_example=True))
    assert len({tuple(row) for row in per_example(rows)}) > 1


def test_pooling_functions_follow_pylearn2s_windows() -> None:
    x = pt.tensor4()
    image = np.arange(30.0).reshape(1, 1, 6, 5)
    # Windows of 3 every 2 rows/cols: rows 0-2, 2-4, 4-5 (the last overhangs).
    top = compile_([x], max_pool(x, (3, 3), (2, 2), (6, 5)))(image)[0, 0]
    np.testing.assert_allclose(top, [[12, 14], [22, 24], [27, 29]])
    mean = compile_([x], mean_pool(x, (2, 2), (2, 2), (6, 5)))(image)[0, 0]
    # The last column window holds one real column: its mean is over that column only.
    np.testing.assert_allclose(mean[0], [3.0, 5.0, 6.5])
    with pytest.raises(BackendUnavailableError, match="cuDNN"):
        pool_dnn(x, (2, 2), (2, 2))


def test_composite_layer_routes_inputs_and_unions_parameters() -> None:
    layers = [Linear(2, "h0", irange=0), Linear(2, "h1", irange=0), Linear(3, "h2", irange=0.1)]
    composite = CompositeLayer("c", layers, {0: [1], 1: [0, 2], 2: [2]})
    space = CompositeSpace([VectorSpace(2), VectorSpace(2), VectorSpace(1)])
    mlp = MLP([composite], input_space=space, input_source=("a", "b", "c"))
    for layer in layers[:2]:
        layer.set_weights(np.eye(2))
    # Component 0 goes to h1, 1 to h0 and h2, 2 to h2: h2 takes 1 and 2 concatenated.
    assert layers[2].W.get_value().shape == (3, 3)
    assert layers[0].get_input_space() == VectorSpace(2)
    assert composite.get_params() == [
        *layers[2].get_params(),
        *layers[1].get_params(),
        *layers[0].get_params(),
    ]
    xs = [pt.matrix() for _ in range(3)]
    outs = compile_(xs, list(mlp.fprop(xs)))
    data = [np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]]), np.array([[5.0]])]
    h0, h1, h2 = outs(*data)
    clone = copy.deepcopy(mlp)  # a composite input space survives the architecture
    np.testing.assert_allclose(compile_(xs, list(clone.fprop(xs)))(*data)[2], h2)
    np.testing.assert_allclose(h0, data[1])
    np.testing.assert_allclose(h1, data[0])
    np.testing.assert_allclose(h2, np.hstack([data[1], data[2]]) @ layers[2].W.get_value())
    decay = compile_([], composite.get_weight_decay([0.0, 0.5, 2.0]))()
    expected = 0.5 * 2 + 2.0 * np.square(layers[2].W.get_value()).sum()
    np.testing.assert_allclose(decay, expected)
    with pytest.raises(ValueError, match="nothing to map"):
        MLP([CompositeLayer("c", [Linear(2, "h", irange=0)], {0: [0]})], nvis=2)


def test_flattener_concatenates_outputs_and_splits_targets_for_the_cost() -> None:
    parts = [Softmax(2, "s0", irange=0.3), Sigmoid(layer_name="s1", dim=3, irange=0.3)]
    flat = FlattenerLayer(CompositeLayer("c", parts))
    mlp = MLP([flat], nvis=4)
    assert flat.get_output_space() == VectorSpace(5)
    x, y = pt.matrix(), pt.matrix()
    rng = np.random.RandomState(0)
    X, Y = rng.rand(6, 4), (rng.rand(6, 5) > 0.5).astype(float)
    out, cost = compile_([x, y], [mlp.fprop(x), mlp.cost(y, mlp.fprop(x))])(X, Y)
    s0, s1 = parts[0].get_params(), parts[1].get_params()
    z0 = X @ s0[1].get_value() + s0[0].get_value()
    z1 = X @ s1[0].get_value() + s1[1].get_value()
    np.testing.assert_allclose(out, np.hstack([nnet.softmax_numpy(z0), nnet.sigmoid_numpy(z1)]))
    nll = -(Y[:, :2] * np.log(nnet.softmax_numpy(z0))).sum(axis=1).mean()
    kl = (Y[:, 2:] * np.logaddexp(0, -z1) + (1 - Y[:, 2:]) * np.logaddexp(0, z1)).mean()
    np.testing.assert_allclose(cost, nll + kl)
    clone = copy.deepcopy(mlp)  # rebuilt from its architecture
    np.testing.assert_allclose(compile_([x], clone.fprop(x))(X), out)


def test_nested_mlp_is_a_layer_initialised_by_the_outer_mlp() -> None:
    inner = MLP([Linear(3, "h0", irange=0.1)], layer_name="inner")
    outer = MLP([inner, Softmax(2, "y", irange=0.1)], nvis=4)
    rng = np.random.RandomState([2013, 1, 4])
    W0 = rng.uniform(-0.1, 0.1, (4, 3)) * (rng.uniform(0, 1, (4, 3)) < 1.0)
    np.testing.assert_allclose(inner.layers[0].W.get_value(), W0)
    assert outer.get_params() == [*inner.get_params(), *outer.layers[1].get_params()]
    zero = outer.get_weight_decay([[0], 0])
    assert isinstance(zero, pt.TensorConstant)
    assert zero.dtype == pytensor.config.floatX
    inner.add_layers([Linear(2, "h1", irange=0.1)])
    assert inner.layers[1].W.get_value().shape == (3, 2)
    decay = outer.get_weight_decay([[0, 0.1], 0])
    np.testing.assert_allclose(decay.eval(), 0.1 * np.square(inner.layers[1].W.get_value()).sum())
    x = pt.matrix()
    X = np.ones((1, 4))
    W1, b1 = inner.layers[1].W.get_value(), inner.layers[1].b.get_value()
    np.testing.assert_allclose(
        compile_([x], inner.fprop(x))(X),
        (X @ W0 + inner.layers[0].b.get_value()) @ W1 + b1,
    )


def test_softmax_index_targets_cost_the_same_as_one_hot_rows() -> None:
    index = MLP([Softmax(4, "y", irange=0.5, binary_target_dim=2)], nvis=3)
    assert index.get_target_space() == IndexSpace(max_labels=4, dim=2)
    x, labels, rows = pt.matrix(), pt.lmatrix(), pt.matrix()
    y_hat = index.fprop(x)
    cost_index = compile_([x, labels], index.cost(labels, y_hat))
    rows_mlp = MLP([Softmax(4, "y", irange=0.5)], nvis=3)  # the same seed: the same W
    cost_rows = compile_([x, rows], rows_mlp.cost(rows, rows_mlp.fprop(x)))
    X = np.random.RandomState(1).rand(5, 3)
    L = np.array([[0, 1], [2, 3], [1, 0], [3, 2], [0, 2]])
    onehot = np.zeros((5, 4))
    onehot[np.arange(5)[:, None], L] = 1
    np.testing.assert_allclose(cost_index(X, L), cost_rows(X, onehot))
    # The cost reads the softmax's argument from any softmax graph (pylearn2's arg_of_softmax).
    z = pt.matrix()
    from pytensor.tensor.special import softmax

    assert nnet.arg_of_softmax(softmax(z, axis=-1)) is z
    with pytest.raises(ValueError, match="softmax"):
        rows_mlp.layers[0].cost(rows, pt.exp(z))


def test_softmax_weights_topo_and_marginal_errors() -> None:
    layer = Softmax(2, "s", irange=0.1)
    MLP([layer], input_space=Conv2DSpace(shape=(3, 4), num_channels=5))
    images = np.random.RandomState(2).randn(3, 4, 5, 2)
    layer.set_weights(images.reshape(60, 2))
    np.testing.assert_allclose(layer.get_weights_topo(), np.transpose(images, (3, 0, 1, 2)))
    with pytest.raises(NotImplementedError):
        layer.get_weights()
    two_labels = DenseDesignMatrix(
        X=np.ones((3, 2)), y=np.array([[0, 1], [1, 0], [1, 1]]), y_labels=2
    )
    with pytest.raises(AssertionError, match=r"one label"):
        Softmax(2, "s", irange=0.1, init_bias_target_marginals=two_labels)
    with pytest.raises(TargetMarginalsError):
        Softmax(2, "s", irange=0.1, init_bias_target_marginals=two_labels)


@pytest.mark.parametrize("sigmoid", [True, False])
def test_convolutional_output_layer_has_pylearn2s_cost(sigmoid: bool) -> None:
    nonlinearity = SigmoidConvNonlinearity() if sigmoid else IdentityConvNonlinearity()
    layer = ConvElemwise(2, [2, 2], "c", nonlinearity, irange=0.3)
    mlp = MLP([layer], input_space=Conv2DSpace([3, 3], num_channels=1))
    x, y = pt.tensor4(), pt.tensor4()
    out = mlp.fprop(x)
    f = compile_([x, y], [out, mlp.cost(y, out)])
    rng = np.random.RandomState(3)
    X, Y = rng.rand(4, 3, 3, 1), (rng.rand(4, 2, 2, 2) > 0.5).astype(float)
    state, cost = f(X, Y)
    assert state.shape == (4, 2, 2, 2)  # ('b', 'c', 0, 1)
    if sigmoid:
        z = np.log(state / (1 - state))
        expected = (Y * np.logaddexp(0, -z) + (1 - Y) * np.logaddexp(0, z)).mean()
        channels = layer.get_layer_monitoring_channels(state=out, targets=y)
        assert {"01_loss", "kl", "precision", "recall", "f1", "per_output_f1_max"} <= set(channels)
    else:
        expected = np.square(Y - state).mean(axis=0).sum()
    np.testing.assert_allclose(cost, expected, rtol=1e-6)


def test_projection_layer_embeds_each_label_and_concatenates_per_example() -> None:
    from pylearn2_recipes.sandbox.nlp.models.mlp import ProjectionLayer

    layer = ProjectionLayer(dim=2, layer_name="p", irange=0.5)
    space = CompositeSpace([IndexSpace(max_labels=4, dim=3), IndexSpace(max_labels=4, dim=1)])
    mlp = MLP([layer], input_space=space, input_source=("a", "b"))
    W = layer.W.get_value()
    np.testing.assert_allclose(W, np.random.RandomState([2013, 1, 4]).uniform(-0.5, 0.5, (4, 2)))
    a, b = pt.lmatrix(), pt.lmatrix()
    first, second = compile_([a, b], list(mlp.fprop((a, b))))([[3, 0, 1]], [[2]])
    np.testing.assert_allclose(first, [np.concatenate([W[3], W[0], W[1]])])
    np.testing.assert_allclose(second, [W[2]])
    assert layer.get_output_space() == CompositeSpace([VectorSpace(6), VectorSpace(2)])
    with pytest.raises(ValueError, match="incompatible"):
        MLP(
            [ProjectionLayer(2, "q", istdev=0.1)],
            input_space=CompositeSpace([IndexSpace(4, 1), IndexSpace(5, 1)]),
        )
    with pytest.raises(ValueError, match="exactly one"):
        ProjectionLayer(2, "q")


def test_weight_decay_takes_a_nested_mlps_coefficients_as_a_list() -> None:
    from pylearn2_recipes.costs.mlp import L1WeightDecay, WeightDecay

    inner = MLP([Linear(3, "h0", irange=0.1), Linear(2, "h1", irange=0.1)], layer_name="inner")
    outer = MLP([inner, Softmax(2, "y", irange=0.1)], nvis=4)
    cost = WeightDecay([[0.5, 0.0], 2.0]).expr(outer, None)
    expected = (
        0.5 * np.square(inner.layers[0].W.get_value()).sum()
        + 2.0 * np.square(outer.layers[1].W.get_value()).sum()
    )
    np.testing.assert_allclose(cost.eval(), expected)
    l1 = L1WeightDecay([[0.0, 1.0], 0.0]).expr(outer, None)
    np.testing.assert_allclose(l1.eval(), np.abs(inner.layers[1].W.get_value()).sum())
    # The monitor reads a nested MLP's channels symbolically, prefixed by every name.
    x, y = pt.matrix(), pt.matrix()
    channels = outer.get_monitoring_channels((x, y))
    assert {"inner_h0_row_norms_max", "inner_h1_col_norms_min", "y_misclass"} <= set(channels)
