"""The training monitor: named channels, one value recorded per monitoring call.

Channel values over a dataset are Σ_b value_b · n_b / N over sequential batches b of
size n_b, as pylearn2 accumulates them, so ``misclass``, ``nll`` and ``objective`` are
exact dataset means.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from pylearn2_recipes._backend import pt, pytensor
from pylearn2_recipes.datasets.dataset import Dataset

if TYPE_CHECKING:
    from pylearn2_recipes.costs.cost import Cost
    from pylearn2_recipes.models.mlp import MLP

__all__ = ["Channel", "Monitor"]


class Channel:
    """One monitored quantity and its history.

    Attributes
    ----------
    name : str
    val_record : list of float
        One value per monitoring call (epoch 0 is the untrained model).
    epoch_record, batch_record, example_record : list of int
        Training progress at each value.
    time_record : list of float
        Seconds since the monitor was created.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.val_record: list[float] = []
        self.epoch_record: list[int] = []
        self.batch_record: list[int] = []
        self.example_record: list[int] = []
        self.time_record: list[float] = []

    def __repr__(self) -> str:
        return f"Channel({self.name!r}, {len(self.val_record)} values)"


class Monitor:
    """Counts training progress and records channels; pylearn2's ``model.monitor``.

    ``monitor()`` evaluates every channel once and appends the values;
    ``report_epoch()`` and ``report_batch(n)`` advance the counters.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> ann = MLP([Softmax(2, "output", irange=.1)], nvis=2)
    >>> ann.monitor.report_epoch(); ann.monitor.get_epochs_seen()
    1
    """

    def __init__(self, model: MLP) -> None:
        self.model = model
        self.channels: dict[str, Channel] = {}
        self._epochs_seen = 0
        self._batches_seen = 0
        self._examples_seen = 0
        self._scalars: dict[str, Callable[[], float]] = {}
        self._datasets: dict[str, Dataset] = {}
        self._batch_size = 1
        self._num_batches: int | None = None
        self._function: Callable[..., list[Any]] | None = None
        self._symbolic_names: list[str] = []
        self._start = time.perf_counter()

    @staticmethod
    def get_monitor(model: MLP) -> Monitor:
        """The model's monitor."""
        return model.monitor

    def get_epochs_seen(self) -> int:
        """Training epochs reported so far."""
        return self._epochs_seen

    def get_batches_seen(self) -> int:
        """Training batches reported so far."""
        return self._batches_seen

    def get_examples_seen(self) -> int:
        """Training examples reported so far."""
        return self._examples_seen

    def report_epoch(self) -> None:
        """Count one finished training epoch."""
        self._epochs_seen += 1

    def report_batch(self, num_examples: int) -> None:
        """Count one training batch of ``num_examples`` examples."""
        self._batches_seen += 1
        self._examples_seen += num_examples

    def add_channel(self, name: str, value: Callable[[], float]) -> None:
        """Record ``value()`` under ``name`` at every monitoring call.

        For dataset-independent scalars such as ``learning_rate`` and ``momentum``.
        """
        self._scalars[name] = value
        self.channels.setdefault(name, Channel(name))

    def setup(
        self,
        dataset: Dataset | Mapping[str, Dataset],
        cost: Cost,
        batch_size: int,
        mode: Any = None,
        num_batches: int | None = None,
    ) -> None:
        """Compile the channels of ``cost`` and the model's layers over ``dataset``.

        A single dataset gives unprefixed names (``output_misclass``); a dict gives
        ``<key>_`` prefixes (``valid_output_misclass``), as in pylearn2.

        Raises
        ------
        ValueError
            If a monitoring dataset has no targets.
        """
        self.setup_datasets(dataset, batch_size, num_batches)
        floatX = pytensor.config.floatX
        X = pt.matrix("features", dtype=floatX)
        Y = pt.matrix("targets", dtype=floatX)
        names, outputs = self.symbolic_channels(cost, X, Y)
        function = pytensor.function([X, Y], outputs, mode=mode, on_unused_input="ignore")
        function.trust_input = True
        self.use_function(names, function)

    def symbolic_channels(self, cost: Cost, X: Any, Y: Any) -> tuple[list[str], list[Any]]:
        """Names of the symbolic channels and the outputs to compute per batch.

        The outputs are the channels' values followed by every layer's state, from which
        the per-batch ``*_x_*_u`` and ``*_max_class`` statistics are taken.
        """
        model = self.model
        states = model.fprop(X, return_all=True)
        below = states[-2] if len(states) > 1 else X
        symbolic = {"objective": cost.expr(model, (X, Y))}
        for name, variable in model.output_layer.target_channels(Y, below).items():
            symbolic[f"{model.output_layer.layer_name}_{name}"] = variable
        return list(symbolic), [*symbolic.values(), *states]

    def use_function(self, names: list[str], function: Callable[..., list[Any]]) -> None:
        """Evaluate the channels ``names`` with ``function(X, Y)`` (see ``symbolic_channels``).

        ``SGD.setup`` hands the monitor its own compiled training function here, run
        with its updates switched off, so one graph serves training and monitoring.
        """
        self._symbolic_names = names
        self._function = function
        self.ensure_channels()

    def setup_datasets(
        self,
        dataset: Dataset | Mapping[str, Dataset],
        batch_size: int,
        num_batches: int | None = None,
    ) -> None:
        """Record the monitoring datasets (checked to have targets) and batch size.

        ``num_batches`` limits each evaluation to the first batches (pylearn2's
        ``monitoring_batches``); the values are then means over those examples.
        """
        self._num_batches = num_batches
        datasets = {"": dataset} if isinstance(dataset, Dataset) else dict(dataset)
        for key, member in datasets.items():
            if member.get_onehot_targets() is None:
                raise ValueError(f"monitoring dataset {key or '(unnamed)'!r} has no targets")
            self.model.check_targets(
                member, f"monitoring dataset {key!r}" if key else "the monitoring dataset"
            )
        self._datasets = {(f"{key}_" if key else ""): member for key, member in datasets.items()}
        self._batch_size = batch_size

    def ensure_channels(self) -> None:
        """Create the (empty) channels of every monitoring dataset."""
        for prefix in self._datasets:
            for name in self._dataset_channel_names():
                self.channels.setdefault(prefix + name, Channel(prefix + name))

    def _dataset_channel_names(self) -> list[str]:
        names = list(self._symbolic_names)
        for layer in self.model.layers:
            probe_state = np.zeros((1, layer.dim))
            keys = [*layer.param_channels(), *layer.state_channels(probe_state)]
            names.extend(f"{layer.layer_name}_{key}" for key in keys)
        return names

    def __call__(self) -> None:
        """Evaluate every channel on the current model and append the values."""
        values: dict[str, float] = {name: float(fn()) for name, fn in self._scalars.items()}
        for prefix, dataset in self._datasets.items():
            for name, value in self._evaluate(dataset).items():
                values[prefix + name] = value
        elapsed = time.perf_counter() - self._start
        for name, value in values.items():
            channel = self.channels.setdefault(name, Channel(name))
            channel.val_record.append(value)
            channel.epoch_record.append(self._epochs_seen)
            channel.batch_record.append(self._batches_seen)
            channel.example_record.append(self._examples_seen)
            channel.time_record.append(elapsed)

    def _evaluate(self, dataset: Dataset) -> dict[str, float]:
        assert self._function is not None
        targets = dataset.get_onehot_targets()
        assert targets is not None
        # The compiled function trusts its inputs: hand it floatX, C-ordered arrays.
        floatX = pytensor.config.floatX
        X = np.ascontiguousarray(dataset.get_design_matrix(), dtype=floatX)
        Y = np.ascontiguousarray(targets, dtype=floatX)
        total = X.shape[0]
        if self._num_batches is not None:
            total = min(total, self._num_batches * self._batch_size)
        sums: dict[str, float] = {}
        layers = self.model.layers
        for start in range(0, total, self._batch_size):
            stop = min(start + self._batch_size, total)
            outputs = self._function(X[start:stop], Y[start:stop])
            weight = (stop - start) / total
            batch: dict[str, float] = dict(
                zip(self._symbolic_names, (float(v) for v in outputs), strict=False)
            )
            for layer, state in zip(layers, outputs[len(self._symbolic_names) :], strict=True):
                for key, value in layer.state_channels(state).items():
                    batch[f"{layer.layer_name}_{key}"] = value
            for name, value in batch.items():
                sums[name] = sums.get(name, 0.0) + value * weight
        for layer in layers:
            for key, value in layer.param_channels().items():
                sums[f"{layer.layer_name}_{key}"] = value
        return sums

    def latest_values(self) -> dict[str, float]:
        """The latest value of every channel that has one."""
        return {name: ch.val_record[-1] for name, ch in self.channels.items() if ch.val_record}
