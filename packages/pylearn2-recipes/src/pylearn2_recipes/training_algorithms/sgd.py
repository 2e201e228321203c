"""Stochastic gradient descent and its per-epoch learning-rate schedule.

One epoch visits every example once in minibatches of ``batch_size`` (the last,
partial batch is kept), in a fresh permutation drawn from the algorithm's own
``RandomState`` (seed ``[2012, 10, 5]`` by default, as pylearn2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pylearn2_recipes._backend import Shared, SharedVariable, Symbolic, pt, pytensor
from pylearn2_recipes.exceptions import NonFiniteError
from pylearn2_recipes.train_extensions.interface import TrainExtension
from pylearn2_recipes.training_algorithms.learning_rule import LearningRule, Momentum

if TYPE_CHECKING:
    from pylearn2_recipes.costs.cost import Cost
    from pylearn2_recipes.datasets.dataset import Dataset
    from pylearn2_recipes.models.mlp import MLP
    from pylearn2_recipes.monitor import Monitor
    from pylearn2_recipes.termination_criteria.interface import TerminationCriterion

__all__ = ["SGD", "ExponentialDecay", "LinearDecayOverEpoch", "MonitorBasedLRAdjuster"]

DEFAULT_SEED = (2012, 10, 5)


def _check_finite(model: MLP, when: str) -> None:
    for param in model.get_params():
        if not np.all(np.isfinite(param.get_value(borrow=True))):
            raise NonFiniteError(f"NaN or Inf in parameter {param.name!r} {when}")


class SGD:
    """Minibatch stochastic gradient descent; pylearn2's ``sgd.SGD``.

    Parameters
    ----------
    learning_rate : float
        Initial learning rate, held in the shared variable ``self.learning_rate`` that
        schedules change.
    cost : Cost, optional
        Defaults to the model's ``get_default_cost()``.
    batch_size : int, optional
        Required unless the model forces one.
    monitoring_batch_size : int, optional
        Batch size of the monitor (defaults to ``batch_size``).
    monitoring_batches : int, optional
        Monitor only the first this many batches of each monitoring dataset.
    monitoring_dataset : Dataset or dict of str to Dataset, optional
        Data the monitor evaluates channels on after every epoch.
    termination_criterion : TerminationCriterion, optional
        No criterion means ``continue_learning`` is always True.
    update_callbacks : sequence of callable, optional
        Each is called with the algorithm after every batch (e.g. ``ExponentialDecay``).
    learning_rule : LearningRule, optional
        E.g. ``Momentum(.5)``; plain ``p − lr·g`` without.
    train_iteration_mode : {"shuffled_sequential", "sequential"}
    theano_function_mode : str or pytensor Mode, optional
        PyTensor compilation mode (default: PyTensor's, the Numba backend).
    seed : int or sequence of int, default=[2012, 10, 5]
        Seed of the shuffling ``RandomState``.

    Raises
    ------
    ValueError
        For a non-positive learning rate or batch size, or an unknown iteration mode.

    Examples
    --------
    >>> from pylearn2_recipes.termination_criteria import EpochCounter
    >>> trainer = SGD(learning_rate=.05, batch_size=10,
    ...               termination_criterion=EpochCounter(400))
    >>> float(trainer.learning_rate.get_value())
    0.05
    """

    def __init__(
        self,
        learning_rate: float,
        cost: Cost | None = None,
        batch_size: int | None = None,
        monitoring_batch_size: int | None = None,
        monitoring_batches: int | None = None,
        monitoring_dataset: Dataset | Mapping[str, Dataset] | None = None,
        termination_criterion: TerminationCriterion | None = None,
        update_callbacks: Sequence[Callable[[SGD], Any]] | Callable[[SGD], Any] | None = None,
        learning_rule: LearningRule | None = None,
        train_iteration_mode: Literal["shuffled_sequential", "sequential"] = "shuffled_sequential",
        theano_function_mode: Any = None,
        seed: int | Sequence[int] | None = DEFAULT_SEED,
    ) -> None:
        if (
            isinstance(learning_rate, bool)
            or not isinstance(learning_rate, (int, float))
            or not (learning_rate > 0)
        ):
            raise ValueError(f"`learning_rate` must be a positive number, got {learning_rate!r}")
        for key, value in (
            ("batch_size", batch_size),
            ("monitoring_batch_size", monitoring_batch_size),
            ("monitoring_batches", monitoring_batches),
        ):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"`{key}` must be a positive int, got {value!r}")
        if train_iteration_mode not in ("shuffled_sequential", "sequential"):
            raise ValueError(
                "`train_iteration_mode` must be 'shuffled_sequential' or 'sequential', "
                f"got {train_iteration_mode!r}"
            )
        if learning_rule is not None and not isinstance(learning_rule, LearningRule):
            raise TypeError(f"`learning_rule` must be a LearningRule, got {learning_rule!r}")
        self.learning_rate: Shared = pytensor.shared(
            np.asarray(learning_rate, dtype=pytensor.config.floatX), name="learning_rate"
        )
        self.cost = cost
        self.batch_size = batch_size
        self.monitoring_batch_size = monitoring_batch_size
        self.monitoring_batches = monitoring_batches
        self.monitoring_dataset = monitoring_dataset
        self.termination_criterion = termination_criterion
        self.learning_rule = learning_rule
        # pylearn2 also takes one callback on its own.
        if callable(update_callbacks):
            update_callbacks = [update_callbacks]
        self.update_callbacks = list(update_callbacks or ())
        self.train_iteration_mode = train_iteration_mode
        self.theano_function_mode = theano_function_mode
        self.seed = list(DEFAULT_SEED if seed is None else np.atleast_1d(seed).tolist())
        self.rng = np.random.RandomState(self.seed)
        self.model: MLP | None = None
        self.monitor: Monitor | None = None
        self.sgd_update: Callable[..., Any] | None = None

    def setup(self, model: MLP, dataset: Dataset) -> None:
        """Compile the update function for ``model`` and set up its monitor.

        Raises
        ------
        NonFiniteError
            If a parameter is already NaN or infinite.
        ValueError
            If no batch size is known or the model disagrees with it.
        """
        if model.force_batch_size is not None:
            if self.batch_size is not None and self.batch_size != model.force_batch_size:
                raise ValueError(
                    f"`batch_size` {self.batch_size} differs from the model's batch_size "
                    f"{model.force_batch_size}"
                )
            self.batch_size = model.force_batch_size
        if self.batch_size is None:
            raise ValueError("SGD needs `batch_size` (or a model with `batch_size`)")
        _check_finite(model, "before training")
        model.check_targets(dataset, "the training dataset")
        self.model = model
        cost = self.cost if self.cost is not None else model.get_default_cost()
        self.cost = cost
        floatX = pytensor.config.floatX
        X = pt.matrix("features", dtype=floatX)
        Y = pt.matrix("targets", dtype=floatX)
        grads = cost.get_gradients(model, (X, Y))
        lr_scalers = model.get_lr_scalers()
        updates: dict[Shared, Symbolic]
        # Plain SGD runs as momentum 0, which is bit for bit `p - lr·g` (0·v is 0 and
        # p + (−s) is p − s in IEEE arithmetic) and compiles to the same graph as
        # momentum training, so a first run JIT-compiles one graph for both.
        rule = self.learning_rule if self.learning_rule is not None else Momentum(0.0)
        updates = rule.get_updates(self.learning_rate, grads, lr_scalers)
        model.modify_updates(updates)
        function = pytensor.function(
            [X, Y],
            [],
            updates=list(updates.items()),
            mode=self.theano_function_mode,
            on_unused_input="ignore",
        )
        function.trust_input = True
        self.sgd_update = function
        self.monitor = model.monitor
        if self.monitoring_dataset is not None:
            # A separate graph: folding the channels into the training function (run
            # with its updates switched off to monitor) saved little compile time and
            # made every training step about 40 % slower.
            self.monitor.setup(
                self.monitoring_dataset,
                cost,
                self.monitoring_batch_size or self.batch_size,
                mode=self.theano_function_mode,
                num_batches=self.monitoring_batches,
            )
            self.monitor.add_channel(
                "learning_rate", lambda: float(self.learning_rate.get_value())
            )
            if self.learning_rule is not None:
                self.learning_rule.add_channels_to_monitor(self.monitor)

    def train(self, dataset: Dataset) -> None:
        """Run one epoch over ``dataset``.

        Raises
        ------
        RuntimeError
            If ``setup`` was not called.
        NonFiniteError
            If a parameter is NaN or infinite before or after the epoch.
        ValueError
            If ``dataset`` has no targets or the wrong number of features.
        """
        if self.sgd_update is None or self.model is None or self.batch_size is None:
            raise RuntimeError("call SGD.setup(model, dataset) before SGD.train(dataset)")
        model = self.model
        _check_finite(model, "before the epoch")
        Y = dataset.get_onehot_targets()
        if Y is None:
            raise ValueError("SGD needs a dataset with targets")
        # The update function trusts its inputs: hand it floatX, C-ordered arrays.
        floatX = pytensor.config.floatX
        X = np.ascontiguousarray(dataset.get_design_matrix(), dtype=floatX)
        Y = np.ascontiguousarray(Y, dtype=floatX)
        if X.shape[1] != model.nvis:
            raise ValueError(
                f"dataset has {X.shape[1]} features but the model has nvis={model.nvis}"
            )
        if self.train_iteration_mode == "shuffled_sequential":
            order = np.arange(X.shape[0])
            self.rng.shuffle(order)
            X, Y = X[order], Y[order]
        update = self.sgd_update
        monitor = model.monitor
        size = self.batch_size
        callbacks = self.update_callbacks
        for start in range(0, X.shape[0], size):
            update(X[start : start + size], Y[start : start + size])
            monitor.report_batch(min(size, X.shape[0] - start))
            for callback in callbacks:
                callback(self)
        _check_finite(model, "after the epoch")

    def continue_learning(self, model: MLP) -> bool:
        """Ask the termination criterion (True when there is none)."""
        if self.termination_criterion is None:
            return True
        return self.termination_criterion.continue_learning(model)


class LinearDecayOverEpoch(TrainExtension):
    """Decay the learning rate linearly over epochs, pylearn2's ``sgd.LinearDecayOverEpoch``.

    With ``step = lr0·(1 − decay_factor)/(saturate − start + 1)`` and k ``on_monitor``
    calls: ``lr = lr0 − step·(k − start + 1)`` for ``start <= k < saturate``,
    ``lr0·decay_factor`` from ``saturate`` on, ``lr0`` before ``start``. For
    (1, 50, .1) and lr0 .05, epoch k trains with ``.05 − .0009·k`` then ``.005``.

    Parameters
    ----------
    start : int
        >= 0.
    saturate : int
        > start.
    decay_factor : float
        Final learning rate as a fraction of the initial one.

    Examples
    --------
    >>> round(LinearDecayOverEpoch(1, 50, .1).lr_for(1, 0.05), 6)
    0.0491
    """

    def __init__(self, start: int, saturate: int, decay_factor: float) -> None:
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValueError(f"`start` must be an int >= 0, got {start!r}")
        if isinstance(saturate, bool) or not isinstance(saturate, int) or saturate <= start:
            raise ValueError(f"`saturate` must be an int > `start` ({start}), got {saturate!r}")
        if (
            isinstance(decay_factor, bool)
            or not isinstance(decay_factor, (int, float))
            or not (decay_factor > 0)
        ):
            raise ValueError(f"`decay_factor` must be a positive float, got {decay_factor!r}")
        self.start = start
        self.saturate = saturate
        self.decay_factor = float(decay_factor)
        self._count = 0
        self._init_lr: float | None = None

    def setup(self, model: MLP, dataset: Dataset, algorithm: Any) -> None:
        """Start counting from the epochs already seen and apply the schedule."""
        self._count = model.monitor.get_epochs_seen()
        self._apply(algorithm)

    def lr_for(self, count: int, init_lr: float) -> float:
        """Learning rate after ``count`` ``on_monitor`` calls from ``init_lr``."""
        step = init_lr * (1.0 - self.decay_factor) / (self.saturate - self.start + 1)
        if count >= self.saturate:
            return init_lr * self.decay_factor
        if count >= self.start:
            return init_lr - step * (count - self.start + 1)
        return init_lr

    def on_monitor(self, model: MLP, dataset: Dataset, algorithm: Any) -> None:
        """Advance the count and set the algorithm's learning rate."""
        self._count += 1
        self._apply(algorithm)

    def _apply(self, algorithm: Any) -> None:
        learning_rate = getattr(algorithm, "learning_rate", None)
        if not isinstance(learning_rate, SharedVariable):
            raise TypeError(
                "LinearDecayOverEpoch needs an algorithm with a shared `learning_rate`"
            )
        if self._init_lr is None:
            self._init_lr = float(learning_rate.get_value())
        learning_rate.set_value(
            np.asarray(self.lr_for(self._count, self._init_lr), dtype=pytensor.config.floatX)
        )


class ExponentialDecay:
    """Per-batch schedule ``lr = lr0 / decay_factor**k`` (k batches), floored at ``min_lr``.

    An ``update_callbacks`` entry of ``SGD``, as pylearn2's ``sgd.ExponentialDecay``.

    Parameters
    ----------
    decay_factor : float
        > 1 for a decreasing rate.
    min_lr : float
        Once reached, the rate stays there.

    Examples
    --------
    >>> trainer = SGD(learning_rate=0.1, batch_size=10)
    >>> decay = ExponentialDecay(decay_factor=2.0, min_lr=0.01)
    >>> decay(trainer); decay(trainer); round(float(trainer.learning_rate.get_value()), 6)
    0.025
    """

    def __init__(self, decay_factor: float, min_lr: float) -> None:
        if isinstance(decay_factor, bool) or not isinstance(decay_factor, (int, float)):
            raise TypeError(f"`decay_factor` must be a number, got {decay_factor!r}")
        if isinstance(min_lr, bool) or not isinstance(min_lr, (int, float)):
            raise TypeError(f"`min_lr` must be a number, got {min_lr!r}")
        self.decay_factor = float(decay_factor)
        self.min_lr = float(min_lr)
        self._count = 0
        self._base_lr = 0.0
        self._min_reached = False

    def __call__(self, algorithm: SGD) -> None:
        """Set the learning rate for the next batch."""
        if self._count == 0:
            self._base_lr = float(algorithm.learning_rate.get_value())
        self._count += 1
        if not self._min_reached:
            # Stop exponentiating once at the floor: decay_factor**k would overflow.
            new_lr = self._base_lr / (self.decay_factor**self._count)
            if new_lr <= self.min_lr:
                self._min_reached = True
                new_lr = self.min_lr
        else:
            new_lr = self.min_lr
        algorithm.learning_rate.set_value(np.asarray(new_lr, dtype=pytensor.config.floatX))


class MonitorBasedLRAdjuster(TrainExtension):
    """Scale the learning rate by how the monitored objective moved, pylearn2's extension.

    After each epoch: if the channel rose above ``high_trigger`` times its previous
    value, the rate is multiplied by ``shrink_amt``; else if it is above
    ``low_trigger`` times the previous value (too slow a decrease), by ``grow_amt``.
    The rate stays within [``min_lr``, ``max_lr``].

    Parameters
    ----------
    high_trigger, shrink_amt, low_trigger, grow_amt : float
    min_lr, max_lr : float
    dataset_name : str, optional
        Use the channel ``<dataset_name>_objective``.
    channel_name : str, optional
        Use this channel; by default the only channel ending in ``objective``.

    Raises
    ------
    ValueError
        From ``on_monitor`` if the channel is missing or ambiguous.

    Examples
    --------
    >>> MonitorBasedLRAdjuster(dataset_name="valid").channel_name
    'valid_objective'
    """

    def __init__(
        self,
        high_trigger: float = 1.0,
        shrink_amt: float = 0.99,
        low_trigger: float = 0.99,
        grow_amt: float = 1.01,
        min_lr: float = 1e-7,
        max_lr: float = 1.0,
        dataset_name: str | None = None,
        channel_name: str | None = None,
    ) -> None:
        self.high_trigger = high_trigger
        self.shrink_amt = shrink_amt
        self.low_trigger = low_trigger
        self.grow_amt = grow_amt
        self.min_lr = min_lr
        self.max_lr = max_lr
        self.dataset_name = dataset_name
        if channel_name is not None:
            self.channel_name: str | None = channel_name
        elif dataset_name is not None:
            self.channel_name = f"{dataset_name}_objective"
        else:
            self.channel_name = None

    def on_monitor(self, model: MLP, dataset: Dataset, algorithm: Any) -> None:
        """Adjust ``algorithm.learning_rate`` from the channel's last two values."""
        channels = model.monitor.channels
        if self.channel_name is None:
            names = [name for name in channels if name.endswith("objective")]
            if len(names) != 1:
                raise ValueError(
                    "MonitorBasedLRAdjuster: "
                    + ("no" if not names else "several")
                    + " monitoring channels end with 'objective' "
                    f"({names}); give `channel_name` or `dataset_name`"
                )
            self.channel_name = names[0]
        if self.channel_name not in channels:
            raise ValueError(
                f"There is no monitoring channel named {self.channel_name!r}; give a valid "
                "`channel_name` or `dataset_name` to MonitorBasedLRAdjuster"
            )
        values = channels[self.channel_name].val_record
        if len(values) < 2:
            return
        rate = float(algorithm.learning_rate.get_value())
        if values[-1] > self.high_trigger * values[-2]:
            rate *= self.shrink_amt
        elif values[-1] > self.low_trigger * values[-2]:
            rate *= self.grow_amt
        rate = min(self.max_lr, max(self.min_lr, rate))
        algorithm.learning_rate.set_value(np.asarray(rate, dtype=pytensor.config.floatX))
