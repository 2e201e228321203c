"""Dropout training of an MLP, as pylearn2's ``costs.mlp.dropout.Dropout``.

Each layer's *input* is kept with probability p (``input_include_probs[name]``, else
``default_input_include_prob``) and multiplied by a scale (``input_scales[name]``, else
``default_input_scale``); a dropped input becomes the layer's
``dropout_input_mask_value``. The cost is the model's cost on that noisy pass,
``MLP.dropout_fprop``, as in pylearn2: each ``expr`` call seeds a new random stream from
the MLP's RandomState. The stream is PyTensor's, not Theano's MRG stream, so the masks
differ from pylearn2's draw for draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pylearn2_recipes._backend import Symbolic
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
        From ``expr`` if a mapping names a layer the model does not have (pylearn2's
        "MLP has no layer(s) named ...").

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

    def expr(self, model: MLP, data: Any, **kwargs: Any) -> Symbolic:  # type: ignore[override]
        """The model's cost of ``model.dropout_fprop`` (pylearn2's ``Dropout.expr``)."""
        Y, Y_hat = self._dropout_output(model, data)
        return model.cost(Y, Y_hat)

    def cost_per_example(  # type: ignore[override]
        self, model: MLP, data: Any, **kwargs: Any
    ) -> Symbolic:
        """Each example's cost on a dropout pass: ``model.cost_matrix(...).sum(axis=1)``.

        As pylearn2's, it sums the output layer's cost matrix over its units, so its mean
        is ``expr``'s value (on the same masks) for ``Softmax`` and ``Linear`` outputs,
        and ``dim`` times it for ``Sigmoid`` (whose cost averages over units). Each
        call draws new masks, as ``expr``. An output layer without ``cost_matrix``
        raises NotImplementedError.

        Examples
        --------
        >>> from pylearn2_recipes.models.mlp import MLP, Softmax
        >>> from pylearn2_recipes._backend import pt
        >>> mlp = MLP([Softmax(2, "y", irange=0.1)], nvis=3)
        >>> Dropout().cost_per_example(mlp, (pt.matrix(), pt.matrix())).ndim
        1
        """
        Y, Y_hat = self._dropout_output(model, data)
        return model.cost_matrix(Y, Y_hat).sum(axis=1)

    def _dropout_output(self, model: MLP, data: Any) -> tuple[Symbolic, Symbolic]:
        """``(Y, model.dropout_fprop(X, ...))`` for the batch ``data = (X, Y)``."""
        self.get_data_specs(model)[0].validate(data)
        X, Y = data
        Y_hat = model.dropout_fprop(
            X,
            default_input_include_prob=self.default_input_include_prob,
            input_include_probs=self.input_include_probs,
            default_input_scale=self.default_input_scale,
            input_scales=self.input_scales,
            per_example=self.per_example,
        )
        return Y, Y_hat

    def is_stochastic(self) -> bool:
        """True: the masks are random."""
        return True

    def __repr__(self) -> str:
        return (
            f"Dropout(default_input_include_prob={self.default_input_include_prob}, "
            f"input_include_probs={self.input_include_probs})"
        )
