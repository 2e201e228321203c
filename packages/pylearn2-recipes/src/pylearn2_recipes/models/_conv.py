"""Convolutional layers of an ``MLP``: pylearn2's ``ConvElemwise`` and ``ConvRectifiedLinear``.

pylearn2 defines them in ``models/mlp.py``; they live here and ``models.mlp`` re-exports
them, so ``pylearn2.models.mlp.ConvRectifiedLinear`` resolves as in pylearn2.

A layer convolves its input (a ``Conv2DSpace`` batch) with ``output_channels`` kernels
(a true convolution, kernels flipped, as Theano's ``conv2d``), adds a bias, applies its
nonlinearity and optionally max- or mean-pools with pylearn2's window arithmetic. The
convolution is PyTensor's own ``pytensor.tensor.signal.convolve2d``, broadcast over
examples, output and input channels and summed over input channels.

Layers pass ints (widths) to one another in ``MLP``; a convolutional layer also knows its
input and output spaces, which ``connect_spaces`` sets before any parameter is made.
Its input is either a design matrix (examples flattened in the ``('b', 0, 1, 'c')``
order of pylearn2's ``DefaultViewConverter``) or a 4-D batch in its input space's axes;
its output is a ``('b', 'c', 0, 1)`` batch, flattened the same way when the next layer
is not convolutional.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Shared, Symbolic, pt, pytensor
from pylearn2_recipes.expr import nnet
from pylearn2_recipes.models.mlp import (
    LAYER_TYPES,
    Layer,
    Updates,
    _check_optional_non_negative,
    _check_optional_positive,
    _check_positive_int,
    _detection_channels,
    _shared,
    _state_statistics,
)
from pylearn2_recipes.space import CompositeSpace, Conv2DSpace, IndexSpace, VectorSpace

__all__ = [
    "ConvElemwise",
    "ConvNonlinearity",
    "ConvRectifiedLinear",
    "IdentityConvNonlinearity",
    "RectifierConvNonlinearity",
    "SigmoidConvNonlinearity",
    "TanhConvNonlinearity",
    "connect_spaces",
    "conv2d_bc01",
    "pool_bc01",
    "space_architecture",
    "space_from_architecture",
]

_DETECTOR_AXES = ("b", "c", 0, 1)


class ConvNonlinearity:
    """The activation of a ``ConvElemwise`` layer (pylearn2's base: the identity).

    Examples
    --------
    >>> ConvNonlinearity().architecture()
    {'class': 'ConvNonlinearity', 'args': {}}
    """

    non_lin_name = "linear"

    def apply(self, linear_response: Symbolic) -> Symbolic:
        """The response after the activation."""
        return linear_response

    def apply_numpy(self, linear_response: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The same activation in numpy."""
        return linear_response

    def architecture(self) -> dict[str, Any]:
        """``{"class": name, "args": constructor arguments}`` (JSON)."""
        return {"class": type(self).__name__, "args": {}}

    def get_monitoring_channels_from_state(
        self, state: Symbolic, target: Symbolic = None, cost_fn: Any = None
    ) -> dict[str, Symbolic]:
        """pylearn2's ``*_x_*_u`` statistics of the output (over the batch axis first)."""
        return _state_statistics(state)

    def cost(self, Y: Symbolic, Y_hat: Symbolic, batch_axis: int) -> Symbolic:
        """The cost of the output ``Y_hat`` for targets ``Y``.

        Raises
        ------
        NotImplementedError
            For this activation (as pylearn2: only the identity and the sigmoid have one).
        """
        raise NotImplementedError(f"{type(self)} does not implement cost function.")


class IdentityConvNonlinearity(ConvNonlinearity):
    """No activation (``non_lin_name`` ``"linear"``); squared-error cost.

    Examples
    --------
    >>> IdentityConvNonlinearity().non_lin_name
    'linear'
    """

    def get_monitoring_channels_from_state(
        self, state: Symbolic, target: Symbolic = None, cost_fn: Any = None
    ) -> dict[str, Symbolic]:
        """The output statistics and, with targets, ``misclass`` (any unit wrong at 0.5)."""
        channels = super().get_monitoring_channels_from_state(state, target, cost_fn)
        if target is not None:
            wrong = pt.cast(pt.neq(target, pt.gt(state, 0.5)), pytensor.config.floatX)
            channels["misclass"] = wrong.max(axis=1).mean()
        return channels

    def cost(self, Y: Symbolic, Y_hat: Symbolic, batch_axis: int) -> Symbolic:
        """Squared error averaged over the batch, summed over units."""
        return pt.sum(pt.mean(pt.sqr(Y - Y_hat), axis=batch_axis))


class RectifierConvNonlinearity(ConvNonlinearity):
    """``z`` where positive, ``left_slope * z`` where negative.

    Examples
    --------
    >>> RectifierConvNonlinearity(left_slope=0.1).left_slope
    0.1
    """

    non_lin_name = "rectifier"

    def __init__(self, left_slope: float = 0.0) -> None:
        if isinstance(left_slope, bool) or not isinstance(left_slope, (int, float)):
            raise ValueError(f"`left_slope` must be a number, got {left_slope!r}")
        self.left_slope = float(left_slope)

    def apply(self, linear_response: Symbolic) -> Symbolic:
        """pylearn2's formula: ``z * (z > 0) + left_slope * z * (z < 0)``."""
        z = linear_response
        return z * (z > 0.0) + self.left_slope * z * (z < 0.0)

    def apply_numpy(self, linear_response: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The rectifier in numpy."""
        z = linear_response
        result: npt.NDArray[Any] = z * (z > 0.0) + self.left_slope * z * (z < 0.0)
        return result

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"class": type(self).__name__, "args": {"left_slope": self.left_slope}}


class SigmoidConvNonlinearity(ConvNonlinearity):
    """The logistic sigmoid.

    Examples
    --------
    >>> SigmoidConvNonlinearity().monitor_style
    'classification'
    """

    non_lin_name = "sigmoid"

    def __init__(self, monitor_style: str = "classification") -> None:
        if monitor_style not in ("classification", "detection"):
            raise ValueError(
                f"`monitor_style` must be 'classification' or 'detection', got {monitor_style!r}"
            )
        self.monitor_style = monitor_style

    def apply(self, linear_response: Symbolic) -> Symbolic:
        """``sigmoid(z)``."""
        return pt.sigmoid(linear_response)

    def get_monitoring_channels_from_state(
        self, state: Symbolic, target: Symbolic = None, cost_fn: Any = None
    ) -> dict[str, Symbolic]:
        """The output statistics and, with targets, pylearn2's detection channels.

        ``01_loss``, ``kl`` (the layer's cost), ``precision``, ``recall``, ``f1`` and
        their per-output min, mean and max, thresholding outputs and targets at 0.5.
        """
        channels = super().get_monitoring_channels_from_state(state, target, cost_fn)
        if target is None:
            return channels
        kl = cost_fn(Y_hat=state, Y=target) if cost_fn is not None else None
        channels.update(_detection_channels(target, state, kl, unit_axes=[0, 1]))
        return channels

    def cost(self, Y: Symbolic, Y_hat: Symbolic, batch_axis: int) -> Symbolic:
        """Binary cross-entropy (pylearn2's KL) averaged over units, then over the batch."""
        return nnet.kl(Y=Y, Y_hat=Y_hat, batch_axis=batch_axis).mean()

    def apply_numpy(self, linear_response: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``sigmoid(z)`` in numpy, without overflow for large ``|z|``."""
        e = np.exp(-np.abs(linear_response))
        result: npt.NDArray[Any] = np.where(linear_response >= 0, 1 / (1 + e), e / (1 + e))
        return result

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {"class": type(self).__name__, "args": {"monitor_style": self.monitor_style}}


class TanhConvNonlinearity(ConvNonlinearity):
    """The hyperbolic tangent.

    Examples
    --------
    >>> TanhConvNonlinearity().non_lin_name
    'tanh'
    """

    non_lin_name = "tanh"

    def apply(self, linear_response: Symbolic) -> Symbolic:
        """``tanh(z)``."""
        return pt.tanh(linear_response)

    def apply_numpy(self, linear_response: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``tanh(z)`` in numpy."""
        result: npt.NDArray[Any] = np.tanh(linear_response)
        return result


_NONLINEARITIES: dict[str, type[ConvNonlinearity]] = {
    cls.__name__: cls
    for cls in (
        ConvNonlinearity,
        IdentityConvNonlinearity,
        RectifierConvNonlinearity,
        SigmoidConvNonlinearity,
        TanhConvNonlinearity,
    )
}


def _nonlinearity(value: Any) -> ConvNonlinearity:
    if isinstance(value, ConvNonlinearity):
        return value
    # A saved model stores the nonlinearity as its architecture() dict.
    if isinstance(value, Mapping) and value.get("class") in _NONLINEARITIES:
        args = value.get("args", {})
        if not isinstance(args, Mapping):
            raise ValueError(f"`nonlinearity` args must be an object, got {args!r}")
        return _NONLINEARITIES[value["class"]](**args)
    raise ValueError(f"`nonlinearity` must be a ConvNonlinearity, got {value!r}")


def _pair(value: Any, key: str) -> tuple[int, int]:
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, Sequence)
        or len(value) != 2
        or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in value
        )
    ):
        raise ValueError(f"`{key}` must be two positive ints, got {value!r}")
    return int(value[0]), int(value[1])


def _pool_count(size: int, pool: int, stride: int, drop_outside: bool) -> int:
    """Number of pooling windows along one axis, by pylearn2's ``last_pool`` arithmetic.

    Windows start every ``stride`` until every input row is covered; the last one may
    overhang (its missing rows count as -inf for max, are left out of a mean). Max
    pooling also drops a last window that would start past the input.
    """
    last = math.ceil((size - pool) / stride)
    if drop_outside and stride * last >= size:
        last -= 1
    return last + 1


def pool_bc01(
    bc01: Symbolic,
    pool_type: str,
    pool_shape: tuple[int, int],
    pool_stride: tuple[int, int],
    image_shape: tuple[int, int],
    drop_outside: bool = True,
) -> Symbolic:
    """Max or mean pooling of a ``('b', 'c', 0, 1)`` batch, pylearn2's ``max_pool``/``mean_pool``.

    ``drop_outside=False`` keeps a last max window that starts past the image, as
    pylearn2's ``max_pool_c01b`` (not its ``max_pool``) does.

    Examples
    --------
    >>> import numpy as np, pytensor
    >>> x = pt.tensor4()
    >>> pool = pytensor.function([x], pool_bc01(x, "max", (2, 2), (2, 2), (3, 3)),
    ...                          mode="FAST_COMPILE")
    >>> pool(np.arange(9.0).reshape(1, 1, 3, 3))[0, 0]
    array([[4., 5.],
           [7., 8.]])
    """
    (rows, cols), (pr, pc), (rs, cs) = image_shape, pool_shape, pool_stride
    if pr > rows or pc > cols:
        raise ValueError(f"`pool_shape` {pool_shape} is larger than the image {image_shape}")
    is_max = pool_type == "max"
    out_r = _pool_count(rows, pr, rs, is_max and drop_outside)
    out_c = _pool_count(cols, pc, cs, is_max and drop_outside)
    need_r, need_c = (out_r - 1) * rs + pr, (out_c - 1) * cs + pc
    padded = bc01
    count: Any = None
    if need_r > rows or need_c > cols:
        fill = -np.inf if is_max else 0.0
        wide = pt.alloc(
            pt.constant(fill, dtype=bc01.dtype), bc01.shape[0], bc01.shape[1], need_r, need_c
        )
        # Rows past the last window are never read (pylearn2 crops them too).
        keep_r, keep_c = min(need_r, rows), min(need_c, cols)
        padded = pt.set_subtensor(wide[:, :, :keep_r, :keep_c], bc01[:, :, :keep_r, :keep_c])
        if not is_max:
            # How many real (not padded) inputs each window holds, known in advance.
            mask = np.zeros((need_r, need_c), dtype=bc01.dtype)
            mask[:keep_r, :keep_c] = 1
            count = sum(
                mask[i : i + (out_r - 1) * rs + 1 : rs, j : j + (out_c - 1) * cs + 1 : cs]
                for i in range(pr)
                for j in range(pc)
            )
    result: Any = None
    for i in range(pr):
        for j in range(pc):
            window = padded[
                :, :, i : i + (out_r - 1) * rs + 1 : rs, j : j + (out_c - 1) * cs + 1 : cs
            ]
            if result is None:
                result = window
            elif is_max:
                result = pt.maximum(result, window)
            else:
                result = result + window
    if is_max:
        return result
    return result / (count if count is not None else pr * pc)


def conv2d_bc01(
    bc01: Symbolic, kernels: Symbolic, border_mode: Any, kernel_stride: tuple[int, int]
) -> Symbolic:
    """Multi-channel 2-D convolution of ``(b, c, 0, 1)`` by ``(out, in, rows, cols)`` kernels.

    ``valid`` or ``full``, kernels flipped (a true convolution, as Theano's ``conv2d``),
    then subsampled by ``kernel_stride``.

    Examples
    --------
    >>> import numpy as np, pytensor
    >>> x = pt.tensor4()
    >>> conv = pytensor.function([x], conv2d_bc01(x, pt.ones((1, 1, 2, 2)), "valid", (1, 1)),
    ...                          mode="FAST_COMPILE")
    >>> conv(np.ones((1, 1, 3, 3)))[0, 0]
    array([[4., 4.],
           [4., 4.]])
    """
    from pytensor.tensor.signal.conv import convolve2d

    # (b, 1, in, r, c) against (1, out, in, kr, kc): every image with every kernel.
    response: Any = convolve2d(
        bc01[:, None, :, :, :], kernels[None, :, :, :, :], mode=border_mode, method="direct"
    )
    response = response.sum(axis=2)
    if kernel_stride != (1, 1):
        response = response[:, :, :: kernel_stride[0], :: kernel_stride[1]]
    return response


def _to_bc01(state_below: Symbolic, space: Conv2DSpace) -> Symbolic:
    if state_below.ndim == 2:  # a design matrix, rows flattened in ('b', 0, 1, 'c') order
        rows, cols = space.shape
        b01c = state_below.reshape((state_below.shape[0], rows, cols, space.num_channels))
        return b01c.dimshuffle(0, 3, 1, 2)
    if state_below.ndim != 4:
        raise ValueError(f"expected a design matrix or a 4-D batch, got {state_below.ndim} dims")
    axes = tuple(space.axes)
    if axes == _DETECTOR_AXES:
        return state_below
    return state_below.dimshuffle(*(axes.index(axis) for axis in _DETECTOR_AXES))


class ConvElemwise(Layer):
    """A convolutional layer with an elementwise nonlinearity and optional pooling.

    pylearn2's ``models.mlp.ConvElemwise``: ``output_channels`` kernels of
    ``kernel_shape`` drawn from U(-irange, irange) (one draw from the MLP's RandomState),
    a bias per channel (``tied_b``) or per channel and position (the default), the
    ``nonlinearity``, then ``pool_type`` ``'max'`` or ``'mean'`` pooling over
    ``pool_shape`` windows every ``pool_stride``. The output space is a
    ``Conv2DSpace`` with axes ``('b', 'c', 0, 1)``.

    Parameters
    ----------
    output_channels : int
    kernel_shape : pair of int
    layer_name : str
    nonlinearity : ConvNonlinearity
    irange : float
        Half-width of the uniform initial kernels (0 gives zeros).
    border_mode : {'valid', 'full'}, default='valid'
    sparse_init : None
        Refused: pylearn2's ``make_sparse_random_conv2D`` raised AssertionError.
    include_prob : float, default=1.0
        Accepted and ignored, as in pylearn2 (its conv init never used it).
    init_bias : float, default=0.0
    W_lr_scale, b_lr_scale : float, optional
    max_kernel_norm : float, optional
        Each kernel (over input channels, rows, columns) is rescaled to at most this L2
        norm after every update.
    pool_type : {'max', 'mean'} or None
    pool_shape, pool_stride : pair of int
        Required with ``pool_type``.
    tied_b : bool, optional
        One bias per channel instead of one per output position.
    detector_normalization, output_normalization : None
        Callables are not supported (None only).
    kernel_stride : pair of int, default=(1, 1)
    monitor_style : {'classification', 'detection'}, default='classification'

    Raises
    ------
    ValueError
        If an argument is malformed, or the input is not a ``Conv2DSpace``.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> from pylearn2_recipes.space import Conv2DSpace
    >>> h0 = ConvElemwise(4, [3, 3], "h0", TanhConvNonlinearity(), irange=.05,
    ...                   pool_type="max", pool_shape=[2, 2], pool_stride=[2, 2])
    >>> model = MLP([h0, Softmax(2, "y", irange=.05)],
    ...             input_space=Conv2DSpace([8, 8], num_channels=1))
    >>> h0.output_space.shape, h0.W.get_value().shape
    ((3, 3), (4, 1, 3, 3))
    """

    input_space: Conv2DSpace
    detector_space: Conv2DSpace
    output_space: Conv2DSpace
    flatten_output: bool

    def __init__(
        self,
        output_channels: int,
        kernel_shape: Sequence[int],
        layer_name: str,
        nonlinearity: ConvNonlinearity | Mapping[str, Any],
        irange: float | None = None,
        border_mode: str = "valid",
        sparse_init: int | None = None,
        include_prob: float = 1.0,
        init_bias: float = 0.0,
        W_lr_scale: float | None = None,
        b_lr_scale: float | None = None,
        max_kernel_norm: float | None = None,
        pool_type: str | None = None,
        pool_shape: Sequence[int] | None = None,
        pool_stride: Sequence[int] | None = None,
        tied_b: bool | None = None,
        detector_normalization: Any = None,
        output_normalization: Any = None,
        kernel_stride: Sequence[int] = (1, 1),
        monitor_style: str = "classification",
    ) -> None:
        if not isinstance(layer_name, str) or not layer_name:
            raise ValueError(f"`layer_name` must be a non-empty str, got {layer_name!r}")
        self.layer_name = layer_name
        self.output_channels = _check_positive_int(output_channels, "output_channels")
        self.kernel_shape = _pair(kernel_shape, "kernel_shape")
        self.kernel_stride = _pair(kernel_stride, "kernel_stride")
        self.nonlin = _nonlinearity(nonlinearity)
        if sparse_init is not None:
            raise ValueError(
                f"layer {layer_name!r}: `sparse_init` is not supported for convolution "
                "(pylearn2's make_sparse_random_conv2D always raised); give `irange`"
            )
        if irange is None:
            raise ValueError(f"layer {layer_name!r}: give `irange`")
        self.irange = _check_optional_non_negative(irange, "irange")
        self.sparse_init = None
        if border_mode not in ("valid", "full"):
            raise ValueError(f"`border_mode` must be 'valid' or 'full', got {border_mode!r}")
        self.border_mode = border_mode
        self.include_prob = float(include_prob)
        self.init_bias = float(init_bias)
        self.W_lr_scale = _check_optional_positive(W_lr_scale, "W_lr_scale")
        self.b_lr_scale = _check_optional_positive(b_lr_scale, "b_lr_scale")
        self.max_kernel_norm = _check_optional_positive(max_kernel_norm, "max_kernel_norm")
        self.max_row_norm = None
        self.max_col_norm = None
        if pool_type not in (None, "max", "mean"):
            raise ValueError(f"`pool_type` must be 'max', 'mean' or None, got {pool_type!r}")
        self.pool_type = pool_type
        self.pool_shape = None if pool_shape is None else _pair(pool_shape, "pool_shape")
        self.pool_stride = None if pool_stride is None else _pair(pool_stride, "pool_stride")
        if pool_type is not None and (self.pool_shape is None or self.pool_stride is None):
            raise ValueError(
                f"layer {layer_name!r}: `pool_type` {pool_type!r} needs `pool_shape` and "
                "`pool_stride`"
            )
        self.tied_b = bool(tied_b)
        if detector_normalization is not None or output_normalization is not None:
            raise ValueError(
                f"layer {layer_name!r}: `detector_normalization` / `output_normalization` "
                "are not supported"
            )
        self.detector_normalization = None
        self.output_normalization = None
        if monitor_style not in ("classification", "detection"):
            raise ValueError(
                f"`monitor_style` must be 'classification' or 'detection', got {monitor_style!r}"
            )
        self.monitor_style = monitor_style
        self.flatten_output = True

    # Spaces -------------------------------------------------------------------------

    def connect(self, space: Any, flatten_output: bool) -> None:
        """Take ``space`` as the input space and work out the detector and output spaces.

        ``MLP`` calls it (through ``connect_spaces``) before making any parameter.

        Raises
        ------
        ValueError
            If ``space`` is not a ``Conv2DSpace`` or the kernel or pool does not fit.
        """
        if not isinstance(space, Conv2DSpace):
            raise ValueError(
                f"layer {self.layer_name!r} ({type(self).__name__}) expected a Conv2DSpace "
                f"input, got {space}: give the MLP `input_space: !obj:pylearn2.space."
                "Conv2DSpace {...}` or put it after another convolutional layer"
            )
        self.input_space = space
        (rows, cols), (kr, kc), (sr, sc) = space.shape, self.kernel_shape, self.kernel_stride
        if self.border_mode == "valid":
            if kr > rows or kc > cols:
                raise ValueError(
                    f"layer {self.layer_name!r}: kernel {self.kernel_shape} is larger than "
                    f"its input {space.shape}"
                )
            span = (rows - kr + 1, cols - kc + 1)
        else:
            span = (rows + kr - 1, cols + kc - 1)
        detector = (math.ceil(span[0] / sr), math.ceil(span[1] / sc))
        self.detector_space = Conv2DSpace(
            detector, num_channels=self.output_channels, axes=_DETECTOR_AXES
        )
        shape = detector
        if self.pool_type is not None:
            assert self.pool_shape is not None
            assert self.pool_stride is not None
            if self.pool_shape[0] > detector[0] or self.pool_shape[1] > detector[1]:
                raise ValueError(
                    f"layer {self.layer_name!r}: pool_shape {self.pool_shape} is larger than "
                    f"the detector map {detector}"
                )
            is_max = self.pool_type == "max"
            shape = (
                _pool_count(detector[0], self.pool_shape[0], self.pool_stride[0], is_max),
                _pool_count(detector[1], self.pool_shape[1], self.pool_stride[1], is_max),
            )
        self.output_space = Conv2DSpace(
            shape, num_channels=self.output_channels, axes=_DETECTOR_AXES
        )
        self.dim = self.output_space.get_total_dimension()
        self.flatten_output = flatten_output

    def get_input_space(self) -> Conv2DSpace:
        """The input space."""
        return self.input_space

    def get_output_space(self) -> Conv2DSpace:
        """The output space, axes ``('b', 'c', 0, 1)``."""
        return self.output_space

    # Parameters ---------------------------------------------------------------------

    def _bias_shape(self) -> tuple[int, ...]:
        if self.tied_b:
            return (self.output_channels,)
        return (self.output_channels, *self.detector_space.shape)

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """``[(output_channels, input_channels, *kernel_shape), bias shape]``."""
        kernels = (self.output_channels, self.input_space.num_channels, *self.kernel_shape)
        return [kernels, self._bias_shape()]

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Draw the kernels once from ``rng`` (U(-irange, irange)); biases ``init_bias``."""
        kernels, bias = self.param_shapes(input_dim)
        assert self.irange is not None
        W = rng.uniform(-self.irange, self.irange, kernels)
        self.set_param_arrays(input_dim, [W, np.zeros(bias) + self.init_bias])

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """``[W, b]`` from stored values."""
        W, b = arrays
        self.W = _shared(W, f"{self.layer_name}_W")
        self.b = _shared(b, f"{self.layer_name}_b")

    def get_params(self) -> list[Shared]:
        """``[W, b]`` (pylearn2's order: the transformer's kernels, then the bias)."""
        return [self.W, self.b]

    def get_weights_topo(self) -> npt.NDArray[Any]:
        """The kernels as ``(output_channels, rows, cols, input_channels)``."""
        return np.transpose(self.W.get_value(), (0, 2, 3, 1))

    def modify_updates(self, updates: Updates) -> None:
        """Rescale each updated kernel to an L2 norm of at most ``max_kernel_norm``."""
        if self.max_kernel_norm is None or self.W not in updates:
            return
        updated = updates[self.W]
        norms = pt.sqrt(pt.sqr(updated).sum(axis=(1, 2, 3), keepdims=True))
        desired = pt.clip(norms, 0.0, self.max_kernel_norm)
        updates[self.W] = updated * (desired / pt.maximum(1e-7, norms))

    # Forward pass -------------------------------------------------------------------

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """Convolve, add the bias, apply the nonlinearity, pool."""
        z = conv2d_bc01(
            _to_bc01(state_below, self.input_space), self.W, self.border_mode, self.kernel_stride
        )
        bias = (
            self.b.dimshuffle("x", 0, "x", "x") if self.tied_b else self.b.dimshuffle("x", 0, 1, 2)
        )
        detector = self.nonlin.apply(z + bias)
        output = detector
        if self.pool_type is not None:
            assert self.pool_shape is not None
            assert self.pool_stride is not None
            output = pool_bc01(
                detector,
                self.pool_type,
                self.pool_shape,
                self.pool_stride,
                (self.detector_space.shape[0], self.detector_space.shape[1]),
            )
        if self.flatten_output:  # to a VectorSpace, in pylearn2's ('b', 0, 1, 'c') order
            return output.dimshuffle(0, 2, 3, 1).reshape((output.shape[0], self.dim))
        return output

    # Monitoring ---------------------------------------------------------------------

    def param_channels(self) -> dict[str, float]:
        """``kernel_norms_{min,mean,max}``: L2 norm of each output channel's kernel."""
        W = self.W.get_value(borrow=True)
        norms = np.sqrt(np.square(W).sum(axis=(1, 2, 3)))
        return {
            "kernel_norms_min": float(norms.min()),
            "kernel_norms_mean": float(norms.mean()),
            "kernel_norms_max": float(norms.max()),
        }

    def get_layer_monitoring_channels(
        self, state_below: Symbolic = None, state: Symbolic = None, targets: Symbolic = None
    ) -> dict[str, Symbolic]:
        """pylearn2's channels, symbolically: kernel norms, output statistics and, for an
        output layer given ``targets``, its nonlinearity's target channels."""
        norms = pt.sqrt(pt.sqr(self.W).sum(axis=(1, 2, 3)))
        channels: dict[str, Symbolic] = {
            "kernel_norms_min": norms.min(),
            "kernel_norms_mean": norms.mean(),
            "kernel_norms_max": norms.max(),
        }
        if state is None and state_below is not None:
            state = self.fprop(state_below)
        if state is not None:
            channels.update(self.symbolic_state_channels(state.reshape((state.shape[0], -1))))
            if targets is not None:
                channels.update(
                    self.nonlin.get_monitoring_channels_from_state(state, targets, self.cost)
                )
        return channels

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """The nonlinearity's cost of the output ``Y_hat`` (batch axis 0).

        Raises
        ------
        NotImplementedError
            If the nonlinearity has no cost (only identity and sigmoid have one).
        """
        return self.nonlin.cost(Y=Y, Y_hat=Y_hat, batch_axis=0)

    def state_channels(self, state: npt.NDArray[Any]) -> dict[str, float]:
        """pylearn2's ``*_x_*_u`` statistics over every output unit (channel, row, col)."""
        return super().state_channels(state.reshape(state.shape[0], -1))

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments (the nonlinearity as its own architecture dict)."""
        return {
            "output_channels": self.output_channels,
            "kernel_shape": list(self.kernel_shape),
            "layer_name": self.layer_name,
            "nonlinearity": self.nonlin.architecture(),
            "irange": self.irange,
            "border_mode": self.border_mode,
            "include_prob": self.include_prob,
            "init_bias": self.init_bias,
            "W_lr_scale": self.W_lr_scale,
            "b_lr_scale": self.b_lr_scale,
            "max_kernel_norm": self.max_kernel_norm,
            "pool_type": self.pool_type,
            "pool_shape": None if self.pool_shape is None else list(self.pool_shape),
            "pool_stride": None if self.pool_stride is None else list(self.pool_stride),
            "tied_b": self.tied_b,
            "kernel_stride": list(self.kernel_stride),
            "monitor_style": self.monitor_style,
        }


class ConvRectifiedLinear(ConvElemwise):
    """``ConvElemwise`` with a rectifier and max pooling by default; pylearn2's arguments.

    ``pool_shape`` and ``pool_stride`` are required, ``pool_type`` defaults to
    ``'max'`` and ``left_slope`` to 0 (``tied_b`` False: one bias per position).

    Examples
    --------
    >>> layer = ConvRectifiedLinear(8, [5, 5], [4, 4], [2, 2], "h2", irange=.05)
    >>> layer.pool_type, layer.nonlin.left_slope
    ('max', 0.0)
    """

    def __init__(
        self,
        output_channels: int,
        kernel_shape: Sequence[int],
        pool_shape: Sequence[int],
        pool_stride: Sequence[int],
        layer_name: str,
        irange: float | None = None,
        border_mode: str = "valid",
        sparse_init: int | None = None,
        include_prob: float = 1.0,
        init_bias: float = 0.0,
        W_lr_scale: float | None = None,
        b_lr_scale: float | None = None,
        left_slope: float = 0.0,
        max_kernel_norm: float | None = None,
        pool_type: str | None = "max",
        tied_b: bool = False,
        detector_normalization: Any = None,
        output_normalization: Any = None,
        kernel_stride: Sequence[int] = (1, 1),
        monitor_style: str = "classification",
    ) -> None:
        super().__init__(
            output_channels,
            kernel_shape,
            layer_name,
            RectifierConvNonlinearity(left_slope),
            irange=irange,
            border_mode=border_mode,
            sparse_init=sparse_init,
            include_prob=include_prob,
            init_bias=init_bias,
            W_lr_scale=W_lr_scale,
            b_lr_scale=b_lr_scale,
            max_kernel_norm=max_kernel_norm,
            pool_type=pool_type,
            pool_shape=pool_shape,
            pool_stride=pool_stride,
            tied_b=tied_b,
            detector_normalization=detector_normalization,
            output_normalization=output_normalization,
            kernel_stride=kernel_stride,
            monitor_style=monitor_style,
        )
        self.left_slope = float(left_slope)

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        args = super().architecture()
        del args["nonlinearity"]
        return {**args, "left_slope": self.left_slope}


def connect_spaces(layers: Sequence[Layer], input_space: Any) -> None:
    """Give each convolutional layer of ``layers`` its input space, before any parameter.

    The first layer takes ``input_space``; each later convolutional layer takes its
    predecessor's output space. A convolutional layer flattens its output (in
    ``('b', 0, 1, 'c')`` order) when a non-convolutional layer follows.

    Raises
    ------
    ValueError
        If a convolutional layer would get a vector input.

    Examples
    --------
    >>> h0 = ConvRectifiedLinear(2, [3, 3], [2, 2], [2, 2], "h0", irange=.1)
    >>> connect_spaces([h0], Conv2DSpace([6, 6], num_channels=3))
    >>> h0.output_space.shape, h0.dim
    ((2, 2), 8)
    """
    space = input_space
    for index, layer in enumerate(layers):
        following = layers[index + 1] if index + 1 < len(layers) else None
        if isinstance(layer, ConvElemwise):
            # pylearn2's output is a ('b', 'c', 0, 1) batch: flattened only for a
            # following non-convolutional layer (which pylearn2 formats to a vector).
            flatten = following is not None and not isinstance(following, ConvElemwise)
            layer.connect(space, flatten_output=flatten)
            space = layer.output_space
        elif hasattr(layer, "connect"):  # composite and nested layers
            layer.connect(space)
            space = layer.get_output_space()
        else:
            if not hasattr(layer, "connect"):
                # A layer after a convolutional one gets its output flattened.
                first = index == 0 and space is not None
                layer.input_space = space if first else VectorSpace(_width(layers, index))
            space = VectorSpace(layer.dim)


def _width(layers: Sequence[Layer], index: int) -> int:
    if index == 0:
        raise ValueError("the first layer of an MLP needs an input space")
    return layers[index - 1].dim


LAYER_TYPES.update({cls.__name__: cls for cls in (ConvElemwise, ConvRectifiedLinear)})


def space_architecture(space: Any) -> dict[str, Any] | None:
    """A model's input space as JSON (None for a plain ``nvis``).

    Examples
    --------
    >>> space_architecture(Conv2DSpace([2, 3], num_channels=1))
    {'class': 'Conv2DSpace', 'shape': [2, 3], 'num_channels': 1, 'axes': ['b', 0, 1, 'c']}
    """
    if space is None:
        return None
    if isinstance(space, Conv2DSpace):
        return {
            "class": "Conv2DSpace",
            "shape": list(space.shape),
            "num_channels": space.num_channels,
            "axes": list(space.axes),
        }
    if isinstance(space, VectorSpace):
        return {"class": "VectorSpace", "dim": space.dim}
    if isinstance(space, IndexSpace):
        return {"class": "IndexSpace", "max_labels": space.max_labels, "dim": space.dim}
    if isinstance(space, CompositeSpace):
        return {
            "class": "CompositeSpace",
            "components": [space_architecture(part) for part in space.components],
        }
    raise ValueError(
        "an MLP input space must be a VectorSpace, Conv2DSpace, IndexSpace or CompositeSpace, "
        f"got {space}"
    )


def space_from_architecture(spec: Any) -> Any:
    """The inverse of ``space_architecture``.

    Raises
    ------
    ValueError
        If ``spec`` is not one of the two forms.
    """
    if spec is None:
        return None
    if not isinstance(spec, Mapping):
        raise ValueError(f"`input_space` must be an object, got {spec!r}")
    if spec.get("class") == "Conv2DSpace":
        return Conv2DSpace(spec["shape"], num_channels=spec["num_channels"], axes=spec["axes"])
    if spec.get("class") == "VectorSpace":
        return VectorSpace(spec["dim"])
    if spec.get("class") == "IndexSpace":
        return IndexSpace(max_labels=spec["max_labels"], dim=spec["dim"])
    if spec.get("class") == "CompositeSpace":
        return CompositeSpace([space_from_architecture(part) for part in spec["components"]])
    raise ValueError(f"unknown input space {spec.get('class')!r}")
