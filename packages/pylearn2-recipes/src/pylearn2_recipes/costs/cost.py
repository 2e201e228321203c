"""The cost interface and the sum of costs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pylearn2_recipes._backend import Shared, Symbolic, pytensor

if TYPE_CHECKING:
    from pylearn2_recipes.models.mlp import MLP

__all__ = ["Cost", "SumOfCosts"]

Batch = tuple[Symbolic, Symbolic]


class Cost(ABC):
    """A symbolic scalar to minimise for a batch ``(X, Y)``.

    Implement ``expr``; gradients default to PyTensor's symbolic ``grad``. Built-ins are
    listed in ``pylearn2_recipes.registry.COSTS``.
    """

    @abstractmethod
    def expr(self, model: MLP, data: Batch) -> Symbolic:
        """The cost of ``model`` on the symbolic batch ``data = (X, Y)``."""

    def get_gradients(self, model: MLP, data: Batch) -> dict[Shared, Symbolic]:
        """Gradient of ``expr`` with respect to each of the model's parameters."""
        params = model.get_params()
        grads = pytensor.grad(self.expr(model, data), params, disconnected_inputs="ignore")
        return dict(zip(params, grads, strict=True))


class SumOfCosts(Cost):
    """The sum of several costs, optionally weighted.

    Parameters
    ----------
    costs : sequence of Cost or (float, Cost)
        Terms; a ``(coefficient, cost)`` pair scales its term.

    Examples
    --------
    >>> from pylearn2_recipes.costs.mlp import Default, WeightDecay
    >>> total = SumOfCosts([Default(), (0.5, WeightDecay([1e-4, 1e-4]))])
    >>> len(total.costs)
    2
    """

    def __init__(self, costs: Sequence[Cost | tuple[float, Cost] | list[object]]) -> None:
        if not costs:
            raise ValueError("`costs` must name at least one cost")
        self.costs: list[tuple[float, Cost]] = []
        for index, term in enumerate(costs):
            if isinstance(term, Cost):
                self.costs.append((1.0, term))
            elif (
                isinstance(term, (tuple, list))
                and len(term) == 2
                and isinstance(term[0], (int, float))
                and isinstance(term[1], Cost)
            ):
                self.costs.append((float(term[0]), term[1]))
            else:
                raise ValueError(f"`costs[{index}]` must be a Cost or [coefficient, Cost]")

    def expr(self, model: MLP, data: Batch) -> Symbolic:
        """Σ coefficient · cost."""
        total: Symbolic = sum(
            coefficient * cost.expr(model, data) for coefficient, cost in self.costs
        )
        return total
