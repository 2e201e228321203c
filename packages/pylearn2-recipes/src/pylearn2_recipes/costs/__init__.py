"""Training costs, mirroring ``pylearn2.costs``."""

from __future__ import annotations

from pylearn2_recipes.costs.cost import Cost, SumOfCosts
from pylearn2_recipes.costs.mlp import Default, L1WeightDecay, WeightDecay

__all__ = ["Cost", "Default", "L1WeightDecay", "SumOfCosts", "WeightDecay"]
