"""Models, mirroring ``pylearn2.models``."""

from __future__ import annotations

from pylearn2_recipes.models.mlp import (
    MLP,
    Layer,
    Linear,
    RectifiedLinear,
    Sigmoid,
    Softmax,
    Tanh,
)
from pylearn2_recipes.models.model import Model

__all__ = ["MLP", "Layer", "Linear", "Model", "RectifiedLinear", "Sigmoid", "Softmax", "Tanh"]
