"""A dataset seen through a trained model, pylearn2's ``datasets.transformer_dataset``.

Used to train a stack layer by layer: the second autoencoder trains on the first one's
codes (``scripts/tutorials/stacked_autoencoders/dae_l2.yaml``).
"""

from __future__ import annotations

from typing import Any

from pylearn2_recipes import _budget
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix

__all__ = ["TransformerDataset"]


class TransformerDataset(DenseDesignMatrix):
    """``raw``'s examples mapped by ``transformer.perform`` (its targets unchanged).

    pylearn2 transformed each batch as it was drawn; the transformers here
    (autoencoders' ``encode``) are deterministic, so the codes are computed once, in
    numpy, when the dataset is built: the same numbers, batch for batch.

    Parameters
    ----------
    raw : DenseDesignMatrix
    transformer : object with ``perform(X)``
        E.g. an ``Autoencoder`` loaded with ``!pkl:``.
    cpu_only, space_preserving : bool
        Accepted for pylearn2 configs (no effect here).

    Raises
    ------
    ValueError
        If ``transformer`` has no ``perform`` or rejects ``raw``'s features.

    Examples
    --------
    >>> import numpy as np
    >>> from pylearn2_recipes.models.autoencoder import Autoencoder
    >>> raw = DenseDesignMatrix(X=np.ones((4, 3)))
    >>> codes = TransformerDataset(raw, Autoencoder(3, 2, "tanh", None, irange=0.1))
    >>> codes.get_design_matrix().shape
    (4, 2)
    """

    def __init__(
        self, raw: Any, transformer: Any, cpu_only: bool = False, space_preserving: bool = False
    ) -> None:
        if not callable(getattr(transformer, "perform", None)):
            raise ValueError(f"`transformer` must have a `perform(X)` method, got {transformer!r}")
        X = raw.get_design_matrix()
        width = int(getattr(transformer, "nhid", 0)) or X.shape[1]
        _budget.require(X.shape[0] * width * 8, "the transformed dataset")
        self.raw = raw
        self.transformer = transformer
        super().__init__(
            X=transformer.perform(X), y=raw.y, y_labels=getattr(raw, "y_labels", None)
        )
