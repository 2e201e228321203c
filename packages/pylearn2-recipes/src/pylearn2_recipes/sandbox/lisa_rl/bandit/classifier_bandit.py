"""A contextual bandit made of a classification dataset: reward 1 for the right class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pylearn2_recipes.sandbox.lisa_rl.bandit.environment import Environment

__all__ = ["ClassifierBandit"]


class ClassifierBandit(Environment):
    """Contexts are random batches of ``dataset``; arm k pays 1 if k is the label.

    Examples
    --------
    >>> from pylearn2_recipes.datasets import DenseDesignMatrix
    >>> ds = DenseDesignMatrix(X=np.eye(4), y=[0, 1, 0, 1], y_labels=2)
    >>> bandit = ClassifierBandit(ds, batch_size=2)
    >>> bandit.get_context_func()().shape
    (2, 4)
    """

    def __init__(self, dataset: Any, batch_size: int) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.y_cache: Any = None

    def get_context_func(self) -> Callable[[], Any]:
        """A random batch of features; its one-hot labels are kept for the rewards."""

        def context() -> Any:
            X, y = self.dataset.get_batch_design(self.batch_size, include_labels=True)
            labels = getattr(self.dataset, "y_labels", None)
            if labels is not None:  # integer labels: the arms are one-hot codes
                y = np.eye(labels)[np.asarray(y).reshape(-1).astype(np.int64)]
            self.y_cache = np.asarray(y, dtype=np.float64)
            return np.ascontiguousarray(X, dtype=np.float64)

        return context

    def get_action_func(self) -> Callable[[Any], Any]:
        """Per-example reward of one-hot actions for the last contexts."""
        return lambda actions: (actions * self.y_cache).sum(axis=1)
