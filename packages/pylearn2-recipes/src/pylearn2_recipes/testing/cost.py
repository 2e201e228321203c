"""Costs for tests, as pylearn2's ``testing.cost``.

Examples
--------
>>> SumOfParams().get_data_specs(None)[1]
''
"""

from __future__ import annotations

from typing import Any

from pylearn2_recipes._backend import Symbolic
from pylearn2_recipes.costs.cost import Cost
from pylearn2_recipes.space import NullSpace, Space
from pylearn2_recipes.utils import CallbackOp
from pylearn2_recipes.utils.data_specs import DataSpecsMapping

__all__ = ["CallbackCost", "SumOfOneHalfParamsSquared", "SumOfParams"]


class CallbackCost(Cost):
    """Σ data · Σ params, calling ``data_callbacks`` on each numeric batch it computes on.

    Parameters
    ----------
    data_callbacks : callable or (nested) tuple of callables
        Mirrors ``data_specs``.
    data_specs : (Space, source)
    """

    def __init__(self, data_callbacks: Any, data_specs: tuple[Space, Any]) -> None:
        self.data_callbacks = data_callbacks
        self.data_specs = data_specs
        self._mapping = DataSpecsMapping(data_specs)

    def get_data_specs(self, model: Any) -> tuple[Space, Any]:
        """The given specs."""
        return self.data_specs

    def expr(self, model: Any, data: Any, **kwargs: Any) -> Symbolic:
        """Σ over the data (through the callbacks) times Σ over the parameters."""
        self.get_data_specs(model)[0].validate(data)
        callbacks = self._mapping.flatten(self.data_callbacks, return_tuple=True)
        variables = self._mapping.flatten(data, return_tuple=True)
        total: Any = 0
        for callback, variable in zip(callbacks, variables, strict=True):
            total = total + CallbackOp(callback)(variable).sum()
        return total * sum(param.sum() for param in model.get_params())


class SumOfParams(Cost):
    """Σ of every parameter: each gradient is 1."""

    def expr(self, model: Any, data: Any, **kwargs: Any) -> Symbolic:
        """Σ params."""
        self.get_data_specs(model)[0].validate(data)
        return sum(param.sum() for param in model.get_params())

    def get_data_specs(self, model: Any) -> tuple[Space, Any]:
        """No data."""
        return (NullSpace(), "")


class SumOfOneHalfParamsSquared(Cost):
    """½ Σ params²: each gradient is the parameter itself."""

    def expr(self, model: Any, data: Any, **kwargs: Any) -> Symbolic:
        """½ Σ params²."""
        self.get_data_specs(model)[0].validate(data)
        return 0.5 * sum((param**2).sum() for param in model.get_params())

    def get_data_specs(self, model: Any) -> tuple[Space, Any]:
        """No data."""
        return (NullSpace(), "")
