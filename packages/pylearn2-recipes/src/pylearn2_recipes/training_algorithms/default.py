"""pylearn2's ``training_algorithms.default``: let the model train itself, batch by batch.

``DefaultTrainingAlgorithm`` has no update rule of its own: each ``train`` call asks
``model.train_batch(dataset, batch_size)`` for ``batches_per_iter`` batches (fewer if
the model returns False) and counts them on the model's monitor.
"""

from __future__ import annotations

from typing import Any

from pylearn2_recipes.monitor import Monitor
from pylearn2_recipes.training_algorithms.training_algorithm import TrainingAlgorithm
from pylearn2_recipes.utils.data_specs import DataSpecsMapping

__all__ = ["DefaultTrainingAlgorithm"]


class DefaultTrainingAlgorithm(TrainingAlgorithm):
    """Call ``model.train_batch`` on ``batches_per_iter`` minibatches per epoch.

    Parameters
    ----------
    batch_size : int, optional
        Default: the model's ``force_batch_size``.
    batches_per_iter : int, default=1000
        Batches per ``train`` call.
    monitoring_batch_size, monitoring_batches : int, optional
        Default: ``batch_size`` and ``batches_per_iter``.
    monitoring_dataset : Dataset or dict of Dataset, optional
        Monitored with the model's own channels (``model.get_monitoring_channels``).
    termination_criterion : TerminationCriterion, optional
        Consulted once the model has not asked to stop.
    set_batch_size : bool, default=False
        Set a model with another ``force_batch_size`` to ``batch_size``.

    Raises
    ------
    InvalidArgumentError
        For monitoring settings without a monitoring dataset.
    ValueError
        From ``train``, if ``model.train_batch`` returns something other than a bool.

    Examples
    --------
    >>> class Counter:
    ...     def __init__(self):
    ...         self.batches = 0
    ...     def train_batch(self, dataset, batch_size):
    ...         self.batches += 1
    ...         return self.batches < 3
    >>> algorithm = DefaultTrainingAlgorithm(batch_size=2, batches_per_iter=5)
    >>> model = Counter()
    >>> algorithm.setup(model, dataset=None)
    >>> algorithm.train(dataset=None)
    >>> model.batches, algorithm.continue_learning(model)
    (3, False)
    """

    def __init__(
        self,
        batch_size: int | None = None,
        batches_per_iter: int = 1000,
        monitoring_batch_size: int | None = None,
        monitoring_batches: int = -1,
        monitoring_dataset: Any = None,
        termination_criterion: Any = None,
        set_batch_size: bool = False,
    ) -> None:
        self._check_monitoring_settings(
            monitoring_dataset, monitoring_batches != -1 or monitoring_batch_size is not None
        )
        self.batch_size = batch_size
        self.batches_per_iter = batches_per_iter
        self.monitoring_batch_size = monitoring_batch_size
        self.monitoring_batches = monitoring_batches
        self.termination_criterion = termination_criterion
        self.set_batch_size = set_batch_size
        self._set_monitoring_dataset(monitoring_dataset)
        self.learn_more = True
        self.bSetup = False

    def setup(self, model: Any, dataset: Any) -> None:
        """Agree on the batch size and monitor the model's channels on the monitoring data."""
        self._synchronize_batch_size(model)
        self.model = model
        self.monitor = Monitor.get_monitor(model)
        if self.monitoring_dataset is not None:
            space, source = model.get_monitoring_data_specs()
            mapping = DataSpecsMapping((space, source))
            spaces = mapping.flatten(space, return_tuple=True)
            sources = mapping.flatten(source, return_tuple=True)
            flat = tuple(
                sub.make_theano_batch(name=f"monitor_{src}")
                for sub, src in zip(spaces, sources, strict=True)
            )
            nested = mapping.nest(flat)
            channels = model.get_monitoring_channels(nested)
            if not isinstance(channels, dict):
                raise TypeError(
                    "model.get_monitoring_channels must return a dictionary, but it "
                    f"returned {channels}"
                )
            for name, data in self.monitoring_dataset.items():
                prefix = f"{name}_" if name else ""
                if self.monitoring_batch_size is None and self.monitoring_batches == -1:
                    self.monitoring_batch_size = self.batch_size
                    self.monitoring_batches = self.batches_per_iter
                self.monitor.add_dataset(
                    dataset=data,
                    mode="sequential",
                    batch_size=self.monitoring_batch_size,
                    num_batches=self.monitoring_batches,
                )
                for channel, value in channels.items():
                    prereqs = None
                    if isinstance(value, tuple):
                        value, prereqs = value
                    self.monitor.add_channel(
                        name=prefix + channel,
                        ipt=nested,
                        val=value,
                        dataset=data,
                        prereqs=prereqs,
                        data_specs=(space, source),
                    )
        self.bSetup = True

    def train(self, dataset: Any) -> None:
        """Up to ``batches_per_iter`` calls of ``model.train_batch(dataset, batch_size)``."""
        if not self.bSetup:
            raise RuntimeError("DefaultTrainingAlgorithm.train called before setup")
        model = self.model
        assert self.batch_size is not None  # setup agreed on one
        learn_more: Any = True
        for _ in range(self.batches_per_iter):
            learn_more = model.train_batch(dataset, self.batch_size)
            Monitor.get_monitor(model).report_batch(self.batch_size)
            if not learn_more:
                break
        if learn_more not in (True, False):
            raise ValueError(
                f"The learn method of model {model} did not return a boolean value. "
                "Please update your model accordingly."
            )
        self.learn_more = bool(learn_more)

    def continue_learning(self, model: Any) -> bool:
        """False once the model asked to stop, else the termination criterion's answer."""
        if not self.learn_more:
            return False
        if self.termination_criterion is not None:
            return bool(self.termination_criterion.continue_learning(model))
        return True
