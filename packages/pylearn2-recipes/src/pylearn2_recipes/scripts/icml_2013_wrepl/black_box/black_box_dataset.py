"""The ICML 2013 black-box challenge data, pylearn2's ``BlackBoxDataset``.

Reads Kaggle's CSV files from ``${PYLEARN2_DATA_PATH}/icml_2013_black_box/``:
``train.csv`` (1000 labelled rows: label, then 1875 features) and ``test.csv``
(10000 unlabelled rows), each after a header line; ``extra`` is
``extra_unsupervised_data.npy`` (features × examples).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.scripts.icml_2013_wrepl._paths import expand_variables

__all__ = ["BlackBoxDataset"]

_FILES = {"train": "train.csv", "public_test": "test.csv"}
_SIZES = {"train": 1000, "public_test": 10000, "extra": 135735}
_FEATURES = 1875


def _read_csv(path: str, labelled: bool) -> tuple[npt.NDArray[Any], npt.NDArray[Any] | None]:
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"BlackBoxDataset: {path} not found (Kaggle's ICML 2013 black-box challenge "
            "files go in ${PYLEARN2_DATA_PATH}/icml_2013_black_box/)"
        )
    try:
        table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    except ValueError as error:
        raise ValueError(f"BlackBoxDataset: {path} is not a numeric CSV ({error})") from None
    expected = _FEATURES + (1 if labelled else 0)
    if table.shape[1] != expected:
        raise ValueError(
            f"BlackBoxDataset: {path} has {table.shape[1]} columns, expected {expected}"
        )
    if not labelled:
        return table.astype("float32"), None
    return table[:, 1:].astype("float32"), table[:, 0].astype(np.int64)


class BlackBoxDataset(DenseDesignMatrix):
    """The challenge's train, public test or extra (unlabelled) examples; 9 classes.

    Parameters
    ----------
    which_set : {'train', 'public_test', 'extra'}
    base_path : str, default='${PYLEARN2_DATA_PATH}/icml_2013_black_box'
    start, stop : int, optional
        Keep examples ``start:stop`` (both or neither).
    preprocessor : object with ``apply(dataset, can_fit)``, optional
    fit_preprocessor, fit_test_preprocessor : bool

    Raises
    ------
    ValueError
        If ``which_set`` is unknown, a file has the wrong number of examples or
        columns, or ``start``/``stop`` are out of range.
    FileNotFoundError
        Naming the expected file.

    Notes
    -----
    pylearn2 cached the parsed CSV as ``.npy`` files beside it; nothing is written
    here. Its slicing of the labels by ``start``/``stop`` indexed a 1-D array as 2-D
    (an IndexError); here the same rows of features and labels are kept.

    Examples
    --------
    >>> BlackBoxDataset("nope")
    Traceback (most recent call last):
    ...
    ValueError: Unrecognized dataset name: 'nope' (train, public_test or extra)
    """

    def __init__(
        self,
        which_set: str,
        base_path: str = "${PYLEARN2_DATA_PATH}/icml_2013_black_box",
        start: int | None = None,
        stop: int | None = None,
        preprocessor: Any = None,
        fit_preprocessor: bool = False,
        fit_test_preprocessor: bool = False,
    ) -> None:
        if which_set not in _SIZES:
            raise ValueError(
                f"Unrecognized dataset name: {which_set!r} (train, public_test or extra)"
            )
        self.test_args = {
            "which_set": "public_test",
            "base_path": base_path,
            "preprocessor": preprocessor,
            "fit_preprocessor": fit_test_preprocessor,
            "fit_test_preprocessor": fit_test_preprocessor,
        }
        base = expand_variables(base_path)
        if which_set == "extra":
            from pylearn2_recipes.utils import serial

            X = np.asarray(serial.load(os.path.join(base, "extra_unsupervised_data.npy"))).T
            y = None
        else:
            X, y = _read_csv(os.path.join(base, _FILES[which_set]), which_set == "train")
        if X.shape[0] != _SIZES[which_set]:
            raise ValueError(f"Expected {_SIZES[which_set]} examples, got {X.shape[0]}")
        if start is not None or stop is not None:
            if not (isinstance(start, int) and isinstance(stop, int) and 0 <= start < stop):
                raise ValueError(
                    f"`start` and `stop` must be ints with 0 <= start < stop, got {start}, {stop}"
                )
            if stop > X.shape[0]:
                raise ValueError(
                    f"stop must be less than the # of examples but stop is {stop} and "
                    f"there are {X.shape[0]} examples."
                )
            X = X[start:stop]
            y = None if y is None else y[start:stop]
        super().__init__(X=X, y=y, y_labels=None if y is None else 9)
        if preprocessor:
            preprocessor.apply(self, can_fit=fit_preprocessor)

    def adjust_for_viewer(self, X: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Pixel-like values scaled to [-1, 1], as pylearn2's viewer expects."""
        result: npt.NDArray[Any] = (X - 127.5) / 127.5
        return result

    def get_test_set(self) -> BlackBoxDataset:
        """The public test set, with this dataset's preprocessing arguments."""
        return BlackBoxDataset(**self.test_args)
