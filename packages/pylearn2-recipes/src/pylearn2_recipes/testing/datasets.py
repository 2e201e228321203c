"""Random labelled datasets, pylearn2's ``testing.datasets`` (used by its YAML tests).

Each draws from the given ``RandomState`` in pylearn2's order (features, then labels),
so a seeded config gets pylearn2's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pylearn2_recipes import _budget
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix

__all__ = [
    "random_dense_design_matrix",
    "random_one_hot_dense_design_matrix",
    "random_one_hot_topological_dense_design_matrix",
]


def _count(value: Any, key: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"`{key}` must be an int >= {minimum}, got {value!r}")
    return int(value)


def _rng(rng: Any) -> np.random.RandomState:
    if not isinstance(rng, np.random.RandomState):
        raise ValueError(f"`rng` must be a numpy.random.RandomState, got {rng!r}")
    return rng


def _one_hot(rng: np.random.RandomState, num_examples: int, num_classes: int) -> Any:
    labels = rng.randint(0, num_classes, (num_examples,))
    return np.eye(num_classes)[labels]


def random_dense_design_matrix(
    rng: np.random.RandomState, num_examples: int, dim: int, num_classes: int
) -> DenseDesignMatrix:
    """N(0, 1) features and integer labels (``num_classes=0``: no labels).

    Examples
    --------
    >>> ds = random_dense_design_matrix(np.random.RandomState(0), 4, 3, 2)
    >>> ds.X.shape, ds.y.shape
    ((4, 3), (4, 1))
    """
    rng = _rng(rng)
    num_examples, dim = _count(num_examples, "num_examples"), _count(dim, "dim")
    num_classes = _count(num_classes, "num_classes", minimum=0)
    _budget.require(num_examples * dim * 8, "`random_dense_design_matrix`")
    X = rng.randn(num_examples, dim)
    if not num_classes:
        return DenseDesignMatrix(X=X)
    y = rng.randint(0, num_classes, (num_examples, 1))
    return DenseDesignMatrix(X=X, y=y, y_labels=num_classes)


def random_one_hot_dense_design_matrix(
    rng: np.random.RandomState, num_examples: int, dim: int, num_classes: int
) -> DenseDesignMatrix:
    """N(0, 1) features and one-hot targets.

    Examples
    --------
    >>> ds = random_one_hot_dense_design_matrix(np.random.RandomState(0), 4, 3, 2)
    >>> ds.y.sum(axis=1).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    rng = _rng(rng)
    num_examples, dim = _count(num_examples, "num_examples"), _count(dim, "dim")
    num_classes = _count(num_classes, "num_classes")
    _budget.require(num_examples * (dim + num_classes) * 8, "`random_one_hot_dense_design_matrix`")
    X = rng.randn(num_examples, dim)
    return DenseDesignMatrix(X=X, y=_one_hot(rng, num_examples, num_classes))


def random_one_hot_topological_dense_design_matrix(
    rng: np.random.RandomState,
    num_examples: int,
    shape: Sequence[int],
    channels: int,
    axes: Sequence[Any],
    num_classes: int,
) -> DenseDesignMatrix:
    """N(0, 1) images drawn in ``axes`` order and one-hot targets.

    The images are stored as a design matrix whose rows are flattened in
    ``('b', 0, 1, 'c')`` order, as pylearn2's ``DefaultViewConverter`` stores a
    topological view; ``topo_view_axes`` and ``view_shape`` record the view.

    Examples
    --------
    >>> ds = random_one_hot_topological_dense_design_matrix(
    ...     np.random.RandomState(0), 5, [2, 3], 1, ["c", 0, 1, "b"], 4)
    >>> ds.X.shape, ds.view_shape
    ((5, 6), (2, 3, 1))
    """
    rng = _rng(rng)
    num_examples, channels = _count(num_examples, "num_examples"), _count(channels, "channels")
    num_classes = _count(num_classes, "num_classes")
    if len(shape) != 2:
        raise ValueError(f"`shape` must be (rows, cols), got {shape!r}")
    rows, cols = (_count(n, "shape") for n in shape)
    axes = tuple(axes)
    if sorted(map(str, axes)) != ["0", "1", "b", "c"]:
        raise ValueError(f"`axes` must order 'b', 0, 1 and 'c', got {axes!r}")
    dims: dict[Any, int] = {"b": num_examples, "c": channels, 0: rows, 1: cols}
    _budget.require(
        num_examples * (rows * cols * channels + num_classes) * 8,
        "`random_one_hot_topological_dense_design_matrix`",
    )
    topo = rng.randn(*(dims[axis] for axis in axes))
    b01c = topo.transpose(*(axes.index(axis) for axis in ("b", 0, 1, "c")))
    design = b01c.reshape(num_examples, rows * cols * channels)
    dataset = DenseDesignMatrix(X=design, y=_one_hot(rng, num_examples, num_classes))
    dataset.topo_view_axes = axes  # type: ignore[attr-defined]
    dataset.view_shape = (rows, cols, channels)  # type: ignore[attr-defined]
    return dataset
