"""Optimizers, mirroring ``pylearn2.optimization``."""

from __future__ import annotations

from pylearn2_recipes.optimization.batch_gradient_descent import BatchGradientDescent

__all__ = ["BatchGradientDescent"]
