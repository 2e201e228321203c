"""Costs for ``MLP`` models: the output layer's cost and weight decay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pylearn2_recipes._backend import Symbolic, pt
from pylearn2_recipes.costs.cost import Batch, Cost

if TYPE_CHECKING:
    from pylearn2_recipes.models.mlp import MLP

__all__ = ["Default", "WeightDecay"]


class Default(Cost):
    """The output layer's own cost (``Softmax``: negative log-likelihood).

    Examples
    --------
    >>> Default()
    Default()
    """

    def expr(self, model: MLP, data: Batch) -> Symbolic:
        """``model.cost_from_X(data)``."""
        return model.cost_from_X(data)

    def __repr__(self) -> str:
        return "Default()"


class WeightDecay(Cost):
    """L2 penalty Σ_layers coeff · Σ W², pylearn2's ``costs.mlp.WeightDecay``.

    Parameters
    ----------
    coeffs : sequence of float or mapping of layer name to float
        One coefficient per layer, or by layer name (missing names get 0).

    Examples
    --------
    >>> WeightDecay([1e-4, 0.0]).coeffs
    [0.0001, 0.0]
    """

    def __init__(self, coeffs: Sequence[float] | Mapping[str, float]) -> None:
        if isinstance(coeffs, Mapping):
            self.coeffs: list[float] | dict[str, float] = {k: float(v) for k, v in coeffs.items()}
        else:
            self.coeffs = [float(c) for c in coeffs]

    def expr(self, model: MLP, data: Batch) -> Symbolic:
        """Σ coeff · sum(W²) over the model's layers."""
        if isinstance(self.coeffs, dict):
            unknown = set(self.coeffs) - {layer.layer_name for layer in model.layers}
            if unknown:
                raise ValueError(f"WeightDecay `coeffs` names unknown layers {sorted(unknown)}")
            pairs = [(self.coeffs.get(layer.layer_name, 0.0), layer) for layer in model.layers]
        else:
            if len(self.coeffs) != len(model.layers):
                raise ValueError(
                    f"WeightDecay has {len(self.coeffs)} `coeffs` but the model has "
                    f"{len(model.layers)} layers"
                )
            pairs = list(zip(self.coeffs, model.layers, strict=True))
        total: Symbolic = pt.as_tensor_variable(0.0)
        for coefficient, layer in pairs:
            if coefficient:
                total = total + coefficient * pt.sqr(layer.W).sum()
        return total
