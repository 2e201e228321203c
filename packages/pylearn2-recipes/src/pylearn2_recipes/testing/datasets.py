"""Random datasets for tests and test configurations, as pylearn2's ``testing.datasets``.

Examples
--------
>>> import numpy as np
>>> ds = random_one_hot_dense_design_matrix(np.random.RandomState(0), 5, 3, 2)
>>> ds.X.shape, ds.y.sum(axis=1).tolist()
((5, 3), [1.0, 1.0, 1.0, 1.0, 1.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix

__all__ = [
    "ArangeDataset",
    "random_dense_design_matrix",
    "random_dense_design_matrix_for_regression",
    "random_one_hot_dense_design_matrix",
    "random_one_hot_topological_dense_design_matrix",
]


class ArangeDataset(DenseDesignMatrix):
    """Example i is the number i (one feature), to see which examples a run visits.

    Examples
    --------
    >>> ArangeDataset(3).X.ravel().tolist()
    [0.0, 1.0, 2.0]
    """

    def __init__(self, num_examples: int, *args: Any, **kwargs: Any) -> None:
        X = np.arange(num_examples, dtype=float).reshape(-1, 1)
        super().__init__(X, *args, **kwargs)


def random_dense_design_matrix(
    rng: np.random.RandomState, num_examples: int, dim: int, num_classes: int
) -> DenseDesignMatrix:
    """Gaussian features and, unless ``num_classes`` is 0, integer labels (``y_labels``)."""
    X = rng.randn(num_examples, dim)
    if not num_classes:
        return DenseDesignMatrix(X=X)
    Y = rng.randint(0, num_classes, (num_examples, 1))
    return DenseDesignMatrix(X=X, y=Y, y_labels=num_classes)


def random_one_hot_dense_design_matrix(
    rng: np.random.RandomState, num_examples: int, dim: int, num_classes: int
) -> DenseDesignMatrix:
    """Gaussian features and one-hot targets."""
    X = rng.randn(num_examples, dim)
    labels = rng.randint(0, num_classes, (num_examples,))
    return DenseDesignMatrix(X=X, y=np.eye(num_classes)[labels])


def random_one_hot_topological_dense_design_matrix(
    rng: np.random.RandomState,
    num_examples: int,
    shape: Sequence[int],
    channels: int,
    axes: Sequence[Any],
    num_classes: int,
) -> DenseDesignMatrix:
    """Gaussian images (axes ``axes``) and one-hot targets."""
    sizes: dict[Any, int] = {"b": num_examples, "c": channels, 0: shape[0], 1: shape[1]}
    X = rng.randn(*[sizes[axis] for axis in axes])
    labels = rng.randint(0, num_classes, (num_examples,))
    return DenseDesignMatrix(topo_view=X, axes=axes, y=np.eye(num_classes)[labels])


def random_dense_design_matrix_for_regression(
    rng: np.random.RandomState, num_examples: int, dim: int, reg_min: int, reg_max: int
) -> DenseDesignMatrix:
    """Gaussian features and one integer target column in ``[reg_min, reg_max)``."""
    X = rng.randn(num_examples, dim)
    Y = rng.randint(reg_min, reg_max, (num_examples, 1))
    return DenseDesignMatrix(X=X, y=Y)
