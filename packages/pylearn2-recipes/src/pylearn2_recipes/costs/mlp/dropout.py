"""Dropout training of an MLP, as pylearn2's ``costs.mlp.dropout.Dropout``.

Each layer's *input* is kept with probability p (``input_include_probs[name]``, else
``default_input_include_prob``) and multiplied by a scale (``input_scales[name]``, else
``default_input_scale``); the cost is the output layer's cost on that noisy pass. The
masks come from a PyTensor random stream seeded from the MLP's RandomState, not from
Theano's MRG stream, so they differ from pylearn2's draw for draw.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pylearn2_recipes._backend import Symbolic, pt, pytensor
from pylearn2_recipes.costs.cost import Cost, DefaultDataSpecsMixin

if TYPE_CHECKING:
    from pylearn2_recipes.models.mlp import MLP

__all__ = ["Dropout"]


class Dropout(DefaultDataSpecsMixin, Cost):
    """The MLP's cost with dropout on each layer's input.

    Parameters
    ----------
    default_input_include_prob : float, default=0.5
    input_include_probs : mapping of layer name to float, optional
    default_input_scale : float, default=2.0
    input_scales : mapping of layer name to float, optional
    per_example : bool, default=True
        False draws one mask per batch instead of one per example.

    Raises
    ------
    ValueError
        From ``expr`` if a mapping names a layer the model does not have.

    Examples
    --------
    >>> Dropout(input_include_probs={"h0": .8}, input_scales={"h0": 1.25}).input_scales
    {'h0': 1.25}
    """

    supervised = True

    def __init__(
        self,
        default_input_include_prob: float = 0.5,
        input_include_probs: Mapping[str, float] | None = None,
        default_input_scale: float = 2.0,
        input_scales: Mapping[str, float] | None = None,
        per_example: bool = True,
    ) -> None:
        self.default_input_include_prob = float(default_input_include_prob)
        self.input_include_probs = dict(input_include_probs or {})
        self.default_input_scale = float(default_input_scale)
        self.input_scales = dict(input_scales or {})
        self.per_example = bool(per_example)
        self._streams: dict[int, Any] = {}

    def _stream(self, model: MLP) -> Any:
        key = id(model)
        if key not in self._streams:
            from pytensor.tensor.random.utils import RandomStream

            # RandomStream keeps its generators' updates as default updates, which
            # pytensor.function applies by itself; PyTensor 3 deprecates it in favour of
            # threading the RNG through every cost by hand.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                self._streams[key] = RandomStream(seed=int(model.rng.randint(2**15)) or 1)
        return self._streams[key]

    def expr(self, model: MLP, data: Any, **kwargs: Any) -> Symbolic:  # type: ignore[override]
        """The output layer's cost after a dropout forward pass."""
        self.get_data_specs(model)[0].validate(data)
        X, Y = data
        names = {layer.layer_name for layer in model.layers}
        unknown = (set(self.input_include_probs) | set(self.input_scales)) - names
        if unknown:
            raise ValueError(f"Dropout names layers the model does not have: {sorted(unknown)}")
        stream = self._stream(model)
        state = X
        for index, layer in enumerate(model.layers):
            p = self.input_include_probs.get(layer.layer_name, self.default_input_include_prob)
            scale = self.input_scales.get(layer.layer_name, self.default_input_scale)
            shape = state.shape if self.per_example else state.shape[1:]
            with warnings.catch_warnings():  # RandomStream's own deprecation notices
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", FutureWarning)
                draw = stream.binomial(1, p, size=shape)
            mask = pt.cast(draw, pytensor.config.floatX)
            state = state * mask * scale
            state = layer.fprop(state)
            if index == len(model.layers) - 1:
                return layer.cost(Y, state)
        raise AssertionError("unreachable")  # pragma: no cover - MLPs have layers

    def is_stochastic(self) -> bool:
        """True: the masks are random."""
        return True

    def __repr__(self) -> str:
        return (
            f"Dropout(default_input_include_prob={self.default_input_include_prob}, "
            f"input_include_probs={self.input_include_probs})"
        )
