"""Training algorithms, mirroring ``pylearn2.training_algorithms``."""

from __future__ import annotations

from pylearn2_recipes.training_algorithms.learning_rule import (
    LearningRule,
    Momentum,
    MomentumAdjustor,
)
from pylearn2_recipes.training_algorithms.sgd import SGD, LinearDecayOverEpoch

__all__ = ["SGD", "LearningRule", "LinearDecayOverEpoch", "Momentum", "MomentumAdjustor"]
