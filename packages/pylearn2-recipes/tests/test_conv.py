"""Convolutional layers against pylearn2's behaviour (models/mlp.py, models/tests/*).

The expected pooling results are those of pylearn2's ``test_mlp.py`` (``test_max_pool``,
``test_max_pool_options``, ``test_mean_pool``); the conv/dense equivalence is pylearn2's
``test_convelemwise_cost.py::check_case``; the rest follows pylearn2's source.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.signal import convolve2d

from pylearn2_recipes._backend import pt, pytensor
from pylearn2_recipes.config import yaml_parse
from pylearn2_recipes.models._conv import conv2d_bc01, pool_bc01
from pylearn2_recipes.models.mlp import (
    MLP,
    ConvElemwise,
    ConvRectifiedLinear,
    IdentityConvNonlinearity,
    Linear,
    RectifierConvNonlinearity,
    Sigmoid,
    SigmoidConvNonlinearity,
    Softmax,
    Tanh,
    TanhConvNonlinearity,
)
from pylearn2_recipes.space import Conv2DSpace, VectorSpace
from pylearn2_recipes.utils import serial

FAST = "FAST_COMPILE"

#: The 6x4 image of pylearn2's test_max_pool_options.
IMAGE = np.array(
    [
        [2, 1, 3, 4],
        [1, 1, 3, 3],
        [5, 5, 7, 8],
        [5, 6, 8, 7],
        [9, 10, 11, 12],
        [9, 10, 14, 15],
    ],
    dtype=float,
)[None, None]


def pool(
    image: np.ndarray, kind: str, shape: tuple[int, int], stride: tuple[int, int]
) -> np.ndarray:
    x = pt.tensor4()
    f = pytensor.function([x], pool_bc01(x, kind, shape, stride, image.shape[2:]), mode=FAST)
    result: np.ndarray = f(image)
    return result


@pytest.mark.parametrize(
    ("shape", "stride", "expected"),
    [
        ((3, 3), (2, 2), [[7, 8], [11, 12], [14, 15]]),  # shape > stride: padded windows
        ((2, 2), (3, 3), [[2, 4], [10, 12]]),  # shape < stride: no window past the image
        ((2, 2), (2, 2), [[2, 4], [6, 8], [10, 15]]),
    ],
)
def test_max_pool_matches_pylearn2(
    shape: tuple[int, int], stride: tuple[int, int], expected: list[list[int]]
) -> None:
    assert pool(IMAGE, "max", shape, stride)[0, 0].tolist() == expected


def test_mean_pool_matches_pylearn2() -> None:
    t = np.array(
        [[0, 1, 3, 2], [1, 2, 4, 3], [4, 6, 7, 7], [5, 5, 6, 8], [8, 10, 11, 11], [9, 9, 10, 12]],
        dtype=float,
    )
    X = np.broadcast_to(t, (1, 3, 6, 4)).copy()
    out = pool(X, "mean", (2, 2), (2, 2))
    assert out.shape == (1, 3, 3, 2)
    assert np.allclose(out[0, 1], [[1, 3], [5, 7], [9, 11]])


def test_mean_pool_averages_only_the_real_inputs_of_an_overhanging_window() -> None:
    out = pool(IMAGE, "mean", (3, 3), (2, 2))[0, 0]
    assert out[2, 1] == pytest.approx(IMAGE[0, 0, 4:6, 2:4].mean())


@pytest.mark.parametrize("mode", ["valid", "full"])
def test_convolution_is_theanos_true_convolution(mode: str) -> None:
    rng = np.random.RandomState(0)
    images, kernels = rng.randn(3, 2, 7, 6), rng.randn(4, 2, 3, 2)
    x, W = pt.tensor4(), pt.tensor4()
    out = pytensor.function([x, W], conv2d_bc01(x, W, mode, (1, 1)), mode=FAST)(images, kernels)
    expected = np.array(
        [
            [
                sum(convolve2d(images[b, c], kernels[k, c], mode=mode) for c in range(2))
                for k in range(4)
            ]
            for b in range(3)
        ]
    )
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


def test_kernel_stride_subsamples_the_valid_convolution() -> None:
    rng = np.random.RandomState(1)
    images, kernels = rng.randn(1, 1, 7, 7), rng.randn(1, 1, 2, 2)
    x, W = pt.tensor4(), pt.tensor4()
    full = pytensor.function([x, W], conv2d_bc01(x, W, "valid", (1, 1)), mode=FAST)
    strided = pytensor.function([x, W], conv2d_bc01(x, W, "valid", (2, 3)), mode=FAST)
    np.testing.assert_allclose(strided(images, kernels), full(images, kernels)[:, :, ::2, ::3])
    layer = ConvElemwise(
        1, [2, 2], "h", IdentityConvNonlinearity(), irange=0.1, kernel_stride=[2, 3]
    )
    MLP([layer], input_space=Conv2DSpace([7, 7], num_channels=1))
    assert layer.output_space.shape == (3, 2)


@pytest.mark.parametrize(
    ("conv_nonlinearity", "dense"),
    [
        (IdentityConvNonlinearity(), Linear),
        (SigmoidConvNonlinearity(), Sigmoid),
        (TanhConvNonlinearity(), Tanh),
        (RectifierConvNonlinearity(), None),
    ],
)
def test_whole_image_kernel_equals_a_dense_layer_with_flipped_weights(
    conv_nonlinearity: object, dense: type[Linear] | None
) -> None:
    # pylearn2's test_convelemwise_cost.check_case, smaller.
    rng = np.random.RandomState(12345)
    rows, cols, channels, batch = 7, 5, 3, 11
    x = rng.rand(batch, rows, cols, 1)
    conv = MLP(
        [
            ConvElemwise(
                layer_name="conv",
                nonlinearity=conv_nonlinearity,  # type: ignore[arg-type]
                output_channels=channels,
                kernel_shape=[rows, cols],
                pool_shape=[1, 1],
                pool_stride=[rows, cols],
                irange=1.0,
            )
        ],
        input_space=Conv2DSpace([rows, cols], axes=["b", 0, 1, "c"], num_channels=1),
        batch_size=batch,
    )
    X = pt.tensor4()
    conv_out = pytensor.function([X], conv.fprop(X), mode=FAST)(x)
    # A convolutional output layer gives pylearn2's ('b', 'c', 0, 1) batch: here 1 x 1.
    assert conv_out.shape == (batch, channels, 1, 1)
    conv_out = conv_out.reshape(batch, channels)
    W, b = conv.get_param_values()
    W_dense = np.stack([W[k, 0].flatten()[::-1] for k in range(channels)], axis=1)
    z = x.reshape(batch, rows * cols) @ W_dense + b.reshape(channels)
    expected = {
        Linear: z,
        Sigmoid: 1 / (1 + np.exp(-z)),
        Tanh: np.tanh(z),
        None: np.maximum(z, 0),
    }[dense]
    np.testing.assert_allclose(conv_out, expected, rtol=1e-6, atol=1e-8)


def test_initial_kernels_are_one_uniform_draw_from_the_mlp_rng() -> None:
    h0 = ConvRectifiedLinear(4, [3, 3], [2, 2], [2, 2], "h0", irange=0.05, init_bias=0.5)
    model = MLP([h0, Softmax(2, "y", irange=0.1)], input_space=Conv2DSpace([8, 9], num_channels=2))
    rng = np.random.RandomState([2013, 1, 4])
    expected = rng.uniform(-0.05, 0.05, (4, 2, 3, 3))
    np.testing.assert_allclose(h0.W.get_value(), expected)
    # untied biases (pylearn2's default): one per channel and detector position
    assert h0.b.get_value().shape == (4, 6, 7)
    assert np.all(h0.b.get_value() == 0.5)
    # the Softmax draws next from the same RandomState
    np.testing.assert_allclose(
        model.layers[1].W.get_value(), rng.uniform(-0.1, 0.1, (4 * 3 * 4, 2))
    )
    assert [p.name for p in model.get_params()] == ["h0_W", "h0_b", "softmax_b", "softmax_W"]


def test_tied_biases_are_one_per_channel() -> None:
    h0 = ConvElemwise(3, [2, 2], "h0", TanhConvNonlinearity(), irange=0.1, tied_b=True)
    MLP([h0], input_space=Conv2DSpace([4, 4], num_channels=1))
    assert h0.b.get_value().shape == (3,)


def test_output_is_flattened_in_pylearn2s_vector_order() -> None:
    rng = np.random.RandomState(3)
    h0 = ConvElemwise(3, [2, 2], "h0", IdentityConvNonlinearity(), irange=0.5)
    h1 = ConvElemwise(2, [2, 2], "h1", IdentityConvNonlinearity(), irange=0.5)
    space = Conv2DSpace([5, 4], num_channels=2, axes=["c", 0, 1, "b"])
    model = MLP([h0, h1, Linear(dim=3, layer_name="y", irange=0.1)], input_space=space)
    assert not h0.flatten_output
    assert h1.flatten_output
    assert model.nvis == 40
    assert h1.dim == 2 * 3 * 2
    topo = rng.randn(2, 5, 4, 6)  # in the input space's axes, c01b
    design = space.np_format_as(topo, VectorSpace(40))
    X4, X2 = pt.tensor4(), pt.matrix()
    states4 = pytensor.function([X4], model.fprop(X4, return_all=True), mode=FAST)(topo)
    states2 = pytensor.function([X2], model.fprop(X2, return_all=True), mode=FAST)(design)
    for a, b in zip(states4, states2, strict=True):
        np.testing.assert_allclose(a, b)
    # h1's flattened output is its ('b', 'c', 0, 1) output formatted as pylearn2 does
    unflat = states2[0]
    below = pytensor.function(
        [X2],
        h1.nonlin.apply(
            conv2d_bc01(X2.reshape((6, 3, 4, 3)), h1.W, "valid", (1, 1))
            + h1.b.dimshuffle("x", 0, 1, 2)
        ),
        mode=FAST,
    )
    assert unflat.shape == (6, 3, 4, 3)
    expected = h1.output_space.np_format_as(below(unflat.reshape(6, -1)), VectorSpace(h1.dim))
    np.testing.assert_allclose(states2[1], expected)


def test_max_kernel_norm_rescales_updated_kernels() -> None:
    h0 = ConvElemwise(2, [2, 2], "h0", IdentityConvNonlinearity(), irange=1.0, max_kernel_norm=0.5)
    MLP([h0], input_space=Conv2DSpace([3, 3], num_channels=2))
    before = h0.W.get_value()
    updates = {h0.W: h0.W * 3}
    h0.modify_updates(updates)
    after = pytensor.function([], updates[h0.W], mode=FAST)()
    norms = np.sqrt(((3 * before) ** 2).sum(axis=(1, 2, 3), keepdims=True))
    np.testing.assert_allclose(
        after, 3 * before * np.clip(norms, 0, 0.5) / np.maximum(1e-7, norms)
    )
    assert np.sqrt((after**2).sum(axis=(1, 2, 3))).max() == pytest.approx(0.5)


# predict_proba compiles in PyTensor's default (Numba) mode, which has no Numba kernel
# for PyTensor's Convolve2d and says so (README: "Convolution").
@pytest.mark.filterwarnings("ignore:Numba will use object mode:UserWarning")
def test_channels_are_pylearn2s(tmp_path: Path) -> None:
    yaml = """
