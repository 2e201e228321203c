"""Multilayer perceptrons: ``MLP`` and its layers, with pylearn2's arguments and init.

Weights are ``W`` of shape (input_dim, dim) and each layer computes
``f(state_below @ W + b)``; one ``numpy.random.RandomState`` seeded with the MLP's
``seed`` (pylearn2's default ``[2013, 1, 4]``) initialises every layer in order, drawing
the same numbers pylearn2 draws.
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

from pylearn2_recipes import _budget
from pylearn2_recipes._backend import Shared, SharedVariable, Symbolic, pt, pytensor
from pylearn2_recipes.costs.mlp import Default
from pylearn2_recipes.exceptions import TargetMarginalsError
from pylearn2_recipes.expr import nnet
from pylearn2_recipes.models.model import Model
from pylearn2_recipes.monitor import Monitor, Probe
from pylearn2_recipes.space import CompositeSpace, Conv2DSpace, IndexSpace, Space, VectorSpace

if TYPE_CHECKING:
    from pylearn2_recipes.costs.cost import Cost

__all__ = [
    "MLP",
    "CompositeLayer",
    "ConvElemwise",
    "ConvNonlinearity",
    "ConvRectifiedLinear",
    "FlattenerLayer",
    "IdentityConvNonlinearity",
    "Layer",
    "Linear",
    "PretrainedLayer",
    "RectifiedLinear",
    "RectifierConvNonlinearity",
    "Sigmoid",
    "SigmoidConvNonlinearity",
    "Softmax",
    "Tanh",
    "TanhConvNonlinearity",
    "exhaustive_dropout_average",
    "generate_dropout_mask",
    "geometric_mean_prediction",
    "max_pool",
    "mean_pool",
    "pool_dnn",
    "sampled_dropout_average",
]

DEFAULT_SEED = (2013, 1, 4)

Updates = dict[Shared, Symbolic]


def _shared(value: npt.NDArray[Any], name: str) -> Shared:
    return pytensor.shared(np.asarray(value, dtype=pytensor.config.floatX), name=name)


def _check_positive_int(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{key}` must be a positive int, got {value!r}")
    return int(value)


def _check_optional_positive(value: object, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"`{key}` must be a positive number or None, got {value!r}")
    return float(value)


def _check_optional_non_negative(value: object, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"`{key}` must be a number >= 0 or None, got {value!r}")
    return float(value)


def _check_init(
    layer_name: str, irange: float | None, istdev: float | None, sparse_init: int | None
) -> None:
    given = [
        name
        for name, value in (("irange", irange), ("istdev", istdev), ("sparse_init", sparse_init))
        if value is not None
    ]
    if len(given) != 1:
        raise ValueError(
            f"layer {layer_name!r}: exactly one of `irange`, `istdev`, `sparse_init` must be "
            f"given, got {given or 'none'}"
        )
    # 0 is allowed, as in pylearn2: the MLP tutorials start from zero weights.
    _check_optional_non_negative(irange, "irange")
    _check_optional_non_negative(istdev, "istdev")
    if sparse_init is not None and (
        isinstance(sparse_init, bool) or not isinstance(sparse_init, int) or sparse_init < 0
    ):
        # 0 is pylearn2's way to start a layer from zero weights (the dropout papers).
        raise ValueError(f"`sparse_init` must be an int >= 0, got {sparse_init!r}")


def _sparse_weights(
    rng: np.random.RandomState, input_dim: int, dim: int, k: int, layer_name: str
) -> npt.NDArray[np.float64]:
    """``k`` N(0, 1) weights per unit on distinct random inputs, in O(input_dim · dim).

    pylearn2 drew rows one by one and redrew on collisions, which costs
    O(dim · input_dim · log input_dim) when ``k`` nears ``input_dim``; here the rows of
    each unit are the ``k`` smallest of ``input_dim`` uniform keys (the same
    distribution: every ``k``-subset equally likely), drawn in one vectorised pass.
    """
    if k == 0:
        return np.zeros((input_dim, dim))
    if k > input_dim:
        raise ValueError(
            f"layer {layer_name!r}: `sparse_init` ({k}) exceeds the input dimension ({input_dim})"
        )
    if k == input_dim:  # every input is chosen: nothing to sample
        return np.ascontiguousarray(rng.randn(dim, input_dim).T)
    keys = rng.random_sample((dim, input_dim))
    rows = np.argpartition(keys, k - 1, axis=1)[:, :k]
    del keys
    transposed = np.zeros((dim, input_dim))
    np.put_along_axis(transposed, rows, rng.randn(dim, k), axis=1)
    return np.ascontiguousarray(transposed.T)


def _norm_channels(W: npt.NDArray[Any]) -> dict[str, float]:
    squares = np.square(W)
    rows = np.sqrt(squares.sum(axis=1))
    cols = np.sqrt(squares.sum(axis=0))
    return {
        "row_norms_min": float(rows.min()),
        "row_norms_mean": float(rows.mean()),
        "row_norms_max": float(rows.max()),
        "col_norms_min": float(cols.min()),
        "col_norms_mean": float(cols.mean()),
        "col_norms_max": float(cols.max()),
    }


def _clip_norms(
    updated: Symbolic, max_row_norm: float | None, max_col_norm: float | None
) -> Symbolic:
    # pylearn2 rescales only the rows/columns whose norm exceeds the limit.
    if max_row_norm is not None:
        norms = pt.sqrt(pt.sqr(updated).sum(axis=1))
        desired = pt.clip(norms, 0, max_row_norm)
        updated = updated * (desired / (1e-7 + norms)).dimshuffle(0, "x")
    if max_col_norm is not None:
        norms = pt.sqrt(pt.sqr(updated).sum(axis=0))
        desired = pt.clip(norms, 0, max_col_norm)
        updated = updated * (desired / (1e-7 + norms))
    return updated


def _log_softmax(z: Symbolic) -> Symbolic:
    shifted = z - pt.max(z, axis=-1, keepdims=True)
    return shifted - pt.log(pt.exp(shifted).sum(axis=-1, keepdims=True))


def _clip_norms_numpy(
    W: npt.NDArray[Any], max_row_norm: float | None, max_col_norm: float | None
) -> npt.NDArray[Any]:
    # The same formula as _clip_norms, on the current values.
    if max_row_norm is not None:
        norms = np.sqrt(np.square(W).sum(axis=1))
        W = W * (np.clip(norms, 0, max_row_norm) / (1e-7 + norms))[:, None]
    if max_col_norm is not None:
        norms = np.sqrt(np.square(W).sum(axis=0))
        W = W * (np.clip(norms, 0, max_col_norm) / (1e-7 + norms))
    return W


class Layer(ABC):
    """One layer of an ``MLP``: parameters, ``fprop`` and its monitoring channels.

    Subclass it to add a layer kind; the YAML allow-list takes the layers listed in
    ``pylearn2_recipes.registry``.
    """

    layer_name: str
    dim: int
    W: Shared
    b: Shared
    W_lr_scale: float | None
    b_lr_scale: float | None
    max_row_norm: float | None
    max_col_norm: float | None
    input_space: Space
    # What a dropped input becomes (pylearn2's attribute): 0, or e.g. -inf for max-pooling.
    dropout_input_mask_value: Any = 0

    @abstractmethod
    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Allocate and initialise the parameters for inputs of width ``input_dim``."""

    @abstractmethod
    def fprop(self, state_below: Symbolic) -> Symbolic:
        """Symbolic output of the layer for the symbolic input ``state_below``."""

    @abstractmethod
    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """Shapes of ``get_params()`` for inputs of width ``input_dim``, nothing allocated."""

    @abstractmethod
    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """Take stored parameter values (``get_params`` order) instead of initialising."""

    @abstractmethod
    def get_params(self) -> list[Shared]:
        """The layer's shared parameters, in pylearn2's order."""

    @abstractmethod
    def architecture(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this layer (JSON-serialisable)."""

    def get_input_space(self) -> Space:
        """The space of the layer's input, set when the ``MLP`` wires its layers.

        Raises
        ------
        AttributeError
            If the layer is not part of an ``MLP`` yet.
        """
        space: Space | None = getattr(self, "input_space", None)
        if space is None:
            raise AttributeError(f"layer {self.layer_name!r} has no input space yet")
        return space

    def get_output_space(self) -> Space:
        """``VectorSpace(dim)``."""
        return VectorSpace(self.dim)

    def get_target_space(self) -> Space:
        """The space of the targets when this is the output layer (its output space)."""
        return self.get_output_space()

    def affine(self, state_below: Symbolic) -> Symbolic:
        """``state_below @ W + b`` (a 4-D batch of a ``Conv2DSpace`` input flattened first)."""
        space = getattr(self, "input_space", None)
        if isinstance(space, Conv2DSpace) and getattr(state_below, "ndim", 2) == 4:
            state_below = space.format_as(state_below, VectorSpace(space.get_total_dimension()))
        return pt.dot(state_below, self.W) + self.b

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """The layer's output computed in numpy, or None if only the graph knows it.

        ``MLP.predict_proba`` uses it to answer without compiling a forward graph.
        """
        return None

    def _affine_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any]:
        result: npt.NDArray[Any] = state_below @ self.W.get_value(borrow=True) + self.b.get_value(
            borrow=True
        )
        return result

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """Training cost of the output ``Y_hat`` (this layer's ``fprop``) for targets ``Y``."""
        raise TypeError(
            f"layer {self.layer_name!r} ({type(self).__name__}) has no cost, so it "
            "cannot be the output layer of an MLP"
        )

    def cost_matrix(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """The cost of each output unit of each example, (batch, units); pylearn2's.

        Summed over axis 1 it is the per-example cost ``Dropout.cost_per_example`` returns.
        Layers without one raise NotImplementedError, as pylearn2's ``Layer``.
        """
        raise NotImplementedError(f"{type(self)} does not implement mlp.Layer.cost_matrix")

    def target_channels(self, Y: Symbolic, state: Symbolic) -> dict[str, Symbolic]:
        """Symbolic channels of the output ``state`` that need the targets (output layer)."""
        return {}

    def state_channels(self, state: npt.NDArray[Any]) -> dict[str, float]:
        """Per-batch statistics of the layer's output, pylearn2's ``*_x_*_u`` channels."""
        highest = state.max(axis=0)
        mean = state.mean(axis=0)
        lowest = state.min(axis=0)
        channels: dict[str, float] = {}
        for prefix, values in (
            ("range", highest - lowest),
            ("max", highest),
            ("mean", mean),
            ("min", lowest),
        ):
            channels[f"{prefix}_x_max_u"] = float(values.max())
            channels[f"{prefix}_x_mean_u"] = float(values.mean())
            channels[f"{prefix}_x_min_u"] = float(values.min())
        return channels

    def param_channels(self) -> dict[str, float]:
        """Row and column norms of ``W``."""
        return _norm_channels(self.W.get_value(borrow=True))

    def get_lr_scalers(self) -> dict[Shared, float]:
        """Per-parameter learning-rate multipliers (``W_lr_scale``, ``b_lr_scale``)."""
        scalers: dict[Shared, float] = {}
        if self.W_lr_scale is not None:
            scalers[self.W] = self.W_lr_scale
        if self.b_lr_scale is not None:
            scalers[self.b] = self.b_lr_scale
        return scalers

    def modify_updates(self, updates: Updates) -> None:
        """Apply ``max_row_norm`` / ``max_col_norm`` to the update of ``W``."""
        if self.W in updates and (self.max_row_norm or self.max_col_norm):
            updates[self.W] = _clip_norms(updates[self.W], self.max_row_norm, self.max_col_norm)

    def get_weight_decay(self, coeff: float) -> Symbolic:
        """``coeff · Σ W²`` (the term ``costs.mlp.WeightDecay`` adds for this layer)."""
        return coeff * pt.sqr(self.W).sum()

    def get_l1_weight_decay(self, coeff: float) -> Symbolic:
        """``coeff · Σ |W|`` (the term ``costs.mlp.L1WeightDecay`` adds for this layer)."""
        return coeff * abs(self.W).sum()

    def get_weights(self) -> npt.NDArray[Any]:
        """A copy of ``W`` (input_dim, dim)."""
        return np.array(self.W.get_value())

    def set_weights(self, weights: npt.ArrayLike) -> None:
        """Overwrite ``W`` (same shape)."""
        _set_checked(self.W, weights)

    def get_biases(self) -> npt.NDArray[Any]:
        """A copy of ``b``."""
        return np.array(self.b.get_value())

    def set_biases(self, biases: npt.ArrayLike) -> None:
        """Overwrite ``b`` (same shape)."""
        _set_checked(self.b, biases)

    def get_layer_monitoring_channels(
        self, state_below: Symbolic = None, state: Symbolic = None, targets: Symbolic = None
    ) -> dict[str, Symbolic]:
        """pylearn2's channels of this layer, symbolically (unprefixed names).

        Row and column norms of ``W``; with ``state`` (or ``state_below``), the
        statistics of the output; with ``targets`` and ``state_below``, the output
        layer's target channels (``misclass``, ``nll``, ...).
        """
        channels = _norm_statistics(self.W)
        if state is None and state_below is not None:
            state = self.fprop(state_below)
        if state is not None:
            channels.update(self.symbolic_state_channels(state))
        if targets is not None and state is not None:
            channels.update(self.target_channels(targets, state))
        return channels

    def symbolic_state_channels(self, state: Symbolic) -> dict[str, Symbolic]:
        """``state_channels`` as symbolic expressions."""
        return _state_statistics(state)


def _state_statistics(state: Symbolic) -> dict[str, Symbolic]:
    """pylearn2's ``{range,max,mean,min}_x_{max,mean,min}_u`` channels of a batch of states.

    The statistic over the batch axis (0) comes first, then over the units.
    """
    highest, mean, lowest = state.max(axis=0), state.mean(axis=0), state.min(axis=0)
    channels: dict[str, Symbolic] = {}
    for prefix, values in (
        ("range", highest - lowest),
        ("max", highest),
        ("mean", mean),
        ("min", lowest),
    ):
        channels[f"{prefix}_x_max_u"] = values.max()
        channels[f"{prefix}_x_mean_u"] = values.mean()
        channels[f"{prefix}_x_min_u"] = values.min()
    return channels


def _norm_statistics(W: Symbolic) -> dict[str, Symbolic]:
    """pylearn2's ``{row,col}_norms_{min,mean,max}`` channels of a weight matrix."""
    squares = pt.sqr(W)
    channels: dict[str, Symbolic] = {}
    for kind, axis in (("row", 1), ("col", 0)):
        norms = pt.sqrt(squares.sum(axis=axis))
        channels[f"{kind}_norms_min"] = norms.min()
        channels[f"{kind}_norms_mean"] = norms.mean()
        channels[f"{kind}_norms_max"] = norms.max()
    return channels


class Linear(Layer):
    """Affine layer ``x @ W + b`` (the identity activation); pylearn2's ``Linear``.

    Parameters
    ----------
    dim : int
        Number of units.
    layer_name : str
        Name used for the parameters (``<name>_W``) and channels (``<name>_...``).
    irange, istdev, sparse_init : float, float, int
        Exactly one: uniform init in [-irange, irange], Gaussian with std ``istdev``, or
        ``sparse_init`` non-zero N(0, 1) weights per unit (scaled by ``sparse_stdev``).
    sparse_stdev : float, default=1.0
    include_prob : float, default=1.0
        Fraction of the ``irange`` weights kept non-zero.
    init_bias : float, default=0.0
    W_lr_scale, b_lr_scale : float, optional
        Learning-rate multipliers.
    max_row_norm, max_col_norm : float, optional
        Norm constraints applied after every update.

    Raises
    ------
    ValueError
        If not exactly one initialisation is given, or a size is not positive.

    Examples
    --------
    >>> layer = Linear(dim=3, layer_name="h0", irange=0.05)
    >>> mlp = MLP([layer, Softmax(2, "y", irange=0.05)], nvis=4)
    >>> layer.W.get_value().shape
    (4, 3)
    """

    def __init__(
        self,
        dim: int,
        layer_name: str,
        irange: float | None = None,
        istdev: float | None = None,
        sparse_init: int | None = None,
        sparse_stdev: float = 1.0,
        include_prob: float = 1.0,
        init_bias: float = 0.0,
        W_lr_scale: float | None = None,
        b_lr_scale: float | None = None,
        max_row_norm: float | None = None,
        max_col_norm: float | None = None,
    ) -> None:
        self.dim = _check_positive_int(dim, "dim")
        if not isinstance(layer_name, str) or not layer_name:
            raise ValueError(f"`layer_name` must be a non-empty str, got {layer_name!r}")
        self.layer_name = layer_name
        _check_init(layer_name, irange, istdev, sparse_init)
        if not 0.0 < include_prob <= 1.0:
            raise ValueError(f"`include_prob` must be in (0, 1], got {include_prob!r}")
        self.irange = irange
        self.istdev = istdev
        self.sparse_init = sparse_init
        self.sparse_stdev = float(sparse_stdev)
        self.include_prob = float(include_prob)
        self.init_bias = float(init_bias)
        self.W_lr_scale = _check_optional_positive(W_lr_scale, "W_lr_scale")
        self.b_lr_scale = _check_optional_positive(b_lr_scale, "b_lr_scale")
        self.max_row_norm = _check_optional_positive(max_row_norm, "max_row_norm")
        self.max_col_norm = _check_optional_positive(max_col_norm, "max_col_norm")

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Draw ``W`` (twice from ``rng`` for ``irange``, as pylearn2) and set ``b``."""
        shape = (input_dim, self.dim)
        if self.irange is not None:
            W = rng.uniform(-self.irange, self.irange, shape) * (
                rng.uniform(0.0, 1.0, shape) < self.include_prob
            )
        elif self.istdev is not None:
            W = rng.randn(*shape) * self.istdev
        else:
            assert self.sparse_init is not None
            W = _sparse_weights(rng, input_dim, self.dim, self.sparse_init, self.layer_name)
            W *= self.sparse_stdev
        self.set_param_arrays(input_dim, [W, np.zeros(self.dim) + self.init_bias])

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """``[(input_dim, dim), (dim,)]``."""
        return [(input_dim, self.dim), (self.dim,)]

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """``[W, b]`` from stored values."""
        W, b = arrays
        self.W = _shared(W, f"{self.layer_name}_W")
        self.b = _shared(b, f"{self.layer_name}_b")

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """``state_below @ W + b``."""
        return self.affine(state_below)

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """``state_below @ W + b`` in numpy (subclasses with their own ``fprop`` say None)."""
        if type(self).fprop is not Linear.fprop:
            return None
        return self._affine_numpy(state_below)

    def get_params(self) -> list[Shared]:
        """``[W, b]``."""
        return [self.W, self.b]

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """Squared error summed over outputs, averaged over the batch."""
        return pt.sqr(Y - Y_hat).sum(axis=1).mean()

    def cost_matrix(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """``(Y - Y_hat)²`` elementwise, the terms of ``cost``.

        Only where ``cost`` is this squared error: a subclass that is no output layer
        (``RectifiedLinear``, ``Maxout``) has no cost matrix either.
        """
        if type(self).cost is not Linear.cost:
            return Layer.cost_matrix(self, Y, Y_hat)
        return pt.sqr(Y - Y_hat)

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "dim": self.dim,
            "layer_name": self.layer_name,
            "irange": self.irange,
            "istdev": self.istdev,
            "sparse_init": self.sparse_init,
            "sparse_stdev": self.sparse_stdev,
            "include_prob": self.include_prob,
            "init_bias": self.init_bias,
            "W_lr_scale": self.W_lr_scale,
            "b_lr_scale": self.b_lr_scale,
            "max_row_norm": self.max_row_norm,
            "max_col_norm": self.max_col_norm,
        }


class Sigmoid(Linear):
    """Logistic units ``sigmoid(x @ W + b)``; as output layer, cross-entropy cost.

    Takes ``Linear``'s arguments plus ``monitor_style`` (kept for pylearn2 configs).
    ``"classification"`` is pylearn2's deprecated alias: it means ``"bit_vector_class"``
    (pylearn2 changed it from ``"one_hot_class"`` once) and warns, as pylearn2 does.

    Examples
    --------
    >>> hidden = Sigmoid(layer_name="hidden", dim=2, irange=.1, init_bias=1.)
    >>> hidden.init_bias
    1.0
    """

    def __init__(self, monitor_style: str = "detection", **kwargs: Any) -> None:
        if monitor_style not in _MONITOR_STYLES:
            raise ValueError(
                f"`monitor_style` must be one of {sorted(_MONITOR_STYLES)}, got {monitor_style!r}"
            )
        if monitor_style == "classification":
            warnings.warn(
                "Sigmoid's monitor_style 'classification' is deprecated and means"
                " 'bit_vector_class' (as in pylearn2); code written before pylearn2 changed"
                " it may want 'one_hot_class'",
                DeprecationWarning,
                stacklevel=2,
            )
            monitor_style = "bit_vector_class"
        self.monitor_style = monitor_style
        super().__init__(**kwargs)

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """``sigmoid(state_below @ W + b)``."""
        return pt.sigmoid(self.affine(state_below))

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """``sigmoid`` in numpy."""
        if type(self).fprop is not Sigmoid.fprop:
            return None
        z = self._affine_numpy(state_below)
        # exp of a non-positive number only: no overflow warning for large |z|.
        e = np.exp(-np.abs(z))
        result: npt.NDArray[Any] = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return result

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """Binary cross-entropy averaged over units and over the batch (pylearn2's KL).

        Computed from the sigmoid's argument, found in ``Y_hat``'s graph (as pylearn2).
        """
        z = nnet.arg_of_sigmoid(Y_hat)
        return (Y * pt.softplus(-z) + (1 - Y) * pt.softplus(z)).mean()

    def cost_matrix(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """The cross-entropy (pylearn2's KL) of each unit: ``cost`` is its mean.

        Summed over the units, as ``Dropout.cost_per_example`` does, it is ``dim``
        times the per-example mean ``cost`` averages (pylearn2's sum, kept).
        """
        return nnet.elemwise_kl(Y, Y_hat)

    def target_channels(self, Y: Symbolic, state: Symbolic) -> dict[str, Symbolic]:
        """The target channels of pylearn2's ``monitor_style``.

        ``one_hot_class`` (alias ``classification``): ``misclass``, the most likely unit
        is wrong; ``bit_vector_class``: ``misclass``, any unit thresholded at 0.5 is
        wrong; ``detection``: ``_detection_channels``.
        """
        if self.monitor_style == "detection":
            return _detection_channels(Y, state, self.cost(Y, state))
        floatX = pytensor.config.floatX
        if self.monitor_style == "one_hot_class":
            wrong = pt.neq(pt.argmax(state, axis=1), pt.argmax(Y, axis=1))
            return {"misclass": pt.cast(wrong, floatX).mean()}
        if self.monitor_style == "bit_vector_class":
            # Cast before the max: PyTensor 3.0.7's Numba backend reduces a boolean
            # max over an axis wrongly (every row True).
            wrong = pt.cast(pt.neq(Y, pt.gt(state, 0.5)), floatX).max(axis=1)
            return {"misclass": wrong.mean()}
        return {}

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {**super().architecture(), "monitor_style": self.monitor_style}


def _detection_channels(
    Y: Symbolic, state: Symbolic, kl: Symbolic | None, unit_axes: int | list[int] = 0
) -> dict[str, Symbolic]:
    """pylearn2's ``Sigmoid.get_detection_channels_from_state``, channel for channel (and
    ``ConvSigmoid``'s, whose units sum over ``unit_axes=[0, 1]``; ``kl`` None leaves it out).

    Outputs and targets are thresholded at 0.5 (strictly above is positive).
    ``01_loss`` is the fraction of wrong bits, ``kl`` the layer's cost; ``precision``,
    ``recall`` and ``f1`` count over every bit of the batch, the ``per_output_*`` ones
    per unit (min, mean and max over units). As in pylearn2, each denominator is at
    least 1 (no positives gives 0, not NaN), and per-unit recall divides a unit's true
    positives by the positives of *all* units (``compute_recall`` sums ``y`` whole).
    """
    dtype = state.dtype
    y_hat = pt.gt(state, 0.5)
    y = pt.gt(Y, 0.5)
    channels = {"01_loss": pt.cast(pt.neq(y, y_hat), dtype).mean()}
    if kl is not None:
        channels["kl"] = kl
    y = pt.cast(y, dtype)
    y_hat = pt.cast(y_hat, dtype)
    precision = nnet.compute_precision((y * y_hat).sum(), ((1 - y) * y_hat).sum())
    recall = nnet.compute_recall(y, (y * y_hat).sum())
    channels["precision"] = precision
    channels["recall"] = recall
    channels["f1"] = nnet.compute_f1(precision, recall)
    tp = (y * y_hat).sum(axis=unit_axes)
    per_output = {
        "precision": nnet.compute_precision(tp, ((1 - y) * y_hat).sum(axis=unit_axes)),
        "recall": nnet.compute_recall(y, tp),
    }
    per_output["f1"] = nnet.compute_f1(per_output["precision"], per_output["recall"])
    for name, values in per_output.items():
        channels[f"per_output_{name}_max"] = values.max()
        channels[f"per_output_{name}_mean"] = values.mean()
        channels[f"per_output_{name}_min"] = values.min()
    return channels


class Tanh(Linear):
    """Hyperbolic-tangent units ``tanh(x @ W + b)``; takes ``Linear``'s arguments.

    Examples
    --------
    >>> Tanh(dim=4, layer_name="h0", istdev=0.1).dim
    4
    """

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """``tanh(state_below @ W + b)``."""
        return pt.tanh(self.affine(state_below))

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """``tanh`` in numpy."""
        if type(self).fprop is not Tanh.fprop:
            return None
        result: npt.NDArray[Any] = np.tanh(self._affine_numpy(state_below))
        return result


class RectifiedLinear(Linear):
    """Rectified linear units, ``p if p > 0 else left_slope * p`` with ``p = x @ W + b``.

    Hidden layers only (pylearn2 gives it no cost).

    Examples
    --------
    >>> RectifiedLinear(dim=4, layer_name="h0", irange=0.1, left_slope=0.01).left_slope
    0.01
    """

    def __init__(self, left_slope: float = 0.0, **kwargs: Any) -> None:
        self.left_slope = float(left_slope)
        super().__init__(**kwargs)

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """Leaky (or plain, ``left_slope=0``) rectifier."""
        p = self.affine(state_below)
        return pt.switch(p > 0, p, self.left_slope * p)

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """The rectifier in numpy."""
        if type(self).fprop is not RectifiedLinear.fprop:
            return None
        p = self._affine_numpy(state_below)
        result: npt.NDArray[Any] = np.where(p > 0, p, self.left_slope * p)
        return result

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """Not an output layer."""
        return Layer.cost(self, Y, Y_hat)

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {**super().architecture(), "left_slope": self.left_slope}


class Softmax(Layer):
    """Softmax output layer over ``n_classes``; negative log-likelihood cost.

    There is no ``init_bias`` (as in pylearn2): biases start at zero, or at the
    log-frequencies of the classes of ``init_bias_target_marginals`` minus their mean
    (pylearn2's ``pseudoinverse_softmax_numpy``), so the untrained layer predicts them.

    Parameters
    ----------
    n_classes : int
    layer_name : str
        Channels are ``<layer_name>_misclass``, ``<layer_name>_nll``, ...
    irange, istdev, sparse_init : float, float, int
        Exactly one weight initialisation.
    W_lr_scale, b_lr_scale, max_row_norm, max_col_norm : float, optional
        As for ``Linear``.
    init_bias_target_marginals : dataset, optional
        A dataset with targets (one-hot rows, or labels with ``y_labels``).
    binary_target_dim : int, optional
        Targets are ``binary_target_dim`` class indices per example (an ``IndexSpace``)
        instead of one-hot rows; the cost sums the log-probabilities of every index.

    Examples
    --------
    >>> Softmax(2, "output", irange=.1).n_classes
    2
    """

    def __init__(
        self,
        n_classes: int,
        layer_name: str,
        irange: float | None = None,
        istdev: float | None = None,
        sparse_init: int | None = None,
        W_lr_scale: float | None = None,
        b_lr_scale: float | None = None,
        max_row_norm: float | None = None,
        max_col_norm: float | None = None,
        init_bias_target_marginals: Any = None,
        binary_target_dim: int | None = None,
    ) -> None:
        self.n_classes = _check_positive_int(n_classes, "n_classes")
        self.binary_target_dim = (
            None
            if binary_target_dim is None
            else _check_positive_int(binary_target_dim, "binary_target_dim")
        )
        self._has_binary_target = self.binary_target_dim is not None
        self.dim = self.n_classes
        # None: zeros, made with W (after the MLP has checked the size against the budget).
        self._init_b: npt.NDArray[Any] | None = (
            None
            if init_bias_target_marginals is None
            else _marginal_biases(init_bias_target_marginals, self.n_classes, layer_name)
        )
        if not isinstance(layer_name, str) or not layer_name:
            raise ValueError(f"`layer_name` must be a non-empty str, got {layer_name!r}")
        self.layer_name = layer_name
        _check_init(layer_name, irange, istdev, sparse_init)
        self.irange = irange
        self.istdev = istdev
        self.sparse_init = sparse_init
        self.W_lr_scale = _check_optional_positive(W_lr_scale, "W_lr_scale")
        self.b_lr_scale = _check_optional_positive(b_lr_scale, "b_lr_scale")
        self.max_row_norm = _check_optional_positive(max_row_norm, "max_row_norm")
        self.max_col_norm = _check_optional_positive(max_col_norm, "max_col_norm")

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Draw ``W`` once from ``rng`` (no include mask); ``b`` is zeros (or marginals)."""
        shape = (input_dim, self.n_classes)
        if self.irange is not None:
            W = rng.uniform(-self.irange, self.irange, shape)
        elif self.istdev is not None:
            W = rng.randn(*shape) * self.istdev
        else:
            assert self.sparse_init is not None
            W = _sparse_weights(rng, input_dim, self.n_classes, self.sparse_init, self.layer_name)
        b = np.zeros(self.n_classes) if self._init_b is None else self._init_b
        self.set_param_arrays(input_dim, [b, W])

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """``[(n_classes,), (input_dim, n_classes)]``."""
        return [(self.n_classes,), (input_dim, self.n_classes)]

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """``[b, W]`` from stored values."""
        b, W = arrays
        self.b = _shared(b, "softmax_b")
        self.W = _shared(W, "softmax_W")

    def get_target_space(self) -> Space:
        """``IndexSpace(n_classes, binary_target_dim)`` for index targets, else the output."""
        if self.binary_target_dim is not None:
            return IndexSpace(max_labels=self.n_classes, dim=self.binary_target_dim)
        return self.get_output_space()

    def get_weights(self) -> npt.NDArray[Any]:
        """A copy of ``W`` (input_dim, n_classes).

        Raises
        ------
        NotImplementedError
            If the input space is not a ``VectorSpace`` (as pylearn2; see ``get_weights_topo``).
        """
        space = getattr(self, "input_space", None)
        if space is not None and not isinstance(space, VectorSpace):
            raise NotImplementedError(
                f"layer {self.layer_name!r} takes {space}: use get_weights_topo()"
            )
        return super().get_weights()

    def get_weights_topo(self) -> npt.NDArray[Any]:
        """``W`` as one image per class, ``(n_classes, rows, cols, channels)``.

        Raises
        ------
        NotImplementedError
            If the input space is not a ``Conv2DSpace``.
        """
        space = getattr(self, "input_space", None)
        if not isinstance(space, Conv2DSpace):
            raise NotImplementedError(f"layer {self.layer_name!r} does not take a Conv2DSpace")
        desired = VectorSpace(space.get_total_dimension())
        images = desired.np_format_as(self.W.get_value().T, space)
        result: npt.NDArray[Any] = Conv2DSpace.convert_numpy(images, space.axes, ("b", 0, 1, "c"))
        return result

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """Class probabilities, rows summing to one."""
        return nnet.softmax(self.affine(state_below))

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """The softmax in numpy (max subtracted first, as PyTensor's)."""
        if type(self).fprop is not Softmax.fprop:
            return None
        z = self._affine_numpy(state_below)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        result: npt.NDArray[Any] = e / e.sum(axis=-1, keepdims=True)
        return result

    def get_params(self) -> list[Shared]:
        """``[b, W]`` (pylearn2's order)."""
        return [self.b, self.W]

    def _log_prob_of(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        log_prob = _log_softmax(nnet.arg_of_softmax(Y_hat))
        if not self._has_binary_target:
            return Y * log_prob
        # The log-probability of each target index (pylearn2 indexes the flattened matrix).
        rows = pt.arange(Y.shape[0])
        if self.binary_target_dim is not None and self.binary_target_dim > 1:
            rows = pt.tile(rows.dimshuffle(0, "x"), (1, self.binary_target_dim)).flatten()
        flat = log_prob.flatten()[Y.flatten() + rows * self.n_classes]
        return flat.reshape(Y.shape, ndim=2)

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """``-mean(sum(Y * log_softmax(z)))`` from the softmax's argument ``z``.

        ``z`` is found in ``Y_hat``'s graph, as pylearn2 does, so ``Y_hat`` may come from
        any softmax. With ``binary_target_dim``, ``Y`` holds class indices.
        """
        return -self._log_prob_of(Y, Y_hat).sum(axis=1).mean()

    def cost_matrix(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """``-Y * log_softmax(z)``: row sums are the per-example costs ``cost`` averages.

        With ``binary_target_dim``, the negative log-probability of each target index,
        (batch, binary_target_dim). pylearn2 meant the same but scattered the labels
        themselves into a flattened matrix; see the README.
        """
        return -self._log_prob_of(Y, Y_hat)

    def target_channels(self, Y: Symbolic, state: Symbolic) -> dict[str, Symbolic]:
        """``misclass`` (argmax mismatch rate; not with several index targets) and ``nll``."""
        channels: dict[str, Symbolic] = {}
        if self.binary_target_dim in (None, 1):
            predicted = pt.argmax(state, axis=1)
            y = Y.reshape(predicted.shape) if self._has_binary_target else pt.argmax(Y, axis=1)
            channels["misclass"] = pt.neq(predicted, y).mean(dtype=pytensor.config.floatX)
        channels["nll"] = self.cost(Y, state)
        return channels

    def state_channels(self, state: npt.NDArray[Any]) -> dict[str, float]:
        """``mean_max_class``, ``max_max_class``, ``min_max_class`` of the probabilities."""
        top = state.max(axis=1)
        return {
            "mean_max_class": float(top.mean()),
            "max_max_class": float(top.max()),
            "min_max_class": float(top.min()),
        }

    def symbolic_state_channels(self, state: Symbolic) -> dict[str, Symbolic]:
        """``state_channels`` as symbolic expressions."""
        top = state.max(axis=1)
        return {
            "mean_max_class": top.mean(),
            "max_max_class": top.max(),
            "min_max_class": top.min(),
        }

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "n_classes": self.n_classes,
            "layer_name": self.layer_name,
            "irange": self.irange,
            "istdev": self.istdev,
            "sparse_init": self.sparse_init,
            "W_lr_scale": self.W_lr_scale,
            "b_lr_scale": self.b_lr_scale,
            "max_row_norm": self.max_row_norm,
            "max_col_norm": self.max_col_norm,
            "binary_target_dim": self.binary_target_dim,
        }


def _marginal_biases(dataset: Any, n_classes: int, layer_name: str) -> npt.NDArray[Any]:
    """pylearn2's Softmax bias from class frequencies: ``log(p) − mean(log(p))``."""
    y = getattr(dataset, "y", None)
    if y is None:
        raise TargetMarginalsError(
            f"layer {layer_name!r}: `init_bias_target_marginals` has no targets"
        )
    y = np.asarray(y)
    if getattr(dataset, "y_labels", None) is None:
        marginals = y.mean(axis=0)
    else:
        if max(y.shape) != y.size:
            raise TargetMarginalsError(
                f"layer {layer_name!r}: `init_bias_target_marginals` needs one label per example"
            )
        marginals = np.bincount(y.ravel().astype(np.int64), minlength=n_classes) / y.shape[0]
    if marginals.shape != (n_classes,) or not np.all(marginals > 0):
        raise TargetMarginalsError(
            f"layer {layer_name!r}: `init_bias_target_marginals` must give every one of the "
            f"{n_classes} classes a positive frequency, got {np.round(marginals, 4).tolist()}"
        )
    logs = np.log(marginals)
    result: npt.NDArray[Any] = logs - logs.mean()
    return result


_MONITOR_STYLES = {"detection", "one_hot_class", "classification", "bit_vector_class"}

LAYER_TYPES: dict[str, Any] = {
    cls.__name__: cls for cls in (Linear, Sigmoid, Tanh, RectifiedLinear, Softmax)
}


class MLP(Model):
    """A stack of layers trained end to end; pylearn2's ``mlp.MLP``.

    Parameters
    ----------
    layers : sequence of Layer
        Hidden layers then the output layer (whose ``cost`` is the training cost).
    batch_size : int, optional
        Forces the batch size of training algorithms (pylearn2's ``force_batch_size``).
    input_space : VectorSpace or Conv2DSpace, optional
        The input; ``nvis=n`` is short for ``VectorSpace(n)``. A ``Conv2DSpace`` feeds
        convolutional first layers, which take its 4-D batches (in its axes) or design
        matrices (rows flattened in ``('b', 0, 1, 'c')`` order).
    input_source, target_source : str, default='features', 'targets'
        The dataset sources the model reads.
    nvis : int
        Input width; or give ``input_space`` instead.
    seed : int or sequence of int, optional
        Seed of the ``RandomState`` that initialises every layer; pylearn2's default
        ``[2013, 1, 4]``, so two MLPs built alike start alike.
    layer_name : str, optional
        Kept for pylearn2 configs.
    monitor_targets : bool, default=True
        Whether the monitor reads the targets (the output layer's ``misclass``, ...).

    Raises
    ------
    ValueError
        If ``layers`` is empty, holds a non-layer, or repeats a layer name.

    Examples
    --------
    >>> import numpy as np
    >>> ann = MLP([Sigmoid(layer_name="hidden", dim=2, irange=.1, init_bias=1.),
    ...            Softmax(2, "output", irange=.1)], nvis=2)
    >>> ann.predict_proba(np.array([[0, 1]])).shape
    (1, 2)
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        batch_size: int | None = None,
        input_space: Space | None = None,
        input_source: str = "features",
        target_source: str = "targets",
        nvis: int | None = None,
        seed: int | Sequence[int] | None = None,
        layer_name: str | None = None,
        monitor_targets: bool = True,
        *,
        _param_values: Sequence[npt.NDArray[Any]] | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(layers, Sequence) or not layers:
            raise ValueError("`layers` must be a non-empty list of layers")
        names: set[str] = set()
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"`layers[{index}]` is not a Layer: {layer!r}")
            if layer.layer_name in names:
                raise ValueError(f"`layers[{index}]` repeats the layer name {layer.layer_name!r}")
            names.add(layer.layer_name)
        if input_space is not None:
            if nvis is not None:
                raise ValueError("give `nvis` or `input_space`, not both")
            if not isinstance(input_space, (VectorSpace, Conv2DSpace, CompositeSpace, IndexSpace)):
                raise NotImplementedError(
                    "an MLP takes a VectorSpace, Conv2DSpace, IndexSpace or CompositeSpace "
                    f"input, got {input_space}"
                )
            nvis = input_space.get_total_dimension()
        # pylearn2: without an input, a named MLP is a layer of another MLP (nested);
        # the outer MLP gives it its input space and initialises it with its RandomState.
        self._nested = nvis is None and layer_name is not None
        self.input_source = input_source
        self.target_source = target_source
        self.monitor_targets = bool(monitor_targets)
        self.layers = list(layers)
        self.seed: list[int] = list(DEFAULT_SEED if seed is None else np.atleast_1d(seed).tolist())
        self.batch_size = (
            None if batch_size is None else _check_positive_int(batch_size, "batch_size")
        )
        self.force_batch_size = self.batch_size
        self.layer_name = layer_name
        self.rng = np.random.RandomState(self.seed)
        self.tag = {}
        self.monitor = Monitor(self)
        self._forward: Any = None
        if self._nested:
            self.nvis: int | None = None  # the outer MLP's connect() sets it
            return
        self.nvis = _check_positive_int(nvis, "nvis")
        self.input_space = VectorSpace(self.nvis) if input_space is None else input_space
        shapes = self.param_shapes()
        total = sum(_budget.nbytes(shape) for _, shape in shapes)
        if shapes:
            name, shape = max(shapes, key=lambda item: _budget.nbytes(item[1]))
            _budget.require(total, f"the parameters (largest: {name} of shape {shape})")
        width = self.nvis
        if _param_values is not None:
            _check_values(shapes, _param_values)
            arrays = iter(_param_values)
            for layer in self.layers:
                count = len(layer.param_shapes(width))
                layer.set_param_arrays(width, [next(arrays) for _ in range(count)])
                width = layer.dim
            return
        for layer in self.layers:
            layer.set_input_space(width, self.rng)
            width = layer.dim

    @overload
    def param_shapes(self) -> list[tuple[str, tuple[int, ...]]]: ...

    @overload
    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]: ...

    def param_shapes(self, input_dim: int | None = None) -> Any:
        """``(description, shape)`` of every parameter, computed without allocating.

        With ``input_dim`` (a nested MLP, as a layer), the bare shapes.

        Examples
        --------
        >>> MLP([Softmax(3, "y", irange=.1)], nvis=4).param_shapes()
        [('layers[0].b (n_classes)', (3,)), ('layers[0].W (nvis, n_classes)', (4, 3))]
        """
        if input_dim is not None:
            return [shape for _, shape in _param_shapes(self.layers, input_dim, self.input_space)]
        if self.nvis is None:
            raise AttributeError(f"nested MLP {self.layer_name!r} has no input space yet")
        return _param_shapes(self.layers, self.nvis, self.input_space)

    # A nested MLP is a layer of another MLP (pylearn2's MLP is a Layer) ---------------

    _numpy_monitoring = False

    def sublayers(self) -> list[Layer]:
        """The layers, in order."""
        return self.layers

    def connect(self, space: Space, flatten_output: bool = False) -> None:
        """Take ``space`` as the input of a nested MLP and wire the layers to it."""
        self.input_space = space
        self.nvis = space.get_total_dimension()
        _param_shapes(self.layers, self.nvis, space)
        self.dim = self.output_layer.dim

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Initialise the layers of a nested MLP from the outer MLP's ``rng``, in order."""
        self.rng = rng
        width = input_dim
        for layer in self.layers:
            layer.set_input_space(width, rng)
            width = layer.dim

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """Stored values of a nested MLP's parameters (``get_params`` order)."""
        remaining = list(arrays)
        width = input_dim
        for layer in self.layers:
            count = len(layer.param_shapes(width))
            layer.set_param_arrays(width, remaining[:count])
            remaining = remaining[count:]
            width = layer.dim

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """None: the outer MLP compiles the graph."""
        return None

    def add_layers(self, layers: Sequence[Layer]) -> None:
        """Append layers on top, initialised from the MLP's RandomState (pylearn2's).

        Raises
        ------
        ValueError
            If a layer name is taken.
        """
        for layer in layers:
            if layer.layer_name in self.layer_names:
                raise ValueError(f"the MLP already has a layer named {layer.layer_name!r}")
            if getattr(self, "input_space", None) is not None:
                previous = self.output_layer
                _conv.connect_spaces([layer], previous.get_output_space())
                layer.set_input_space(previous.dim, self.rng)
            self.layers.append(layer)
            if getattr(self, "input_space", None) is not None:
                self.dim = layer.dim
            self._forward = None

    @classmethod
    def from_architecture_args(cls, args: Mapping[str, Any], build: Any) -> MLP:
        """A nested MLP from its ``architecture()`` (``build`` makes each layer)."""
        return cls([build(spec) for spec in args["layers"]], layer_name=args["layer_name"])

    @property
    def output_layer(self) -> Layer:
        """The last layer."""
        return self.layers[-1]

    def get_output_space(self) -> Space:
        """The output layer's output space (``VectorSpace`` of its width for most layers)."""
        return self.output_layer.get_output_space()

    def get_target_space(self) -> Space:
        """The output layer's target space (e.g. an ``IndexSpace`` for index targets)."""
        return self.output_layer.get_target_space()

    @property
    def layer_names(self) -> set[str]:
        """The names of the layers."""
        return {layer.layer_name for layer in self.layers}

    def _validate_layer_names(self, names: Iterable[str]) -> None:
        unknown = [name for name in names if name not in self.layer_names]
        if unknown:
            raise ValueError(f"MLP has no layer(s) named {', '.join(map(str, unknown))}")

    def get_total_input_dimension(self, layers: Iterable[str]) -> int:
        """The number of inputs of the named layers together (dropout masks have one bit each).

        Raises
        ------
        ValueError
            If a name is not a layer of this MLP.

        Examples
        --------
        >>> MLP([Linear(3, "h0", irange=0), Softmax(2, "y", irange=0)],
        ...     nvis=4).get_total_input_dimension(["h0", "y"])
        7
        """
        names = list(layers)
        self._validate_layer_names(names)
        return sum(
            layer.get_input_space().get_total_dimension()
            for layer in self.layers
            if layer.layer_name in names
        )

    def dropout_fprop(
        self,
        state_below: Symbolic,
        default_input_include_prob: float = 0.5,
        input_include_probs: Mapping[str, float] | None = None,
        default_input_scale: float = 2.0,
        input_scales: Mapping[str, float] | None = None,
        per_example: bool = True,
    ) -> Symbolic:
        """The output with random dropout masks on every layer's input (pylearn2's).

        Each input of each layer is kept with its layer's include probability and
        multiplied by its layer's scale; ``per_example=False`` draws one mask per batch.
        See ``models.mlp.dropout_fprop``.
        """
        return _dropout.dropout_fprop(
            self,
            state_below,
            default_input_include_prob,
            input_include_probs,
            default_input_scale,
            input_scales,
            per_example,
        )

    def masked_fprop(
        self,
        state_below: Symbolic,
        mask: int,
        masked_input_layers: Iterable[str] | None = None,
        default_input_scale: float = 2.0,
        input_scales: Mapping[str, float] | None = None,
    ) -> Symbolic:
        """The output with the dropout mask whose bits are those of the integer ``mask``.

        See ``models.mlp.masked_fprop``.
        """
        return _dropout.masked_fprop(
            self, state_below, mask, masked_input_layers, default_input_scale, input_scales
        )

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """The output layer's cost of the output ``Y_hat`` for targets ``Y``."""
        return self.output_layer.cost(Y, Y_hat)

    def cost_matrix(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """The output layer's ``cost_matrix`` (pylearn2's ``MLP.cost_matrix``)."""
        return self.output_layer.cost_matrix(Y, Y_hat)

    def get_weight_decay(self, coeffs: Any) -> Symbolic:
        """Sum of the layers' ``get_weight_decay`` (one coefficient, or one per layer).

        A zero coefficient leaves its layer out; all zero gives the constant 0 (floatX).
        """
        return _decay_sum(self, coeffs, "get_weight_decay")

    def get_l1_weight_decay(self, coeffs: Any) -> Symbolic:
        """Sum of the layers' ``get_l1_weight_decay``, as ``get_weight_decay``."""
        return _decay_sum(self, coeffs, "get_l1_weight_decay")

    def __str__(self) -> str:
        lines = []
        for layer in self.layers:
            space = layer.get_input_space()
            lines += [
                layer.layer_name,
                f"\tInput space: {space}",
                f"\tTotal input dimension: {space.get_total_dimension()}",
            ]
        return "\n".join(lines)

    def get_weights(self) -> npt.NDArray[Any]:
        """The first layer's weights."""
        return self.layers[0].get_weights()

    def set_batch_size(self, batch_size: int) -> None:
        """Force training algorithms to use ``batch_size``."""
        self.batch_size = self.force_batch_size = _check_positive_int(batch_size, "batch_size")

    def get_monitoring_data_specs(self) -> tuple[Space, Any]:
        """The input and, with ``monitor_targets``, the targets."""
        if not self.monitor_targets:
            return (self.get_input_space(), self.get_input_source())
        space = CompositeSpace([self.get_input_space(), self.get_target_space()])
        return (space, (self.get_input_source(), self.get_target_source()))

    def get_monitoring_channels(self, data: Any) -> dict[str, Symbolic]:
        """Every layer's channels, symbolically, prefixed ``<layer_name>_``."""
        X, Y = data if self.monitor_targets else (data, None)
        return self.get_layer_monitoring_channels(state_below=X, targets=Y)

    def get_layer_monitoring_channels(
        self, state_below: Any = None, state: Any = None, targets: Any = None
    ) -> dict[str, Symbolic]:
        """Every layer's channels for the input ``state_below``, prefixed ``<layer_name>_``.

        ``targets`` go to the output layer. ``state`` is ignored (recomputed), as in
        pylearn2.
        """
        channels: dict[str, Symbolic] = {}
        state = state_below
        for index, layer in enumerate(self.layers):
            below = state
            state = layer.fprop(below)
            last = index == len(self.layers) - 1
            for key, value in layer.get_layer_monitoring_channels(
                state_below=below, state=state, targets=targets if last else None
            ).items():
                channels[f"{layer.layer_name}_{key}"] = value
        return channels

    def monitoring_probe(self, data: Any) -> Probe | None:
        """The monitor's fast path: the layers' statistics computed in numpy.

        Same channels as ``get_monitoring_channels``, but the compiled graph computes
        only the target channels and the layers' outputs; norms and output statistics
        are taken in numpy. None (use the symbolic channels) when a subclass or a layer
        from outside this package may define channels of its own.
        """
        if type(self).get_monitoring_channels is not MLP.get_monitoring_channels or any(
            not type(layer).__module__.startswith("pylearn2_recipes.")
            or not getattr(layer, "_numpy_monitoring", True)
            for layer in self.layers
        ):
            return None
        X, Y = data if self.monitor_targets else (data, None)
        states = self.fprop(X, return_all=True)
        symbolic: dict[str, Symbolic] = {}
        if Y is not None:
            layer = self.output_layer
            for key, value in layer.target_channels(Y, states[-1]).items():
                symbolic[f"{layer.layer_name}_{key}"] = value
        names = list(symbolic)
        for layer in self.layers:
            probe_state = np.zeros((1, layer.dim))
            keys = [*layer.param_channels(), *layer.state_channels(probe_state)]
            names.extend(f"{layer.layer_name}_{key}" for key in keys)
        layers = self.layers
        symbolic_names = list(symbolic)

        def per_batch(values: list[Any]) -> dict[str, float]:
            result = {name: float(v) for name, v in zip(symbolic_names, values, strict=False)}
            for layer, state in zip(layers, values[len(symbolic_names) :], strict=True):
                for key, value in layer.state_channels(state).items():
                    result[f"{layer.layer_name}_{key}"] = value
            return result

        def per_call() -> dict[str, float]:
            return {
                f"{layer.layer_name}_{key}": value
                for layer in layers
                for key, value in layer.param_channels().items()
            }

        return Probe(
            names,
            data,
            self.get_monitoring_data_specs(),
            [*symbolic.values(), *states],
            per_batch,
            per_call,
        )

    def get_params(self) -> list[Shared]:
        """Every layer's parameters, in order."""
        return [param for layer in self.layers for param in layer.get_params()]

    def get_param_values(self, borrow: bool = False) -> list[npt.NDArray[Any]]:
        """Copies of the parameter values, in ``get_params`` order."""
        return [param.get_value() for param in self.get_params()]

    def get_lr_scalers(self) -> dict[Shared, float]:
        """Learning-rate multipliers from every layer."""
        scalers: dict[Shared, float] = {}
        for layer in self.layers:
            scalers.update(layer.get_lr_scalers())
        return scalers

    def _modify_updates(self, updates: Updates) -> None:
        """Let every layer apply its norm constraints to ``updates``."""
        for layer in self.layers:
            layer.modify_updates(updates)

    def enforce_constraints(self) -> None:
        """Apply the layers' norm constraints to the current parameters now.

        ``Train.setup`` calls it, as pylearn2's does, so the untrained model that
        epoch 0 monitors already satisfies ``max_row_norm`` / ``max_col_norm``.
        """
        for layer in _composite.leaf_layers(self.layers):
            if (
                layer.max_row_norm is None
                and layer.max_col_norm is None
                and getattr(layer, "max_kernel_norm", None) is None
            ):
                continue
            if type(layer).modify_updates is Layer.modify_updates:
                W = layer.W.get_value()
                layer.W.set_value(_clip_norms_numpy(W, layer.max_row_norm, layer.max_col_norm))
                continue
            updates: Updates = {param: param for param in layer.get_params()}
            layer.modify_updates(updates)
            changed = [(param, new) for param, new in updates.items() if new is not param]
            if changed:
                pytensor.function([], [], updates=changed)()

    def check_targets(self, dataset: Any, what: str) -> None:
        """Refuse, before compiling, targets whose width does not fit the output layer.

        Raises
        ------
        ValueError
            Naming the layer and the labels, e.g. "layer 'output' is
            Softmax(n_classes=3) but the labels of the training dataset have 2 classes".
        """
        onehot = getattr(dataset, "get_onehot_targets", None)
        targets = onehot() if onehot is not None else None
        if targets is None or targets.ndim != 2:
            return
        layer = self.output_layer
        width = int(targets.shape[1])
        if width == layer.dim or getattr(layer, "_has_binary_target", False):
            return
        if isinstance(layer, Softmax):
            declared = f"Softmax(n_classes={layer.n_classes})"
        else:
            declared = f"{type(layer).__name__}(dim={layer.dim})"
        classes = getattr(dataset, "y_labels", None)
        if isinstance(layer, Softmax):
            found = f"have {classes if classes is not None else width} classes"
        else:
            found = f"have {width} columns"
        raise ValueError(
            f"layer {layer.layer_name!r} is {declared} but the labels of {what} {found}"
        )

    def get_default_cost(self) -> Cost:
        """The output layer's cost, ``costs.mlp.Default``."""
        return Default()

    def fprop(self, state_below: Symbolic, return_all: bool = False) -> Any:
        """Symbolic forward pass; ``return_all=True`` gives every layer's output.

        A shared matrix input (``mlp.fprop(pytensor.shared(x)).eval()``, as the blog
        does) is evaluated through the model's one compiled forward function instead of
        a fresh compilation per call; the symbolic graph is the same either way.
        """
        states = []
        state = state_below
        for layer in self.layers:
            state = layer.fprop(state)
            states.append(state)
        if return_all:
            return states
        if isinstance(state_below, SharedVariable) and state_below.ndim == 2:
            _attach_fast_eval(
                state, lambda: self.predict_proba(state_below.get_value(borrow=True))
            )
        return state

    def cost_from_X_data_specs(self) -> tuple[Space, Any]:
        """The data ``cost_from_X`` reads: input and targets."""
        space = CompositeSpace([self.get_input_space(), self.get_target_space()])
        return (space, (self.get_input_source(), self.get_target_source()))

    def cost_from_X(self, data: tuple[Symbolic, Symbolic]) -> Symbolic:
        """The output layer's cost for the batch ``(X, Y)``."""
        X, Y = data
        return self.cost(Y, self.fprop(X))

    def predict_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.floating]:
        """Output of the last layer for a numpy batch of shape (n, nvis).

        Examples
        --------
        >>> ann = MLP([Softmax(3, "y", irange=.1)], nvis=2)
        >>> ann.predict_proba([[0.0, 1.0]]).sum().round(6)
        np.float64(1.0)
        """
        batch = np.ascontiguousarray(X, dtype=pytensor.config.floatX)
        if batch.ndim != 2 or batch.shape[1] != self.nvis:
            raise ValueError(f"input must have shape (n, {self.nvis}), got {batch.shape}")
        # Built-in layers answer in numpy: no forward graph to compile on a first run.
        state: npt.NDArray[Any] | None = batch
        for layer in self.layers:
            state = layer.fprop_numpy(state) if state is not None else None
        if state is not None:
            return state
        if self._forward is None:
            inputs = pt.matrix("features", dtype=pytensor.config.floatX)
            self._forward = pytensor.function([inputs], self.fprop(inputs))
            self._forward.trust_input = True
        result: npt.NDArray[np.floating] = self._forward(batch)
        return result

    def architecture(self) -> dict[str, Any]:
        """Everything except the parameter values needed to rebuild the model (JSON)."""
        return {
            "class": "MLP",
            "nvis": self.nvis,
            "seed": self.seed,
            "batch_size": self.batch_size,
            "layer_name": self.layer_name,
            "input_source": self.input_source,
            "target_source": self.target_source,
            "input_space": _conv.space_architecture(self.input_space),
            "layers": [
                {"class": type(layer).__name__, "args": layer.architecture()}
                for layer in self.layers
            ],
        }

    @classmethod
    def from_architecture(
        cls, architecture: Mapping[str, Any], values: Sequence[npt.ArrayLike] | None = None
    ) -> MLP:
        """Rebuild an MLP from ``architecture()`` and, optionally, parameter values.

        Raises
        ------
        ValueError
            If a layer class is unknown or the values do not fit the parameters.
        """
        layers = _layers_from(architecture)
        input_space = _conv.space_from_architecture(architecture.get("input_space"))
        if isinstance(input_space, VectorSpace):
            input_space = None  # nvis says it all
        return cls(
            layers,
            nvis=None if input_space is not None else architecture["nvis"],
            input_space=input_space,
            input_source=architecture.get("input_source", "features"),
            target_source=architecture.get("target_source", "targets"),
            seed=architecture["seed"],
            batch_size=architecture.get("batch_size"),
            layer_name=architecture.get("layer_name"),
            _param_values=None if values is None else [np.asarray(v) for v in values],
        )

    def set_param_values(self, values: Iterable[Any], borrow: bool = False) -> None:
        """Overwrite the parameters (``get_params`` order), checking every shape."""
        values = list(values)
        params = self.get_params()
        if len(values) != len(params):
            raise ValueError(f"expected {len(params)} parameter arrays, got {len(values)}")
        arrays = [np.asarray(value, dtype=pytensor.config.floatX) for value in values]
        for param, array in zip(params, arrays, strict=True):
            expected = param.get_value(borrow=True).shape
            if array.shape != expected:
                raise ValueError(
                    f"parameter {param.name!r} needs shape {expected}, got {array.shape}"
                )
        for param, array in zip(params, arrays, strict=True):
            param.set_value(array)

    def __deepcopy__(self, memo: dict[int, Any]) -> MLP:
        clone = MLP.from_architecture(self.architecture(), self.get_param_values())
        clone.tag = copy.deepcopy(self.tag, memo)
        return clone

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.architecture(), self.get_param_values(), self.tag))


def _decay_sum(owner: Any, coeffs: Any, method: str) -> Symbolic:
    """pylearn2's sum of per-layer decay terms, skipping zero coefficients."""
    if not hasattr(coeffs, "__iter__"):
        coeffs = [coeffs] * len(owner.layers)
    coeffs = list(coeffs)
    if len(coeffs) != len(owner.layers):
        raise ValueError(f"expected {len(owner.layers)} coefficients, got {len(coeffs)}")
    terms = [
        getattr(layer, method)(coeff)
        for layer, coeff in zip(owner.layers, coeffs, strict=True)
        if _nonzero(coeff)
    ]
    if not terms:
        return pt.constant(0, dtype=pytensor.config.floatX)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _nonzero(coeff: Any) -> bool:
    if hasattr(coeff, "__iter__"):
        return any(_nonzero(c) for c in coeff)
    return bool(coeff != 0)


def _set_checked(shared: Shared, value: npt.ArrayLike) -> None:
    array = np.asarray(value, dtype=pytensor.config.floatX)
    expected = shared.get_value(borrow=True).shape
    if array.shape != expected:
        raise ValueError(f"{shared.name} needs shape {expected}, got {array.shape}")
    shared.set_value(array)


def _layers_from(architecture: Mapping[str, Any]) -> list[Layer]:
    import pylearn2_recipes.models.lwta
    import pylearn2_recipes.models.maxout  # noqa: F401 - registers Maxout in LAYER_TYPES

    specs = architecture["layers"]
    if not isinstance(specs, list):
        raise ValueError("`layers` must be a list")
    layers: list[Layer] = []
    for index, spec in enumerate(specs):
        if not isinstance(spec, Mapping) or not isinstance(spec.get("args"), Mapping):
            raise ValueError(f"`layers[{index}]` must be an object with `class` and `args`")
        layers.append(_layer_from(spec))
    return layers


def _layer_from(spec: Mapping[str, Any]) -> Layer:
    layer_cls = LAYER_TYPES.get(spec["class"])
    if layer_cls is None:
        raise ValueError(f"unknown layer class {spec['class']!r}")
    build = getattr(layer_cls, "from_architecture_args", None)
    if build is not None:  # layers made of layers
        layer: Layer = build(spec["args"], _layer_from)
        return layer
    made: Layer = layer_cls(**spec["args"])
    return made


def _param_shapes(
    layers: Sequence[Layer], nvis: int, input_space: Any = None
) -> list[tuple[str, tuple[int, ...]]]:
    if input_space is None:
        input_space = VectorSpace(nvis)
    _conv.connect_spaces(layers, input_space)  # layers learn their input spaces
    result: list[tuple[str, tuple[int, ...]]] = []
    width_field = "nvis"
    width = nvis
    for index, layer in enumerate(layers):
        size_field = "n_classes" if isinstance(layer, Softmax) else "dim"
        names = ["b", "W"] if isinstance(layer, Softmax) else ["W", "b"]
        shapes = layer.param_shapes(width)
        if len(shapes) != len(names):  # e.g. a PretrainedLayer's content
            names = [f"params[{i}]" for i in range(len(shapes))]
        for name, shape in zip(names, shapes, strict=True):
            fields = f"{width_field}, {size_field}" if len(shape) == 2 else size_field
            result.append((f"layers[{index}].{name} ({fields})", shape))
        width = layer.dim
        width_field = f"layers[{index}].{size_field}"
    return result


def declared_param_shapes(architecture: Mapping[str, Any]) -> list[tuple[str, tuple[int, ...]]]:
    """Parameter shapes an ``architecture()`` dict declares, without building the model.

    Raises
    ------
    ValueError, TypeError, KeyError
        If the architecture is malformed.
    """
    nvis = _check_positive_int(architecture["nvis"], "nvis")
    input_space = _conv.space_from_architecture(architecture.get("input_space"))
    return _param_shapes(_layers_from(architecture), nvis, input_space)


def _check_values(
    shapes: Sequence[tuple[str, tuple[int, ...]]], values: Sequence[npt.NDArray[Any]]
) -> None:
    if len(values) != len(shapes):
        raise ValueError(f"expected {len(shapes)} parameter arrays, got {len(values)}")
    for (name, shape), value in zip(shapes, values, strict=True):
        if tuple(value.shape) != tuple(shape):
            raise ValueError(
                f"parameter {name} needs shape {tuple(shape)}, got {tuple(value.shape)}"
            )


def _rebuild(
    architecture: dict[str, Any], values: list[npt.NDArray[Any]], tag: dict[str, Any]
) -> MLP:
    model = MLP.from_architecture(architecture, values)
    model.tag = tag
    return model


def _attach_fast_eval(variable: Symbolic, compute: Callable[[], Any]) -> None:
    # Variable.eval() looks up its compiled function in `_fn_cache` under the key
    # ((), ()) when called with no inputs; seeding it saves one compilation per call.
    # The cache is private: a PyTensor that ignores it just compiles the graph, and one
    # that refuses the attribute must not break fprop.
    with contextlib.suppress(AttributeError):
        variable._fn_cache = {((), ()): compute}


# pylearn2 defines its convolutional layers in models/mlp.py: they live in models/_conv.py.
from pylearn2_recipes.models import _composite, _conv, _dropout  # noqa: E402
from pylearn2_recipes.models._composite import CompositeLayer, FlattenerLayer  # noqa: E402
from pylearn2_recipes.models._conv import (  # noqa: E402
    ConvElemwise,
    ConvNonlinearity,
    ConvRectifiedLinear,
    IdentityConvNonlinearity,
    RectifierConvNonlinearity,
    SigmoidConvNonlinearity,
    TanhConvNonlinearity,
)
from pylearn2_recipes.models._dropout import (  # noqa: E402
    exhaustive_dropout_average,
    generate_dropout_mask,
    geometric_mean_prediction,
    sampled_dropout_average,
)
from pylearn2_recipes.models._pooling import max_pool, mean_pool, pool_dnn  # noqa: E402
from pylearn2_recipes.models._pretrained import PretrainedLayer  # noqa: E402

Layer.register(MLP)  # an MLP can be a layer of another MLP, as in pylearn2
LAYER_TYPES["MLP"] = MLP
