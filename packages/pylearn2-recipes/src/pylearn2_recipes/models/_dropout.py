"""Dropout forward passes and dropout averages of an ``MLP``; pylearn2's functions.

pylearn2 defines them in ``models/mlp.py`` (``MLP.dropout_fprop``, ``MLP.masked_fprop``,
``sampled_dropout_average``, ...); they live here and ``models.mlp`` re-exports them.

A dropout mask keeps or drops every input of every layer. ``masked_fprop`` takes the
mask as an integer whose bits, lowest first, are the inputs of the masked layers in
order; ``dropout_fprop`` draws masks at random. A kept input is multiplied by its
layer's scale; a dropped one becomes the layer's ``dropout_input_mask_value`` (0 by
default). The averages take the geometric mean of the softmax outputs of many masked
networks: the softmax of the mean of their softmax arguments.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pylearn2_recipes._backend import Symbolic, pt
from pylearn2_recipes.expr import nnet

if TYPE_CHECKING:
    from pylearn2_recipes.models.mlp import MLP
    from pylearn2_recipes.space import Space

__all__ = [
    "apply_dropout",
    "dropout_fprop",
    "exhaustive_dropout_average",
    "generate_dropout_mask",
    "geometric_mean_prediction",
    "masked_fprop",
    "sampled_dropout_average",
]

_DEFAULT_RNG = (2013, 5, 17)


def random_stream(seed: int) -> Any:
    """A PyTensor ``RandomStream``; its draws advance by themselves at every call."""
    from pytensor.tensor.random.utils import RandomStream

    # RandomStream keeps its generators' updates as default updates, which
    # pytensor.function applies by itself; PyTensor 3 deprecates it in favour of
    # threading the RNG through every graph by hand.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return RandomStream(seed=seed)


def _binomial(stream: Any, p: float, size: Any, dtype: str) -> Symbolic:
    with warnings.catch_warnings():  # RandomStream's own deprecation notices
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        draw = stream.binomial(1, p, size=size)
    return pt.cast(draw, dtype)


def apply_dropout(
    state: Any,
    include_prob: float | None,
    scale: float | None,
    stream: Any,
    input_space: Space | None,
    mask_value: Any = 0,
    per_example: bool = True,
) -> Any:
    """``state`` with a random mask: kept inputs times ``scale``, others ``mask_value``.

    ``per_example=False`` draws one mask (of ``input_space``'s example shape) for the
    whole batch. Tuples (composite inputs) are masked part by part.
    """
    if include_prob in (None, 1.0, 1):
        return state
    if scale is None:
        raise ValueError("dropout needs a `scale` for its kept inputs")
    if isinstance(state, (tuple, list)):
        return tuple(
            apply_dropout(part, include_prob, scale, stream, None, mask_value, per_example)
            for part in state
        )
    if per_example or input_space is None:
        mask = _binomial(stream, include_prob, state.shape, state.dtype)
    else:
        shape = input_space.get_origin_batch(1).shape
        mask = _binomial(stream, include_prob, tuple(int(n) for n in shape), state.dtype)
    if _is_zero(mask_value):
        result = state * mask * scale
    else:
        result = pt.switch(mask, state * scale, mask_value)
    return pt.cast(result, state.dtype)


def _is_zero(value: Any) -> bool:
    return bool(np.all(np.asarray(value) == 0))


def dropout_fprop(
    mlp: MLP,
    state_below: Symbolic,
    default_input_include_prob: float = 0.5,
    input_include_probs: Mapping[str, float] | None = None,
    default_input_scale: float = 2.0,
    input_scales: Mapping[str, float] | None = None,
    per_example: bool = True,
) -> Symbolic:
    """The output of ``mlp`` with random dropout masks on every layer's input.

    Raises
    ------
    ValueError
        If ``input_include_probs`` or ``input_scales`` names a layer ``mlp`` lacks.
    """
    input_include_probs = dict(input_include_probs or {})
    input_scales = dict(input_scales or {})
    mlp._validate_layer_names(input_include_probs)
    mlp._validate_layer_names(input_scales)
    # As pylearn2: a new stream seeded from the model's RandomState at every call.
    stream = random_stream(max(int(mlp.rng.randint(2**15)), 1))
    for layer in mlp.layers:
        name = layer.layer_name
        state_below = apply_dropout(
            state_below,
            input_include_probs.get(name, default_input_include_prob),
            input_scales.get(name, default_input_scale),
            stream,
            layer.get_input_space(),
            layer.dropout_input_mask_value,
            per_example,
        )
        state_below = layer.fprop(state_below)
    return state_below


def _bits(value: int, length: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The lowest ``length`` bits of ``value``, lowest first."""
    return np.array([(value >> i) & 1 for i in range(length)], dtype=np.uint8)


def masked_fprop(
    mlp: MLP,
    state_below: Symbolic,
    mask: int,
    masked_input_layers: Iterable[str] | None = None,
    default_input_scale: float = 2.0,
    input_scales: Mapping[str, float] | None = None,
) -> Symbolic:
    """The output of ``mlp`` with the dropout mask given by the bits of ``mask``.

    Bit ``i`` (lowest first) keeps or drops the ``i``-th input of the masked layers
    (``masked_input_layers``, default all), taken layer by layer.

    Raises
    ------
    ValueError
        If ``mask`` is negative or has more bits than the masked layers have inputs,
        a name is not a layer, or ``input_scales`` names a layer that is not masked.

    Examples
    --------
    >>> import pytensor
    >>> from pylearn2_recipes.models.mlp import MLP, Linear
    >>> mlp = MLP([Linear(1, "h0", irange=0)], nvis=2)
    >>> mlp.layers[0].set_weights([[1.0], [10.0]])
    >>> x = pt.matrix()
    >>> f = pytensor.function([x], masked_fprop(mlp, x, 0b10), mode="FAST_COMPILE")
    >>> f([[1.0, 1.0]])
    array([[20.]])
    """
    input_scales = dict(input_scales or {})
    mlp._validate_layer_names(input_scales)
    names = set(mlp.layer_names if masked_input_layers is None else masked_input_layers)
    mlp._validate_layer_names(names)
    unmasked = [name for name in input_scales if name not in names]
    if unmasked:
        raise ValueError(f"input scales provided for layers not masked: {', '.join(unmasked)}")
    num_inputs = mlp.get_total_input_dimension(names)
    if not isinstance(mask, (int, np.integer)) or mask < 0:
        raise ValueError(f"`mask` must be a non-negative integer, got {mask!r}")
    # pylearn2's bound, kept as it is: log2(mask) > number of masked inputs.
    if mask > 0 and math.log(mask, 2) > num_inputs:
        raise ValueError(
            f"mask value of {mask} too large; only {num_inputs} inputs to layers "
            f"({', '.join(sorted(names))})"
        )
    remaining = int(mask)
    for layer in mlp.layers:
        if layer.layer_name in names:
            scale = input_scales.get(layer.layer_name, default_input_scale)
            space = layer.get_input_space()
            n_inputs = space.get_total_dimension()
            bits = _bits(remaining & (2**n_inputs - 1), n_inputs)
            remaining >>= n_inputs
            shape = space.get_origin_batch(1).shape
            layer_mask = pt.as_tensor_variable(bits.reshape(shape))
            if _is_zero(layer.dropout_input_mask_value):
                state_below = state_below * layer_mask * scale
            else:
                state_below = pt.switch(
                    layer_mask, state_below * scale, layer.dropout_input_mask_value
                )
        state_below = layer.fprop(state_below)
    return state_below


def generate_dropout_mask(
    mlp: MLP,
    default_include_prob: float = 0.5,
    input_include_probs: Mapping[str, float] | None = None,
    rng: Any = _DEFAULT_RNG,
) -> int:
    """A random dropout mask as an integer (for ``masked_fprop``), one draw per input.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> generate_dropout_mask(MLP([Softmax(2, "y", irange=0)], nvis=3), 1.0)
    7
    """
    probs = dict(input_include_probs or {})
    if not hasattr(rng, "uniform"):
        rng = np.random.RandomState(rng)
    total = 0
    mask = 0
    for layer in mlp.layers:
        p = probs.get(layer.layer_name, default_include_prob)
        for _ in range(layer.get_input_space().get_total_dimension()):
            mask |= int(rng.uniform() < p) << total
            total += 1
    return mask


def geometric_mean_prediction(forward_props: Sequence[Symbolic]) -> Symbolic:
    """The softmax of the mean of the softmax arguments of ``forward_props``.

    Raises
    ------
    ValueError
        If an output is not a softmax.
    """
    arguments = [nnet.arg_of_softmax(out) for out in forward_props]
    total = arguments[0]
    for argument in arguments[1:]:
        total = total + argument
    return nnet.softmax(total / float(len(arguments)))


def sampled_dropout_average(
    mlp: MLP,
    inputs: Symbolic,
    num_masks: int,
    default_input_include_prob: float = 0.5,
    input_include_probs: Mapping[str, float] | None = None,
    default_input_scale: float = 2.0,
    input_scales: Mapping[str, float] | None = None,
    rng: Any = _DEFAULT_RNG,
    per_example: bool = False,
) -> Symbolic:
    """Geometric mean of ``num_masks`` randomly masked networks (softmax output).

    ``per_example=False`` fixes ``num_masks`` masks in the graph (drawn from ``rng``);
    ``True`` draws new masks for every example at every call.
    """
    input_include_probs = dict(input_include_probs or {})
    input_scales = dict(input_scales or {})
    if not hasattr(rng, "uniform"):
        rng = np.random.RandomState(rng)
    mlp._validate_layer_names(input_include_probs)
    mlp._validate_layer_names(input_scales)
    if per_example:
        outputs = [
            dropout_fprop(
                mlp,
                inputs,
                default_input_include_prob,
                input_include_probs,
                default_input_scale,
                input_scales,
            )
            for _ in range(num_masks)
        ]
    else:
        masks = [
            generate_dropout_mask(mlp, default_input_include_prob, input_include_probs, rng)
            for _ in range(num_masks)
        ]
        outputs = [
            masked_fprop(mlp, inputs, mask, None, default_input_scale, input_scales)
            for mask in masks
        ]
    return geometric_mean_prediction(outputs)


def exhaustive_dropout_average(
    mlp: MLP,
    inputs: Symbolic,
    masked_input_layers: Iterable[str] | None = None,
    default_input_scale: float = 2.0,
    input_scales: Mapping[str, float] | None = None,
) -> Symbolic:
    """Geometric mean over every dropout mask of the masked layers (exponential: tiny nets).

    Raises
    ------
    ValueError
        If a name is not a layer, or ``input_scales`` names a layer that is not masked.
    """
    names = list(mlp.layer_names if masked_input_layers is None else masked_input_layers)
    mlp._validate_layer_names(names)
    input_scales = dict(input_scales or {})
    mlp._validate_layer_names(input_scales)
    unmasked = [name for name in input_scales if name not in names]
    if unmasked:
        raise ValueError(f"{', '.join(unmasked)} in input_scales but not masked")
    num_inputs = mlp.get_total_input_dimension(names)
    outputs = [
        masked_fprop(mlp, inputs, mask, names, default_input_scale, input_scales)
        for mask in range(2**num_inputs)
    ]
    return geometric_mean_prediction(outputs)
