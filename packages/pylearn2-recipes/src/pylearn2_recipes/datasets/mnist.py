"""The MNIST digits from the standard idx files, as pylearn2's ``datasets.mnist.MNIST``.

Files are read from ``${PYLEARN2_DATA_PATH}/mnist/``: ``train-images-idx3-ubyte`` and
``train-labels-idx1-ubyte`` (``which_set="train"``), ``t10k-images-idx3-ubyte`` and
``t10k-labels-idx1-ubyte`` (``"test"``). Pixels become floats in [0, 1] (value / 255),
flattened row by row into 784 features; labels are the integers 0..9 (``y_labels=10``).
"""

from __future__ import annotations

import os
import struct
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes import _budget
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix

__all__ = ["MNIST", "read_mnist_images", "read_mnist_labels"]

MNIST_IMAGE_MAGIC = 2051
MNIST_LABEL_MAGIC = 2049
_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _read_idx(path: str, magic: int, dims: int) -> npt.NDArray[np.uint8]:
    with open(path, "rb") as handle:
        header = handle.read(4 + 4 * dims)
        if len(header) != 4 + 4 * dims:
            raise ValueError(f"{path}: truncated idx header")
        found, *shape = struct.unpack(f">{1 + dims}i", header)
        if found != magic:
            raise ValueError(f"{path}: wrong magic number {found} (expected {magic})")
        if any(n < 0 for n in shape):
            raise ValueError(f"{path}: negative size in the idx header {tuple(shape)}")
        _budget.require(_budget.nbytes(shape, 1), f"{path}: idx data of shape {tuple(shape)}")
        size = int(np.prod(shape, dtype=np.int64))
        data = np.frombuffer(handle.read(size), dtype=np.uint8)
    if data.size != size:
        raise ValueError(f"{path}: holds {data.size} values, its header declares {tuple(shape)}")
    return data.reshape(shape)


def read_mnist_images(path: str, dtype: Any = None) -> npt.NDArray[Any]:
    """Images of an idx3 file as (n, rows, cols); a float dtype maps 0..255 to [0, 1].

    Raises
    ------
    ValueError
        For a wrong magic number or a file shorter than its header says.
    """
    images = _read_idx(path, MNIST_IMAGE_MAGIC, 3)
    if dtype is None:
        return images
    kind = np.dtype(dtype)
    if kind.kind == "b":
        return images >= 128
    return images.astype(kind) / 255.0


def read_mnist_labels(path: str) -> npt.NDArray[np.uint8]:
    """Labels of an idx1 file as a 1-D array."""
    return _read_idx(path, MNIST_LABEL_MAGIC, 1)


class MNIST(DenseDesignMatrix):
    """The MNIST training (60,000) or test (10,000) digits; pylearn2's ``MNIST``.

    Parameters
    ----------
    which_set : {"train", "test"}
    center : bool, default=False
        Subtract the mean image.
    shuffle : bool, default=False
        Shuffle examples with pylearn2's swap loop seeded ``[1, 2, 3]`` (same order).
    binarize : bool, default=False
        Pixels > 0.5 become 1, the others 0.
    start, stop : int, optional
        Keep examples ``start:stop`` (after shuffling), as pylearn2.
    axes : sequence, default=("b", 0, 1, "c")
        Accepted for pylearn2 configs; the design matrix is row-major either way.
    one_hot : bool, optional
        Older pylearn2 configs: ``y`` as one-hot rows instead of integer labels.
    preprocessor, fit_preprocessor, fit_test_preprocessor
        Accepted for pylearn2 configs; a preprocessor is not supported.

    Raises
    ------
    FileNotFoundError
        Naming the expected path when the idx files are absent.
    ValueError
        For a bad ``which_set``, ``start``/``stop``, or a malformed file.

    Examples
    --------
    >>> MNIST("valid")
    Traceback (most recent call last):
    ...
    ValueError: Unrecognized which_set value 'valid'. Valid values are ['train', 'test'].
    """

    def __init__(
        self,
        which_set: str,
        center: bool = False,
        shuffle: bool = False,
        binarize: bool = False,
        start: int | None = None,
        stop: int | None = None,
        axes: Any = ("b", 0, 1, "c"),
        preprocessor: Any = None,
        fit_preprocessor: bool = False,
        fit_test_preprocessor: bool = False,
        one_hot: bool | None = None,
    ) -> None:
        if which_set not in _FILES:
            raise ValueError(
                f"Unrecognized which_set value {which_set!r}. Valid values are ['train', 'test']."
            )
        if preprocessor is not None:
            raise ValueError("MNIST: `preprocessor` is not supported by pylearn2-recipes")
        root = os.environ.get("PYLEARN2_DATA_PATH")
        if not root:
            raise FileNotFoundError(
                "MNIST needs PYLEARN2_DATA_PATH: the idx files are read from "
                "${PYLEARN2_DATA_PATH}/mnist/ (train-images-idx3-ubyte, ...)"
            )
        image_name, label_name = _FILES[which_set]
        paths = [os.path.join(root, "mnist", name) for name in (image_name, label_name)]
        for path in paths:
            if not os.path.exists(path):
                raise FileNotFoundError(f"MNIST {which_set} set: no file {path}")
        # Work on the bytes and convert only the selected rows: 60,000 float64 images
        # would take 376 MB before start/stop pick the few a config asks for.
        images = read_mnist_images(paths[0])
        labels = read_mnist_labels(paths[1]).astype(np.int64)
        if images.shape[0] != labels.shape[0]:
            raise ValueError(
                f"MNIST: {images.shape[0]} images but {labels.shape[0]} labels in {root}/mnist"
            )
        count = images.shape[0]
        mean = None
        if center:  # pylearn2 centres over the whole set, before start/stop
            mean = images.mean(axis=0) / 255.0
            if binarize:
                mean = (images > 127.5).mean(axis=0)
        if shuffle:
            # pylearn2's loop, draw for draw: swap example i with a random j.
            rng = np.random.RandomState([1, 2, 3])
            images = images.copy()
            labels = labels.copy()
            for i in range(count):
                j = rng.randint(count)
                images[[i, j]] = images[[j, i]]
                labels[[i, j]] = labels[[j, i]]
        if start is not None:
            end = count if stop is None else stop
            if start < 0 or end > count or end <= start:
                raise ValueError(f"MNIST: start={start}, stop={stop} outside 0..{count}")
            images, labels = images[start:end], labels[start:end]
        pixels = images.astype(np.float64) / 255.0
        if binarize:
            pixels = (pixels > 0.5).astype(np.float64)
        if mean is not None:
            pixels -= mean
        self.which_set = which_set
        self.axes = tuple(axes)
        X = pixels.reshape(pixels.shape[0], -1)
        if one_hot:
            super().__init__(X=X, y=np.eye(10)[labels])
        else:
            super().__init__(X=X, y=labels.reshape(-1, 1), y_labels=10)
