"""MaxoutConvC01B against pylearn2's models/maxout.py and linear/conv2d_c01b.py.

cuda-convnet's FilterActs is a correlation (pylearn2's test_filter_acts.py compares it
with Theano's conv2d of flipped filters); pieces are consecutive detector channels
(``z[i::num_pieces]``); pooling is ``max_pool_c01b``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate2d

from pylearn2_recipes._backend import pt, pytensor
from pylearn2_recipes.models.maxout import MaxoutConvC01B
from pylearn2_recipes.models.mlp import MLP, Softmax
from pylearn2_recipes.space import Conv2DSpace, VectorSpace

FAST = "FAST_COMPILE"
C01B = ["c", 0, 1, "b"]


def reference(layer: MaxoutConvC01B, c01b: np.ndarray) -> np.ndarray:
    """The layer's output in numpy, straight from pylearn2's description (c01b)."""
    W, b = layer.W.get_value(), layer.b.get_value()
    x = np.transpose(c01b, (3, 0, 1, 2))  # bc01
    if layer.dummy_channels:
        x = np.concatenate([x, np.zeros((x.shape[0], layer.dummy_channels, *x.shape[2:]))], 1)
    p = layer.pad
    x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    z = np.array(
        [
            [
                sum(correlate2d(x[n, c], W[c, :, :, o], mode="valid") for c in range(x.shape[1]))
                for o in range(W.shape[3])
            ]
            for n in range(x.shape[0])
        ]
    )
    z = z + (b[None, :, None, None] if layer.tied_b else b[None])
    k = layer.num_pieces
    h = z.reshape(z.shape[0], layer.num_channels, k, *z.shape[2:]).max(axis=2)
    (pr, _), (s, _) = layer.pool_shape, layer.pool_stride
    rows, cols = layer.output_space.shape
    padded = np.full((*h.shape[:2], (rows - 1) * s + pr, (cols - 1) * s + pr), -np.inf)
    padded[:, :, : h.shape[2], : h.shape[3]] = h[:, :, : padded.shape[2], : padded.shape[3]]
    out = np.array(
        [
            [
                padded[:, :, i * s : i * s + pr, j * s : j * s + pr].max(axis=(2, 3))
                for j in range(cols)
            ]
            for i in range(rows)
        ]
    )  # rows, cols, b, c
    return np.transpose(out, (3, 0, 1, 2))


@pytest.mark.parametrize(("channels", "pad", "tied"), [(1, 0, False), (5, 1, True)])
def test_output_is_pylearn2s_correlation_maxout_and_pool(
    channels: int, pad: int, tied: bool
) -> None:
    layer = MaxoutConvC01B(
        3, 2, [3, 3], [3, 3], [2, 2], "h0", irange=0.5, pad=pad, tied_b=tied, init_bias=0.1
    )
    space = Conv2DSpace([7, 6], num_channels=channels, axes=C01B)
    MLP([layer], input_space=space)
    assert layer.dummy_channels == (3 if channels == 5 else 0)
    assert layer.W.get_value().shape == (channels + layer.dummy_channels, 3, 3, 6)
    layer.b.set_value(np.random.RandomState(1).randn(*layer.b.get_value().shape))
    layer.flatten_output = False
    c01b = np.random.RandomState(2).randn(channels, 7, 6, 4)
    X = pt.tensor4()
    out = pytensor.function([X], layer.fprop(X), mode=FAST)(c01b)
    np.testing.assert_allclose(out, reference(layer, c01b), rtol=1e-9, atol=1e-12)


def test_initial_kernels_are_one_draw_and_flattening_is_pylearn2s() -> None:
    layer = MaxoutConvC01B(2, 2, [2, 2], [2, 2], [2, 2], "h0", irange=0.05)
    space = Conv2DSpace([5, 5], num_channels=1, axes=C01B)
    model = MLP([layer, Softmax(3, "y", irange=0.05)], input_space=space)
    rng = np.random.RandomState([2013, 1, 4])
    np.testing.assert_allclose(layer.W.get_value(), rng.uniform(-0.05, 0.05, (1, 2, 2, 4)))
    assert layer.b.get_value().shape == (4, 4, 4)  # untied: per detector position
    assert layer.output_space.axes == ("c", 0, 1, "b")
    c01b = np.random.RandomState(3).randn(1, 5, 5, 3)
    X = pt.tensor4()
    flat = pytensor.function([X], layer.fprop(X), mode=FAST)(c01b)
    layer.flatten_output = False
    topo = pytensor.function([X], layer.fprop(X), mode=FAST)(c01b)
    np.testing.assert_allclose(flat, layer.output_space.np_format_as(topo, VectorSpace(layer.dim)))
    assert model.layers[1].W.get_value().shape == (layer.dim, 3)


def test_channels_and_constraints() -> None:
    layer = MaxoutConvC01B(2, 2, [2, 2], [2, 2], [2, 2], "h0", irange=1.0, max_kernel_norm=0.5)
    MLP([layer], input_space=Conv2DSpace([4, 4], num_channels=2, axes=C01B))
    updates = {layer.W: layer.W * 1}
    layer.modify_updates(updates)
    after = pytensor.function([], updates[layer.W], mode=FAST)()
    assert np.sqrt((after**2).sum(axis=(0, 1, 2))).max() == pytest.approx(0.5)
    state = np.random.RandomState(4).randn(2, 2, 2, 3)  # c01b output of a batch of 3
    channels = layer.state_channels(state)
    per_channel_max = state.reshape(2, -1).max(axis=1)
    assert channels["max_x.max_u"] == per_channel_max.max()
    assert channels["max_x.min_u"] == per_channel_max.min()
    assert set(layer.param_channels()) == {
        "kernel_norms_min",
        "kernel_norms_mean",
        "kernel_norms_max",
    }
    with pytest.raises(ValueError, match="Stride too big"):
        MLP(
            [MaxoutConvC01B(2, 2, [2, 2], [2, 2], [3, 3], "h", irange=0.1)],
            input_space=Conv2DSpace([6, 6], num_channels=1, axes=C01B),
        )
    with pytest.raises(ValueError, match="kernel too big"):
        MLP(
            [MaxoutConvC01B(2, 2, [9, 9], [2, 2], [2, 2], "h", irange=0.1)],
            input_space=Conv2DSpace([6, 6], num_channels=1, axes=C01B),
        )
