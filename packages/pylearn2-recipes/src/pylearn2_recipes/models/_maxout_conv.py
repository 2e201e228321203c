"""``MaxoutConvC01B``: convolutional maxout units, pylearn2's ``models.maxout.MaxoutConvC01B``.

``models.maxout`` re-exports it. pylearn2 ran this layer only on a GPU, through
cuda-convnet's ``FilterActs`` (a correlation: kernels not flipped) on ``('c', 0, 1, 'b')``
batches. Here the same arithmetic is a PyTensor graph: zero padding, dummy input
channels up to a multiple of 4 (as cuda-convnet required), a correlation written as
shifted slices and one matrix product, the max over each unit's ``num_pieces``
channels, then ``max_pool_c01b`` (windows overhanging the map pad with −inf).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Symbolic, pt
from pylearn2_recipes.models._conv import (
    ConvElemwise,
    IdentityConvNonlinearity,
    _pool_count,
    _to_bc01,
    pool_bc01,
)
from pylearn2_recipes.models.mlp import LAYER_TYPES, Updates, _check_positive_int
from pylearn2_recipes.space import Conv2DSpace

__all__ = ["MaxoutConvC01B", "correlate_bc01"]

_C01B = ("c", 0, 1, "b")


def correlate_bc01(
    bc01: Symbolic,
    kernels: Symbolic,
    kernel_shape: tuple[int, int],
    output_shape: tuple[int, int],
    stride: tuple[int, int],
) -> Symbolic:
    """Valid correlation of ``(b, in, r, c)`` with ``(out, in, kr, kc)`` kernels (unflipped).

    Examples
    --------
    >>> import numpy as np, pytensor
    >>> x = pt.tensor4()
    >>> k = np.arange(4.0).reshape(1, 1, 2, 2)
    >>> f = pytensor.function([x], correlate_bc01(x, k, (2, 2), (1, 1), (1, 1)),
    ...                       mode="FAST_COMPILE")
    >>> f(np.arange(4.0).reshape(1, 1, 2, 2)).ravel().tolist()
    [14.0]
    """
    (kr, kc), (out_r, out_c), (sr, sc) = kernel_shape, output_shape, stride
    kernels = pt.as_tensor_variable(kernels)
    patches = pt.stack(
        [
            bc01[:, :, u : u + (out_r - 1) * sr + 1 : sr, v : v + (out_c - 1) * sc + 1 : sc]
            for u in range(kr)
            for v in range(kc)
        ],
        axis=2,
    )  # (b, in, kr·kc, out_r, out_c)
    batch, channels = bc01.shape[0], bc01.shape[1]
    flat = patches.reshape((batch, channels * kr * kc, out_r * out_c))
    weights = kernels.reshape((kernels.shape[0], channels * kr * kc))
    response = pt.tensordot(weights, flat, axes=[[1], [1]])  # (out, b, out_r·out_c)
    return response.dimshuffle(1, 0, 2).reshape((batch, kernels.shape[0], out_r, out_c))


class MaxoutConvC01B(ConvElemwise):
    """Convolutional maxout: ``num_channels`` units, each the max of ``num_pieces`` maps.

    pylearn2's arguments and semantics: kernels of shape ``(input_channels (+ dummy),
    rows, cols, num_channels·num_pieces)`` drawn once from U(-irange, irange), ``pad``
    zeros around the input, a bias per detector channel and position (per channel with
    ``tied_b``), the max over consecutive groups of ``num_pieces`` detector channels,
    max pooling (``pool_shape`` and ``pool_stride`` square, stride not above the shape),
    then ``min_zero``. The output space has axes ``('c', 0, 1, 'b')``.

    Parameters
    ----------
    num_channels, num_pieces : int
    kernel_shape, pool_shape, pool_stride : pair of int
    layer_name : str
    irange : float
    init_bias : float, default=0.0
    W_lr_scale, b_lr_scale : float, optional
    pad : int, default=0
    fix_pool_shape, fix_pool_stride, fix_kernel_shape : bool, default=False
        Shrink a pool, stride or kernel that does not fit instead of failing.
    partial_sum : int, default=1
        A cuda-convnet speed setting, accepted and ignored.
    tied_b : bool, default=False
    max_kernel_norm : float, optional
    min_zero : bool, default=False
    kernel_stride : pair of int, default=(1, 1)
    input_normalization, detector_normalization, output_normalization : None
        Callables are not supported.

    Raises
    ------
    ValueError
        If an argument is malformed or a kernel or pool does not fit.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> h0 = MaxoutConvC01B(4, 2, [3, 3], [2, 2], [2, 2], "h0", irange=.05, pad=1)
    >>> model = MLP([h0, Softmax(2, "y", irange=.05)],
    ...             input_space=Conv2DSpace([6, 6], num_channels=1, axes=["c", 0, 1, "b"]))
    >>> h0.W.get_value().shape, h0.output_space.shape
    ((1, 3, 3, 8), (3, 3))
    """

    def __init__(
        self,
        num_channels: int,
        num_pieces: int,
        kernel_shape: Sequence[int],
        pool_shape: Sequence[int],
        pool_stride: Sequence[int],
        layer_name: str,
        irange: float | None = None,
        init_bias: float = 0.0,
        W_lr_scale: float | None = None,
        b_lr_scale: float | None = None,
        pad: int = 0,
        fix_pool_shape: bool = False,
        fix_pool_stride: bool = False,
        fix_kernel_shape: bool = False,
        partial_sum: int = 1,
        tied_b: bool = False,
        max_kernel_norm: float | None = None,
        input_normalization: Any = None,
        detector_normalization: Any = None,
        min_zero: bool = False,
        output_normalization: Any = None,
        kernel_stride: Sequence[int] = (1, 1),
    ) -> None:
        self.num_channels = _check_positive_int(num_channels, "num_channels")
        self.num_pieces = _check_positive_int(num_pieces, "num_pieces")
        if input_normalization is not None:
            raise ValueError(f"layer {layer_name!r}: `input_normalization` is not supported")
        super().__init__(
            self.num_channels * self.num_pieces,
            kernel_shape,
            layer_name,
            IdentityConvNonlinearity(),
            irange=irange,
            init_bias=init_bias,
            W_lr_scale=W_lr_scale,
            b_lr_scale=b_lr_scale,
            max_kernel_norm=max_kernel_norm,
            pool_type="max",
            pool_shape=pool_shape,
            pool_stride=pool_stride,
            tied_b=tied_b,
            detector_normalization=detector_normalization,
            output_normalization=output_normalization,
            kernel_stride=kernel_stride,
        )
        self.detector_channels = self.output_channels
        if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
            raise ValueError(f"`pad` must be an int >= 0, got {pad!r}")
        self.pad = pad
        self.fix_pool_shape = bool(fix_pool_shape)
        self.fix_pool_stride = bool(fix_pool_stride)
        self.fix_kernel_shape = bool(fix_kernel_shape)
        self.partial_sum = partial_sum
        self.min_zero = bool(min_zero)
        self.dummy_channels = 0

    def connect(self, space: Any, flatten_output: bool) -> None:
        """Work out the (dummy-padded) input, detector and ``('c', 0, 1, 'b')`` output spaces.

        Raises
        ------
        ValueError
            If ``space`` is not a ``Conv2DSpace`` or the kernel or pool does not fit.
        """
        if not isinstance(space, Conv2DSpace):
            raise ValueError(
                f"layer {self.layer_name!r} (MaxoutConvC01B) expected a Conv2DSpace input, "
                f"got {space}"
            )
        self.input_space = space
        channels = space.num_channels
        self.dummy_channels = 4 - channels % 4 if channels > 3 and channels % 4 else 0
        kernel = list(self.kernel_shape)
        detector = []
        for axis in (0, 1):
            size = space.shape[axis] + 2 * self.pad
            count = math.ceil((size - kernel[axis]) / self.kernel_stride[axis]) + 1
            if count <= 0:
                if not self.fix_kernel_shape:
                    raise ValueError(
                        f"layer {self.layer_name!r}: kernel too big for input (even with "
                        "zero padding)"
                    )
                kernel[axis], count = size, 1
            detector.append(count)
        self.kernel_shape = (kernel[0], kernel[1])
        self.detector_space = Conv2DSpace(
            detector, num_channels=self.detector_channels, axes=_C01B
        )
        assert self.pool_shape is not None
        assert self.pool_stride is not None
        pool = list(self.pool_shape)
        for axis in (0, 1):
            if pool[axis] > detector[axis]:
                if not self.fix_pool_shape:
                    raise ValueError(
                        f"layer {self.layer_name!r}: Pool shape exceeds detector layer shape "
                        f"on axis {axis}"
                    )
                pool[axis] = detector[axis]
        self.pool_shape = (pool[0], pool[1])
        if pool[0] != pool[1] or self.pool_stride[0] != self.pool_stride[1]:
            raise ValueError(f"layer {self.layer_name!r}: pools and strides must be square")
        if self.pool_stride[0] > self.pool_shape[0]:
            if not self.fix_pool_stride:
                raise ValueError(f"layer {self.layer_name!r}: Stride too big.")
            self.pool_stride = (self.pool_shape[0], self.pool_shape[0])
        shape = (
            _pool_count(detector[0], self.pool_shape[0], self.pool_stride[0], False),
            _pool_count(detector[1], self.pool_shape[1], self.pool_stride[1], False),
        )
        self.output_space = Conv2DSpace(shape, num_channels=self.num_channels, axes=_C01B)
        self.dim = self.output_space.get_total_dimension()
        self.flatten_output = flatten_output

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """``[(input_channels + dummy, rows, cols, detector_channels), bias shape]``."""
        channels = self.input_space.num_channels + self.dummy_channels
        kernels = (channels, *self.kernel_shape, self.detector_channels)
        return [kernels, self._bias_shape()]

    def _bias_shape(self) -> tuple[int, ...]:
        if self.tied_b:
            return (self.detector_channels,)
        return (self.detector_channels, *self.detector_space.shape)

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """Pad, correlate, add the bias, max over pieces, max-pool (c01b out)."""
        x = _to_bc01(state_below, self.input_space)
        if self.dummy_channels:
            zeros = pt.zeros(
                (x.shape[0], self.dummy_channels, x.shape[2], x.shape[3]), dtype=x.dtype
            )
            x = pt.concatenate([x, zeros], axis=1)
        if self.pad:
            rows, cols = self.input_space.shape
            wide = pt.zeros(
                (x.shape[0], x.shape[1], rows + 2 * self.pad, cols + 2 * self.pad), dtype=x.dtype
            )
            x = pt.set_subtensor(
                wide[:, :, self.pad : self.pad + rows, self.pad : self.pad + cols], x
            )
        detector_shape = (self.detector_space.shape[0], self.detector_space.shape[1])
        z = correlate_bc01(
            x, self.W.dimshuffle(3, 0, 1, 2), self.kernel_shape, detector_shape, self.kernel_stride
        )
        bias = (
            self.b.dimshuffle("x", 0, "x", "x") if self.tied_b else self.b.dimshuffle("x", 0, 1, 2)
        )
        z = z + bias
        pieces = z[:, 0 :: self.num_pieces]
        for piece in range(1, self.num_pieces):
            pieces = pt.maximum(pieces, z[:, piece :: self.num_pieces])
        assert self.pool_shape is not None
        assert self.pool_stride is not None
        p = pool_bc01(
            pieces, "max", self.pool_shape, self.pool_stride, detector_shape, drop_outside=False
        )
        if self.min_zero:
            p = p * (p > 0.0)
        if self.flatten_output:  # to a VectorSpace, in pylearn2's ('b', 0, 1, 'c') order
            return p.dimshuffle(0, 2, 3, 1).reshape((p.shape[0], self.dim))
        return p.dimshuffle(1, 2, 3, 0)  # ('c', 0, 1, 'b'), the output space's axes

    def modify_updates(self, updates: Updates) -> None:
        """Rescale each output channel's kernel (axes 0, 1, 2) to ``max_kernel_norm``."""
        if self.max_kernel_norm is None or self.W not in updates:
            return
        updated = updates[self.W]
        # Channels are the last axis, so (out,) norms broadcast without keepdims (which
        # PyTensor 3.0.7's Numba backend fails to compile here).
        norms = pt.sqrt(pt.sqr(updated).sum(axis=(0, 1, 2)))
        desired = pt.clip(norms, 0.0, self.max_kernel_norm)
        updates[self.W] = updated * (desired / pt.maximum(1e-7, norms))

    def get_weights_topo(self) -> npt.NDArray[Any]:
        """The kernels as ``(detector_channels, rows, cols, input_channels)``."""
        return np.transpose(self.W.get_value(), (3, 1, 2, 0))

    def param_channels(self) -> dict[str, float]:
        """``kernel_norms_{min,mean,max}`` over each detector channel's kernel."""
        W = self.W.get_value(borrow=True)
        norms = np.sqrt(np.square(W).sum(axis=(0, 1, 2)))
        return {
            "kernel_norms_min": float(norms.min()),
            "kernel_norms_mean": float(norms.mean()),
            "kernel_norms_max": float(norms.max()),
        }

    def _per_channel(self, state: npt.NDArray[Any]) -> npt.NDArray[Any]:
        if state.ndim == 2:  # flattened ('b', 0, 1, 'c')
            result: npt.NDArray[Any] = state.reshape(state.shape[0], -1, self.num_channels)
            return result.transpose(2, 0, 1).reshape(self.num_channels, -1)
        return state.reshape(state.shape[0], -1)  # ('c', 0, 1, 'b')

    def state_channels(self, state: npt.NDArray[Any]) -> dict[str, float]:
        """pylearn2's ``max_x.max_u``, ... : per channel over rows, columns and examples."""
        values = self._per_channel(state)
        v_max, v_min, v_mean = values.max(axis=1), values.min(axis=1), values.mean(axis=1)
        channels: dict[str, float] = {}
        for name, v in (
            ("max", v_max),
            ("min", v_min),
            ("range", v_max - v_min),
            ("mean", v_mean),
        ):
            channels[f"{name}_x.max_u"] = float(v.max())
            channels[f"{name}_x.mean_u"] = float(v.mean())
            channels[f"{name}_x.min_u"] = float(v.min())
        return channels

    def get_layer_monitoring_channels(
        self, state_below: Symbolic = None, state: Symbolic = None, targets: Symbolic = None
    ) -> dict[str, Symbolic]:
        """The same channels, symbolically."""
        norms = pt.sqrt(pt.sqr(self.W).sum(axis=(0, 1, 2)))
        channels: dict[str, Symbolic] = {
            "kernel_norms_min": norms.min(),
            "kernel_norms_mean": norms.mean(),
            "kernel_norms_max": norms.max(),
        }
        if state is None and state_below is not None:
            state = self.fprop(state_below)
        if state is not None:
            if state.ndim == 2:
                values = state.reshape((state.shape[0], -1, self.num_channels))
                values = values.dimshuffle(2, 0, 1).reshape((self.num_channels, -1))
            else:
                values = state.reshape((state.shape[0], -1))
            v_max, v_min, v_mean = values.max(axis=1), values.min(axis=1), values.mean(axis=1)
            for name, v in (
                ("max", v_max),
                ("min", v_min),
                ("range", v_max - v_min),
                ("mean", v_mean),
            ):
                channels[f"{name}_x.max_u"] = v.max()
                channels[f"{name}_x.mean_u"] = v.mean()
                channels[f"{name}_x.min_u"] = v.min()
        return channels

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments (the kernel and pool shapes as fixed by ``connect``)."""
        assert self.pool_shape is not None
        assert self.pool_stride is not None
        return {
            "num_channels": self.num_channels,
            "num_pieces": self.num_pieces,
            "kernel_shape": list(self.kernel_shape),
            "pool_shape": list(self.pool_shape),
            "pool_stride": list(self.pool_stride),
            "layer_name": self.layer_name,
            "irange": self.irange,
            "init_bias": self.init_bias,
            "W_lr_scale": self.W_lr_scale,
            "b_lr_scale": self.b_lr_scale,
            "pad": self.pad,
            "fix_pool_shape": self.fix_pool_shape,
            "fix_pool_stride": self.fix_pool_stride,
            "fix_kernel_shape": self.fix_kernel_shape,
            "partial_sum": self.partial_sum,
            "tied_b": self.tied_b,
            "max_kernel_norm": self.max_kernel_norm,
            "min_zero": self.min_zero,
            "kernel_stride": list(self.kernel_stride),
        }


LAYER_TYPES["MaxoutConvC01B"] = MaxoutConvC01B
