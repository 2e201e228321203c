"""The base of training algorithms, as pylearn2's ``training_algorithms.training_algorithm``.

``Train`` drives an algorithm through ``setup(model, dataset)``, then ``train(dataset)``
once per epoch while ``continue_learning(model)`` says so. Subclass
``TrainingAlgorithm`` to write your own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pylearn2_recipes.datasets.dataset import Dataset
from pylearn2_recipes.exceptions import InvalidArgumentError

__all__ = ["NoBatchSizeError", "TrainingAlgorithm"]


class NoBatchSizeError(ValueError):
    """Neither the training algorithm nor the model says what the batch size is."""

    def __init__(self) -> None:
        super().__init__(
            "Neither the TrainingAlgorithm nor the model were given a specification of the "
            "batch size."
        )


class TrainingAlgorithm:
    """Abstract training algorithm: ``setup``, ``train`` (one epoch), ``continue_learning``.

    Examples
    --------
    >>> TrainingAlgorithm().continue_learning(None)
    Traceback (most recent call last):
    ...
    NotImplementedError: <class '...TrainingAlgorithm'> does not implement continue_learning.
    """

    batch_size: int | None = None
    set_batch_size: bool = False
    monitoring_dataset: dict[str, Any] | None = None
    update_callbacks: list[Callable[..., Any]]

    def setup(self, model: Any, dataset: Any) -> None:
        """Prepare to train ``model`` on ``dataset`` (compile functions here)."""
        self.model = model

    def train(self, dataset: Any) -> None:
        """One epoch (or whatever unit of training the algorithm has)."""
        raise NotImplementedError(f"{type(self)} does not implement train.")

    def continue_learning(self, model: Any) -> bool:
        """Whether to train another epoch."""
        raise NotImplementedError(f"{type(self)} does not implement continue_learning.")

    def _register_update_callbacks(
        self, update_callbacks: Sequence[Callable[..., Any]] | Callable[..., Any] | None
    ) -> None:
        if update_callbacks is None:
            update_callbacks = []
        elif callable(update_callbacks):
            update_callbacks = [update_callbacks]
        self.update_callbacks = list(update_callbacks)

    @staticmethod
    def _check_monitoring_settings(monitoring_dataset: Any, settings_given: bool) -> None:
        """Monitoring settings need a monitoring dataset (pylearn2 asserted it).

        Raises
        ------
        InvalidArgumentError
            If settings are given without a dataset.
        """
        if monitoring_dataset is None and settings_given:
            raise InvalidArgumentError(
                "monitoring_batches and monitoring_batch_size need a monitoring_dataset"
            )

    def _set_monitoring_dataset(self, monitoring_dataset: Any) -> None:
        """Keep ``monitoring_dataset`` as a dict of named datasets (``''`` for a single one).

        Raises
        ------
        TypeError
            If an entry is not a dataset.
        """
        if monitoring_dataset is None:
            self.monitoring_dataset = None
            return
        if isinstance(monitoring_dataset, Mapping):
            named = dict(monitoring_dataset)
        else:
            named = {"": monitoring_dataset}
        for key, value in named.items():
            if not isinstance(key, str):
                raise TypeError(f"monitoring dataset names must be str, got {key!r}")
            if not isinstance(value, Dataset) and not hasattr(value, "iterator"):
                raise TypeError(
                    f"Monitoring dataset with name {key} is not a dataset, it is a {type(value)}"
                )
        self.monitoring_dataset = named

    def _synchronize_batch_size(self, model: Any) -> None:
        """Agree with the model's ``force_batch_size``.

        Raises
        ------
        ValueError
            If the two disagree and ``set_batch_size`` is False.
        NoBatchSizeError
            If neither says.
        """
        forced = getattr(model, "force_batch_size", None)
        if forced and forced > 0:
            if self.batch_size is None:
                self.batch_size = int(forced)
            elif self.batch_size != forced:
                if self.set_batch_size:
                    model.set_batch_size(self.batch_size)
                else:
                    raise ValueError(
                        f"batch_size argument to {type(self).__name__} ({self.batch_size}) "
                        f"conflicts with model's force_batch_size attribute ({forced})"
                    )
        if self.batch_size is None:
            raise NoBatchSizeError()
