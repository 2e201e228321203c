"""Reconstruction costs of autoencoders, pylearn2's ``costs.autoencoder``."""

from __future__ import annotations

from typing import Any

from pylearn2_recipes._backend import Symbolic, pt
from pylearn2_recipes.costs.cost import Cost, DefaultDataSpecsMixin

__all__ = ["MeanBinaryCrossEntropy", "MeanSquaredReconstructionError"]


class MeanSquaredReconstructionError(DefaultDataSpecsMixin, Cost):
    """Mean over examples of ``Σ (reconstruct(x) − x)²`` (unsupervised).

    Examples
    --------
    >>> MeanSquaredReconstructionError().supervised
    False
    """

    supervised = False

    @staticmethod
    def cost(target: Symbolic, output: Symbolic) -> Symbolic:
        """``Σ (target − output)²`` per example, averaged."""
        return pt.sqr(target - output).sum(axis=1).mean()

    def expr(self, model: Any, data: Any, **kwargs: Any) -> Symbolic:
        """The cost of ``model.reconstruct(data)`` against ``data`` (features only)."""
        self.get_data_specs(model)[0].validate(data)
        return self.cost(data, model.reconstruct(data))


class MeanBinaryCrossEntropy(MeanSquaredReconstructionError):
    """Mean over examples of ``Σ −x·log(r) − (1 − x)·log(1 − r)``, ``r = reconstruct(x)``.

    For reconstructions in (0, 1) (a sigmoid decoder), as pylearn2's.

    Examples
    --------
    >>> MeanBinaryCrossEntropy().supervised
    False
    """

    @staticmethod
    def cost(target: Symbolic, output: Symbolic) -> Symbolic:
        """Theano's ``binary_crossentropy(output, target)`` summed per example, averaged."""
        return (-(target * pt.log(output) + (1 - target) * pt.log(1 - output))).sum(axis=1).mean()
