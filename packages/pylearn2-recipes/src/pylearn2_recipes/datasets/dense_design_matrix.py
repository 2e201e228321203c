"""A dataset held as one design matrix ``X`` and a target matrix ``y``."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import pytensor
from pylearn2_recipes.datasets.dataset import Dataset

__all__ = ["DenseDesignMatrix"]


class DenseDesignMatrix(Dataset):
    """Examples in rows of ``X``; targets in ``y``, one-hot or integer labels.

    Parameters
    ----------
    X : array-like of shape (n_examples, n_features)
        The design matrix.
    y : array-like of shape (n_examples, n_outputs) or (n_examples,), optional
        Targets: one-hot rows (what ``Softmax`` trains on), real-valued columns, or
        integer class labels when ``y_labels`` is given.
    y_labels : int, optional
        Number of classes when ``y`` holds integer labels ``0 .. y_labels - 1``; the
        labels are turned into one-hot rows for training, as pylearn2's IndexSpace
        conversion does.
    X_labels : int, optional
        Accepted for pylearn2 compatibility; recorded, unused.
    rng : seed or numpy.random.RandomState, default=(17, 2, 946)
        For ``get_batch_design`` (pylearn2's default seed).

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, ``X`` or ``y`` holds NaN or infinite values, ``y`` has a
        different number of rows, or a label is out of range.

    Examples
    --------
    >>> ds = DenseDesignMatrix(X=[[0, 1], [1, 1]], y=[1, 0], y_labels=2)
    >>> ds.get_onehot_targets().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """

    def __init__(
        self,
        X: Any = None,
        y: Any = None,
        X_labels: int | None = None,
        y_labels: int | None = None,
        rng: Any = (17, 2, 946),
    ) -> None:
        if X is None:
            raise ValueError("DenseDesignMatrix needs `X` (a 2-D design matrix)")
        x_array = np.asarray(X)
        if x_array.ndim != 2:
            raise ValueError(
                f"`X` must be 2-D (n_examples, n_features), got shape {x_array.shape}"
            )
        if not np.issubdtype(x_array.dtype, np.number):
            raise ValueError(f"`X` must be numeric, got dtype {x_array.dtype}")
        _check_finite(x_array, "X")
        self.X: npt.NDArray[Any] = x_array
        self.rng = rng if isinstance(rng, np.random.RandomState) else np.random.RandomState(rng)
        self.X_labels = X_labels
        self.y_labels = y_labels
        self.y: npt.NDArray[Any] | None = None
        if y is not None:
            y_array = np.asarray(y)
            if y_array.shape[:1] != x_array.shape[:1]:
                raise ValueError(
                    f"`y` has {y_array.shape[0] if y_array.ndim else 0} rows but `X` has "
                    f"{x_array.shape[0]}"
                )
            if y_labels is not None:
                _check_labels(y_array, y_labels)
            elif y_array.ndim not in (1, 2):
                raise ValueError(f"`y` must be 1-D or 2-D, got shape {y_array.shape}")
            else:
                # A 1-D y without y_labels is one real-valued target column, as in
                # pylearn2 (VectorSpace(dim=1)).
                _check_finite(y_array, "y")
            self.y = y_array

    def convert_to_one_hot(self, min_class: int = 0) -> None:
        """Turn integer labels into one-hot rows in place, as pylearn2's.

        The classes run from ``min_class`` to the largest label.

        Examples
        --------
        >>> ds = DenseDesignMatrix(X=[[0.0], [1.0]], y=[2, 0])
        >>> ds.convert_to_one_hot(); ds.y.tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
        """
        if self.y is None:
            raise ValueError("convert_to_one_hot needs a dataset with `y`")
        labels = self.y.reshape(-1)
        if not np.all(np.equal(np.mod(labels, 1), 0)):
            raise ValueError("convert_to_one_hot needs integer labels")
        classes = labels.astype(np.int64) - min_class
        if classes.size and classes.min() < 0:
            raise ValueError(f"a label is below `min_class` ({min_class})")
        width = int(classes.max()) + 1 if classes.size else 0
        self.y = np.eye(width)[classes]
        self.y_labels = None

    def get_batch_design(self, batch_size: int, include_labels: bool = False) -> Any:
        """``batch_size`` consecutive rows from a random start (``self.rng``), as pylearn2.

        Returns ``X`` rows, or ``(X rows, y rows)`` with ``include_labels``.

        Raises
        ------
        ValueError
            If the dataset has fewer than ``batch_size`` examples.
        """
        count = self.X.shape[0]
        if batch_size > count:
            raise ValueError(
                f"Requested {batch_size} examples from a dataset containing only {count}."
            )
        start = self.rng.randint(count - batch_size + 1)
        rows = self.X[start : start + batch_size]
        if not include_labels:
            return np.asarray(rows, dtype=pytensor.config.floatX)
        return rows, None if self.y is None else self.y[start : start + batch_size]

    def get_num_examples(self) -> int:
        """Number of rows of ``X``."""
        return int(self.X.shape[0])

    def get_design_matrix(self) -> npt.NDArray[np.floating]:
        """``X`` as a C-contiguous float array of PyTensor's ``floatX``."""
        return np.ascontiguousarray(self.X, dtype=pytensor.config.floatX)

    def get_onehot_targets(self) -> npt.NDArray[np.floating] | None:
        """``y`` as float rows; integer labels become one-hot rows of width ``y_labels``."""
        if self.y is None:
            return None
        dtype = pytensor.config.floatX
        if self.y_labels is not None:
            labels = self.y.reshape(-1).astype(np.int64)
            return np.ascontiguousarray(np.eye(self.y_labels, dtype=dtype)[labels])
        return np.ascontiguousarray(self.y.reshape(self.y.shape[0], -1), dtype=dtype)


def _check_finite(array: npt.NDArray[Any], key: str) -> None:
    # A NaN feature or target would train to NaN parameters or, in a monitoring set,
    # silently skew the misclass channel.
    if np.issubdtype(array.dtype, np.number):
        bad = ~np.isfinite(array.reshape(array.shape[0], -1)).all(axis=1)
        if bad.any():
            raise ValueError(
                f"`{key}` holds NaN or infinite values (first in row {int(bad.argmax())})"
            )


def _check_labels(y: npt.NDArray[Any], y_labels: int) -> None:
    if isinstance(y_labels, bool) or not isinstance(y_labels, (int, np.integer)) or y_labels < 1:
        raise ValueError(f"`y_labels` must be a positive int, got {y_labels!r}")
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(f"integer `y` must have one column, got shape {y.shape}")
    if y.ndim > 2:
        raise ValueError(f"integer `y` must be 1-D or one column, got shape {y.shape}")
    flat = y.reshape(-1)
    if flat.size and not np.all(np.equal(np.mod(flat, 1), 0)):
        raise ValueError("`y` holds non-integer values but `y_labels` says they are class labels")
    if flat.size and (flat.min() < 0 or flat.max() >= y_labels):
        raise ValueError(
            f"`y` labels must lie in 0..{y_labels - 1}, got {flat.min()}..{flat.max()}"
        )
