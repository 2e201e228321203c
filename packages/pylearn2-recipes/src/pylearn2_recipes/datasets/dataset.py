"""The interface a training algorithm and the monitor need from a dataset."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import numpy.typing as npt

__all__ = ["Dataset"]


class Dataset(ABC):
    """A finite set of examples with features and, optionally, targets.

    Subclasses provide the whole design matrix and the one-hot targets; batching and
    shuffling belong to the training algorithm, as in pylearn2's iterators.
    """

    @abstractmethod
    def get_num_examples(self) -> int:
        """Number of examples (rows)."""

    @abstractmethod
    def get_design_matrix(self) -> npt.NDArray[np.floating]:
        """Features as an array of shape (n_examples, n_features)."""

    @abstractmethod
    def get_onehot_targets(self) -> npt.NDArray[np.floating] | None:
        """Targets as a float array of shape (n_examples, n_outputs), or None."""
