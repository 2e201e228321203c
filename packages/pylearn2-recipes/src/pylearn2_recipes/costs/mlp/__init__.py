"""Costs for ``MLP`` models: the output layer's cost and weight decay."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pylearn2_recipes._backend import Symbolic, pt
from pylearn2_recipes.costs.cost import Cost, DefaultDataSpecsMixin, NullDataSpecsMixin

if TYPE_CHECKING:
    from pylearn2_recipes.models.mlp import MLP

# Like pylearn2's, the costs of costs.mlp read an MLP's layers, so they narrow `expr`'s
# model from Model to MLP (hence the `type: ignore[override]` on each).

__all__ = ["Default", "L1WeightDecay", "WeightDecay"]


class Default(DefaultDataSpecsMixin, Cost):
    """The output layer's own cost (``Softmax``: negative log-likelihood), on ``(X, Y)``.

    Examples
    --------
    >>> Default()
    Default()
    """

    supervised = True

    def expr(self, model: MLP, data: Any, **kwargs: Any) -> Symbolic:  # type: ignore[override]
        """``model.cost_from_X(data)``."""
        self.get_data_specs(model)[0].validate(data)
        return model.cost_from_X(data)

    def is_stochastic(self) -> bool:
        """False."""
        return False

    def __repr__(self) -> str:
        return "Default()"


def _layer_decay(layer: Any, coefficient: float, kind: str) -> Symbolic:
    method = getattr(layer, f"get_{kind}", None)
    if method is not None:
        return method(coefficient)
    raise NotImplementedError(f"{type(layer)} does not implement get_{kind}.")


def _coefficient(value: Any) -> Any:
    """A float, or (for a nested MLP or composite layer) a list of coefficients."""
    if isinstance(value, (list, tuple)):
        return [_coefficient(v) for v in value]
    return float(value)


def _nonzero(coefficient: Any) -> bool:
    if isinstance(coefficient, list):
        return any(_nonzero(c) for c in coefficient)
    return bool(coefficient)


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


class WeightDecay(NullDataSpecsMixin, Cost):
    """L2 penalty Σ_layers coeff · Σ W², pylearn2's ``costs.mlp.WeightDecay``.

    Parameters
    ----------
    coeffs : sequence of float or mapping of layer name to float
        One coefficient per layer, or by layer name (missing names get 0); a nested
        MLP's or composite layer's coefficient may be a list of its layers' ones.

    Examples
    --------
    >>> WeightDecay([1e-4, 0.0]).coeffs
    [0.0001, 0.0]
    """

    def __init__(self, coeffs: Sequence[float] | Mapping[str, float]) -> None:
        if isinstance(coeffs, Mapping):
            self.coeffs: list[float] | dict[str, float] = {k: float(v) for k, v in coeffs.items()}
        else:
            self.coeffs = [_coefficient(c) for c in coeffs]

    def expr(self, model: MLP, data: Any = None, **kwargs: Any) -> Symbolic:  # type: ignore[override]
        """Σ coeff · sum(W²) over the model's layers (each layer's ``get_weight_decay``)."""
        self.get_data_specs(model)[0].validate(data)
        pairs = _layer_coefficients(self.coeffs, model, "WeightDecay")
        total: Symbolic = pt.as_tensor_variable(0.0)
        for coefficient, layer in pairs:
            if _nonzero(coefficient):
                total = total + _layer_decay(layer, coefficient, "weight_decay")
        total.name = "weight_decay"
        return total

    def is_stochastic(self) -> bool:
        """False."""
        return False


class L1WeightDecay(NullDataSpecsMixin, Cost):
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
            self.coeffs = [_coefficient(c) for c in coeffs]

    def expr(self, model: MLP, data: Any = None, **kwargs: Any) -> Symbolic:  # type: ignore[override]
        """Σ coeff · sum(|W|) over the model's layers (each layer's ``get_l1_weight_decay``)."""
        self.get_data_specs(model)[0].validate(data)
        total: Symbolic = pt.as_tensor_variable(0.0)
        for coefficient, layer in _layer_coefficients(self.coeffs, model, "L1WeightDecay"):
            if _nonzero(coefficient):
                total = total + _layer_decay(layer, coefficient, "l1_weight_decay")
        total.name = "l1_weight_decay"
        return total

    def is_stochastic(self) -> bool:
        """False."""
        return False
