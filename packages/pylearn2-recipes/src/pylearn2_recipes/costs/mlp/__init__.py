"""Costs for ``MLP`` models: the output layer's cost and weight decay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pylearn2_recipes._backend import Symbolic, pt
from pylearn2_recipes.costs.cost import Batch, Cost

if TYPE_CHECKING:
    from pylearn2_recipes.models.mlp import MLP

__all__ = ["Default", "L1WeightDecay", "WeightDecay"]


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


def _layer_coefficients(
    coeffs: list[float] | dict[str, float], model: MLP, name: str
) -> list[Any]:
    if isinstance(coeffs, dict):
        unknown = set(coeffs) - {layer.layer_name for layer in model.layers}
        if unknown:
            raise ValueError(f"{name} `coeffs` names unknown layers {sorted(unknown)}")
        return [(coeffs.get(layer.layer_name, 0.0), layer) for layer in model.layers]
    if len(coeffs) != len(model.layers):
        raise ValueError(
            f"{name} has {len(coeffs)} `coeffs` but the model has {len(model.layers)} layers"
        )
    return list(zip(coeffs, model.layers, strict=True))


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
        pairs = _layer_coefficients(self.coeffs, model, "WeightDecay")
        total: Symbolic = pt.as_tensor_variable(0.0)
        for coefficient, layer in pairs:
            if coefficient:
                total = total + coefficient * pt.sqr(layer.W).sum()
        return total


class L1WeightDecay(Cost):
    """L1 penalty Σ_layers coeff · Σ |W|, pylearn2's ``costs.mlp.L1WeightDecay``.

    Parameters
    ----------
    coeffs : sequence of float or mapping of layer name to float

    Examples
    --------
    >>> L1WeightDecay({"h0": 1e-5}).coeffs
    {'h0': 1e-05}
    """

    def __init__(self, coeffs: Sequence[float] | Mapping[str, float]) -> None:
        if isinstance(coeffs, Mapping):
            self.coeffs: list[float] | dict[str, float] = {k: float(v) for k, v in coeffs.items()}
        else:
            self.coeffs = [float(c) for c in coeffs]

    def expr(self, model: MLP, data: Batch) -> Symbolic:
        """Σ coeff · sum(|W|) over the model's layers."""
        total: Symbolic = pt.as_tensor_variable(0.0)
        for coefficient, layer in _layer_coefficients(self.coeffs, model, "L1WeightDecay"):
            if coefficient:
                total = total + coefficient * abs(layer.W).sum()
        return total
