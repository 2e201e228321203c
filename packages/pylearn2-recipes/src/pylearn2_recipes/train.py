"""The training loop: ``Train(dataset, model, algorithm, extensions).main_loop()``."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pylearn2_recipes.train_extensions.interface import TrainExtension
from pylearn2_recipes.train_extensions.progress import ProgressBar
from pylearn2_recipes.utils import serial

if TYPE_CHECKING:
    from pylearn2_recipes.datasets.dataset import Dataset
    from pylearn2_recipes.models.mlp import MLP
    from pylearn2_recipes.training_algorithms.sgd import SGD

__all__ = ["Train"]


class Train:
    """Run an experiment exactly in pylearn2's order.

    ``main_loop``: algorithm setup, extensions' ``setup``, the model's norm
    constraints enforced; monitor the untrained model
    (epoch 0) and call every ``on_monitor``; then while the algorithm and every
    extension want to continue: one epoch, ``report_epoch``, monitor, ``on_monitor``,
    periodic save. A final save follows when ``save_freq > 0``.

    Parameters
    ----------
    dataset : Dataset
    model : MLP
    algorithm : SGD
    save_path : str, optional
        Where to save the model (safe format) every ``save_freq`` epochs.
    save_freq : int, default=0
    extensions : sequence of TrainExtension, optional

    Raises
    ------
    ValueError
        If ``save_freq > 0`` without a ``save_path``.

    Examples
    --------
    >>> import numpy as np
    >>> from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> from pylearn2_recipes.termination_criteria import EpochCounter
    >>> from pylearn2_recipes.training_algorithms.sgd import SGD
    >>> ds = DenseDesignMatrix(X=np.eye(2), y=[0, 1], y_labels=2)
    >>> train = Train(ds, MLP([Softmax(2, "output", irange=.1)], nvis=2),
    ...               SGD(.1, batch_size=2, termination_criterion=EpochCounter(3)))
    >>> train.main_loop(); train.model.monitor.get_epochs_seen()
    3
    """

    def __init__(
        self,
        dataset: Dataset,
        model: MLP,
        algorithm: SGD,
        save_path: str | os.PathLike[str] | None = None,
        save_freq: int = 0,
        extensions: Sequence[TrainExtension] | None = None,
    ) -> None:
        if save_freq and save_path is None:
            raise ValueError("`save_freq` > 0 needs a `save_path`")
        for index, extension in enumerate(extensions or ()):
            if not isinstance(extension, TrainExtension):
                raise TypeError(f"`extensions[{index}]` is not a TrainExtension: {extension!r}")
        self.dataset = dataset
        self.model = model
        self.algorithm = algorithm
        self.save_path = None if save_path is None else os.fspath(save_path)
        self.save_freq = save_freq
        self.extensions = list(extensions or ())
        self._seconds_this_epoch = 0.0
        self._last_epoch_end = time.perf_counter()

    def setup(self) -> None:
        """Set up the algorithm, then every extension; enforce the model's constraints."""
        for extension in self.extensions:
            if isinstance(extension, ProgressBar):
                extension.announce_compile()
        self.algorithm.setup(self.model, self.dataset)
        for extension in self.extensions:
            extension.setup(self.model, self.dataset, self.algorithm)
        self.model.enforce_constraints()
        if self.algorithm.monitoring_dataset is not None:
            monitor = self.model.monitor
            monitor.add_channel("training_seconds_this_epoch", lambda: self._seconds_this_epoch)
            monitor.add_channel(
                "total_seconds_last_epoch", lambda: time.perf_counter() - self._last_epoch_end
            )

    def run_callbacks_and_monitoring(self) -> bool:
        """Monitor, then call every extension's ``on_monitor``; False if one stopped.

        An extension that raises StopIteration does not keep the later ones from
        seeing this monitoring call (as in pylearn2).
        """
        self.model.monitor()
        self._last_epoch_end = time.perf_counter()
        going = True
        for extension in self.extensions:
            try:
                extension.on_monitor(self.model, self.dataset, self.algorithm)
            except StopIteration:
                going = False
        return going

    def _continue(self) -> bool:
        wanted = self.algorithm.continue_learning(self.model)
        return all([wanted, *(ext.continue_learning(self.model) for ext in self.extensions)])

    def main_loop(self) -> None:
        """Train until the algorithm or an extension says stop."""
        self.setup()
        try:
            extensions_going = self.run_callbacks_and_monitoring()
            going = self._continue() and extensions_going
            while going:
                started = time.perf_counter()
                self.algorithm.train(self.dataset)
                self._seconds_this_epoch = time.perf_counter() - started
                self.model.monitor.report_epoch()
                extensions_going = self.run_callbacks_and_monitoring()
                epochs = self.model.monitor.get_epochs_seen()
                if self.save_freq > 0 and epochs % self.save_freq == 0:
                    self.save()
                going = self._continue() and extensions_going
            if self.save_freq > 0:
                self.save()
        finally:
            for extension in self.extensions:
                if isinstance(extension, ProgressBar):
                    extension.close()

    def save(self) -> None:
        """Call the extensions' ``on_save`` and write the model to ``save_path``."""
        for extension in self.extensions:
            extension.on_save(self.model, self.dataset, self.algorithm)
        if self.save_path is not None:
            serial.save(self.save_path, self.model, on_overwrite="backup")
