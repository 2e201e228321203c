"""Reconstruction costs of autoencoders, pylearn2's ``costs.autoencoder``."""

from __future__ import annotations

from typing import Any

from pylearn2_recipes._backend import Symbolic, pt
from pylearn2_recipes.costs.cost import Cost, DefaultDataSpecsMixin

__all__ = ["MeanSquaredReconstructionError"]


class MeanSquaredReconstructionError(DefaultDataSpecsMixin, Cost):
    """Mean over examples of ``Σ (reconstruct(x) − x)²`` (unsupervised).

    Examples
    --------
    >>> MeanSquaredReconstructionError().supervised
    False
    """

    supervised = False

    def expr(self, model: Any, data: Any, **kwargs: Any) -> Symbolic:
        """The cost for the batch ``data`` (features only)."""
        self.get_data_specs(model)[0].validate(data)
        return pt.sqr(model.reconstruct(data) - data).sum(axis=1).mean()