!obj:pylearn2.train.Train {
    dataset: &train !obj:pylearn2.testing.datasets.random_one_hot_topological_dense_design_matrix {
        rng: !obj:numpy.random.RandomState { seed: [2013, 3, 16] },
        shape: &input_shape [6, 6], channels: 1, axes: ['c', 0, 1, 'b'],
        num_examples: 8, num_classes: 3
    },
    model: !obj:pylearn2.models.mlp.MLP {
        batch_size: 4,
        layers: [
            !obj:pylearn2.models.mlp.ConvRectifiedLinear {
                layer_name: 'h0', output_channels: 2, kernel_shape: [3, 3],
                pool_shape: [2, 2], pool_stride: [2, 2], irange: .05, max_kernel_norm: .9
            },
            !obj:pylearn2.models.mlp.Softmax { layer_name: 'y', n_classes: 3, irange: .05 }
        ],
        input_space: !obj:pylearn2.space.Conv2DSpace {
            shape: *input_shape, num_channels: 1, axes: ['c', 0, 1, 'b'] },
    },
    algorithm: !obj:pylearn2.training_algorithms.sgd.SGD {
        learning_rate: .05, monitoring_dataset: { 'train': *train },
        termination_criterion: !obj:pylearn2.termination_criteria.EpochCounter { max_epochs: 2 },
        theano_function_mode: FAST_COMPILE
    },
    save_path: "%s", save_freq: 1
}
""" % (tmp_path / "conv.pkl")
    train = yaml_parse.load(yaml)
    train.main_loop()
    channels = train.model.monitor.channels
    for suffix in ("kernel_norms_min", "kernel_norms_mean", "kernel_norms_max", "max_x_max_u"):
        assert f"train_h0_{suffix}" in channels
    assert len(channels["train_y_misclass"].val_record) == 3
    # the safe model file round-trips, and `!pkl:` reads it
    loaded = yaml_parse.load(f'model: !pkl: "{tmp_path / "conv.pkl"}"')["model"]
    assert isinstance(loaded.layers[0], ConvRectifiedLinear)
    assert loaded.input_space.axes == ("c", 0, 1, "b")
    for a, b in zip(loaded.get_param_values(), train.model.get_param_values(), strict=True):
        np.testing.assert_array_equal(a, b)
    X = train.dataset.X[:3]
    np.testing.assert_allclose(
        serial.load(tmp_path / "conv.pkl").predict_proba(X), train.model.predict_proba(X)
    )


def test_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="expected a Conv2DSpace input"):
        MLP(
            [
                Linear(dim=4, layer_name="h", irange=0.1),
                ConvRectifiedLinear(2, [2, 2], [1, 1], [1, 1], "c", irange=0.1),
            ],
            nvis=16,
        )
    with pytest.raises(ValueError, match=r"kernel .* larger than its input"):
        MLP(
            [ConvElemwise(2, [5, 5], "c", TanhConvNonlinearity(), irange=0.1)],
            input_space=Conv2DSpace([4, 4], num_channels=1),
        )
    with pytest.raises(ValueError, match="sparse_init"):
        ConvElemwise(2, [2, 2], "c", TanhConvNonlinearity(), sparse_init=3)
    with pytest.raises(ValueError, match="needs `pool_shape`"):
        ConvElemwise(2, [2, 2], "c", TanhConvNonlinearity(), irange=0.1, pool_type="max")
    with pytest.raises(ValueError, match="not both"):
        MLP([Softmax(2, "y", irange=0.1)], nvis=4, input_space=Conv2DSpace([2, 2], num_channels=1))
    layer = ConvElemwise(2, [2, 2], "c", TanhConvNonlinearity(), irange=0.1)
    MLP([layer], input_space=Conv2DSpace([3, 3], num_channels=1))
    with pytest.raises(NotImplementedError, match="does not implement cost"):
        layer.cost(pt.matrix(), pt.matrix())
