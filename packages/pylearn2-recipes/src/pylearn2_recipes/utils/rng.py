"""Random number generators from seeds, as pylearn2's ``utils.rng``."""

from __future__ import annotations

from pylearn2_recipes.utils.iteration import make_np_rng

__all__ = ["make_np_rng"]
