"""Stochastic gradient descent and its schedules; pylearn2's ``training_algorithms.sgd``.

One epoch visits the training set through ``dataset.iterator`` in the mode
``train_iteration_mode`` (default ``shuffled_sequential``: a fresh permutation per
epoch from the algorithm's own ``RandomState``, seed ``[2012, 10, 5]`` as pylearn2;
the last, partial batch is kept), serving the data the cost asks for
(``cost.get_data_specs(model)``) in the spaces it asks for.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pylearn2_recipes._backend import Shared, SharedVariable, Symbolic, default_mode, pt, pytensor
from pylearn2_recipes.exceptions import NonFiniteError
from pylearn2_recipes.monitor import Monitor
from pylearn2_recipes.space import CompositeSpace, NullSpace
from pylearn2_recipes.train_extensions.interface import TrainExtension
from pylearn2_recipes.training_algorithms._step import DirectStep, direct_step
from pylearn2_recipes.training_algorithms.learning_rule import LearningRule, Momentum
from pylearn2_recipes.training_algorithms.training_algorithm import TrainingAlgorithm
from pylearn2_recipes.utils.data_specs import DataSpecsMapping
from pylearn2_recipes.utils.iteration import (
    has_uniform_batch_size,
    is_stochastic,
    make_np_rng,
    resolve_iterator_class,
)

if TYPE_CHECKING:
    from pylearn2_recipes.costs.cost import Cost
    from pylearn2_recipes.datasets.dataset import Dataset
    from pylearn2_recipes.models.model import Model
    from pylearn2_recipes.termination_criteria.interface import TerminationCriterion

__all__ = [
    "SGD",
    "AnnealedLearningRate",
    "EpochMonitor",
    "ExponentialDecay",
    "LinearDecay",
    "LinearDecayOverEpoch",
    "MonitorBasedLRAdjuster",
    "PolyakAveraging",
]

DEFAULT_SEED = (2012, 10, 5)


def _check_finite(params: Sequence[Shared], when: str) -> None:
    for param in params:
        if not np.all(np.isfinite(param.get_value(borrow=True))):
            raise NonFiniteError(f"NaN or Inf in parameter {param.name!r} {when}")


def _train_in_runs(iterator: Any, step: DirectStep, monitor: Monitor) -> None:
    """Train on ``iterator.next_run()``'s runs of batches, each in one compiled loop.

    The batches, their order, the steps and the monitor's counts are those of the
    per-batch loop in ``SGD.train``; where the compiled loop does not fit the arrays,
    the same slices go through ``step`` one at a time.
    """
    progress = np.zeros(1, dtype=np.int64)
    compiled = True
    for arrays, starts, stops in iter(iterator.next_run, None):
        if compiled:
            try:
                compiled = step.run(arrays, starts, stops, progress)
            finally:  # count the batches run, also those before a failing one
                for size in (stops - starts)[: progress[0]].tolist():
                    monitor.report_batch(size)
            if compiled:
                continue
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            step(*[array[start:stop] for array in arrays])
            monitor.report_batch(stop - start)


def _positive_int(value: Any, key: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"`{key}` must be a positive int, got {value!r}")


class SGD(TrainingAlgorithm):
    """Minibatch stochastic gradient descent; pylearn2's ``sgd.SGD``.

    Parameters
    ----------
    learning_rate : float
        Initial learning rate, held in the shared variable ``self.learning_rate`` that
        schedules change.
    cost : Cost, optional
        Defaults to the model's ``get_default_cost()``.
    batch_size : int, optional
        Required unless the model forces one (``force_batch_size``).
    monitoring_batch_size, monitoring_batches : int, optional
        Batch size and number of batches of the monitor (default: ``batch_size`` and
        the whole monitoring set).
    monitoring_dataset : Dataset or dict of str to Dataset, optional
        Data the monitor evaluates channels on after every epoch.
    monitor_iteration_mode : str, default='sequential'
    termination_criterion : TerminationCriterion, optional
        No criterion means ``continue_learning`` is always True.
    update_callbacks : callable or sequence of callable, optional
        Each is called with the algorithm after every batch (e.g. ``ExponentialDecay``).
    learning_rule : LearningRule, optional
        E.g. ``Momentum(.5)``; plain ``p − lr·g`` without.
    set_batch_size : bool, default=False
        Tell a model with another ``force_batch_size`` to use ``batch_size``.
    train_iteration_mode : str, default='shuffled_sequential'
        Any of ``pylearn2_recipes.utils.iteration``'s modes.
    batches_per_iter : int, optional
        Batches per epoch (the whole set by default).
    theano_function_mode : str or pytensor Mode, optional
        PyTensor compilation mode (default: PyTensor's, the Numba backend).
    monitoring_costs : dict of str to Cost, optional
        More costs to monitor (channels ``<name>``), not trained on.
    seed : int or sequence of int, default=[2012, 10, 5]
        Seed of the ``RandomState`` of stochastic iteration modes.

    Raises
    ------
    ValueError
        For a non-positive learning rate or batch size, an unknown iteration mode, or
        monitoring sizes without a monitoring dataset.
    TypeError
        For a list of costs (use ``SumOfCosts``) or a learning rule that is not one.

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
        monitor_iteration_mode: str = "sequential",
        termination_criterion: TerminationCriterion | None = None,
        update_callbacks: Sequence[Callable[[SGD], Any]] | Callable[[SGD], Any] | None = None,
        learning_rule: LearningRule | None = None,
        set_batch_size: bool = False,
        train_iteration_mode: str | None = None,
        batches_per_iter: int | None = None,
        theano_function_mode: Any = None,
        monitoring_costs: Mapping[str, Cost] | None = None,
        seed: int | Sequence[int] | None = DEFAULT_SEED,
    ) -> None:
        if isinstance(cost, (list, tuple, set)):
            raise TypeError(
                "SGD no longer supports using collections of Costs to represent a sum of "
                "Costs. Use pylearn2.costs.cost.SumOfCosts instead."
            )
        if (
            isinstance(learning_rate, bool)
            or not isinstance(learning_rate, (int, float, np.floating))
            or not (learning_rate > 0)
        ):
            raise ValueError(f"`learning_rate` must be a positive number, got {learning_rate!r}")
        for key, value in (
            ("batch_size", batch_size),
            ("monitoring_batch_size", monitoring_batch_size),
            ("monitoring_batches", monitoring_batches),
            ("batches_per_iter", batches_per_iter),
        ):
            _positive_int(value, key)
        if monitoring_dataset is None:
            if monitoring_batch_size is not None:
                raise ValueError("Specified a monitoring batch size but not a monitoring dataset.")
            if monitoring_batches is not None:
                raise ValueError(
                    "Specified an amount of monitoring batches but not a monitoring dataset."
                )
        if train_iteration_mode is None:
            train_iteration_mode = "shuffled_sequential"
        # A random_uniform/random_slice mode without `batches_per_iter` fails in `train`
        # (its iterator needs a number of batches), as in pylearn2.
        resolve_iterator_class(train_iteration_mode)
        resolve_iterator_class(monitor_iteration_mode)
        if learning_rule is not None and not isinstance(learning_rule, LearningRule):
            raise TypeError(f"`learning_rule` must be a LearningRule, got {learning_rule!r}")
        self.learning_rule = learning_rule
        self.learning_rate: Shared = pytensor.shared(
            np.asarray(learning_rate, dtype=pytensor.config.floatX), name="learning_rate"
        )
        self.cost = cost
        self.batch_size = batch_size
        self.set_batch_size = bool(set_batch_size)
        self.batches_per_iter = batches_per_iter
        self._set_monitoring_dataset(monitoring_dataset)
        self.monitoring_batch_size = monitoring_batch_size
        self.monitoring_batches = monitoring_batches
        self.monitor_iteration_mode = monitor_iteration_mode
        self.termination_criterion = termination_criterion
        self._register_update_callbacks(update_callbacks)
        self.train_iteration_mode = train_iteration_mode
        self.first = True
        self.seed = list(DEFAULT_SEED if seed is None else np.atleast_1d(seed).tolist())
        self.rng = make_np_rng(self.seed)
        self.theano_function_mode = theano_function_mode
        self.monitoring_costs = monitoring_costs
        self.model: Model | None = None
        self.monitor: Monitor | None = None
        self.sgd_update: Callable[..., Any] | None = None
        self._step: Callable[..., Any] | None = None
        self.params: list[Shared] = []
        self.on_load_batch: list[Callable[..., Any]] = []

    def setup(self, model: Model, dataset: Dataset) -> None:
        """Compile the update function for ``model`` and set up its monitor.

        Raises
        ------
        NonFiniteError
            If a parameter is already NaN or infinite.
        ValueError
            If no batch size is known or the model disagrees with it, a forced batch
            size does not divide the data in a mode that keeps short batches, or the
            model's output does not fit the targets.
        TypeError
            If the cost's gradients are not a mapping of the model's parameters.
        """
        if self.cost is None:
            self.cost = model.get_default_cost()
        cost = self.cost
        _check_finite(model.get_params(), "before training")
        self.model = model
        self._synchronize_batch_size(model)
        assert self.batch_size is not None
        model._test_batch_size = self.batch_size
        self.monitor = Monitor.get_monitor(model)
        if getattr(model, "force_batch_size", None):
            uneven = dataset.get_num_examples() % self.batch_size != 0
            if uneven and not has_uniform_batch_size(self.train_iteration_mode):
                raise ValueError(
                    "Dataset size is not a multiple of batch size. You should set "
                    "train_iteration_mode (and maybe monitor_iteration_mode) to "
                    "even_sequential, even_shuffled_sequential or "
                    "even_batchwise_shuffled_sequential"
                )
            monitoring = (self.monitoring_dataset or {}).values()
            if any(d.get_num_examples() % self.batch_size for d in monitoring) and not (
                has_uniform_batch_size(self.monitor_iteration_mode)
            ):
                raise ValueError(
                    "Dataset size is not a multiple of batch size. You should set "
                    "monitor_iteration_mode to even_sequential, even_shuffled_sequential or "
                    "even_batchwise_shuffled_sequential"
                )
        check = getattr(model, "check_targets", None)
        if check is not None and cost.supervised:
            check(dataset, "the training dataset")
        data_specs = cost.get_data_specs(model)
        mapping = DataSpecsMapping(data_specs)
        spaces = mapping.flatten(data_specs[0], return_tuple=True)
        sources = mapping.flatten(data_specs[1], return_tuple=True)
        theano_args = tuple(
            space.make_theano_batch(
                name=f"{type(self).__name__}[{source}]", batch_size=self.batch_size
            )
            for space, source in zip(spaces, sources, strict=True)
        )
        nested_args = mapping.nest(theano_args)
        fixed = cost.get_fixed_var_descr(model, nested_args)
        self.on_load_batch = list(fixed.on_load_batch)
        cost_value = cost.expr(model, nested_args, **fixed.fixed_vars)
        if cost_value is not None and getattr(cost_value, "name", None) is None:
            cost_value.name = "objective"
        params = list(model.get_params())
        if not params:
            raise ValueError(f"{type(model).__name__} has no parameters to train")
        for index, param in enumerate(params):
            if param.name is None:
                param.name = f"sgd_params[{index}]"
        grads, updates = cost.get_gradients(model, nested_args, **fixed.fixed_vars)
        if not isinstance(grads, Mapping):
            raise TypeError(
                f"{type(cost)}.get_gradients returned something with {type(grads)} as its first "
                "member. Expected OrderedDict."
            )
        missing = [param for param in params if param not in grads]
        strangers = [param for param in grads if param not in params]
        if missing or strangers:
            raise TypeError(
                f"{type(cost).__name__}.get_gradients must give one gradient per model "
                f"parameter: missing {missing}, not parameters {strangers}"
            )
        updates = OrderedDict(updates)
        lr_scalers = model.get_lr_scalers()
        for key in lr_scalers:
            if key not in params:
                raise ValueError(
                    f"Tried to scale the learning rate on {key} which is not an optimization "
                    "parameter."
                )
        # Plain SGD runs as momentum 0, which is bit for bit `p - lr·g` (0·v is 0 and
        # p + (−s) is p − s in IEEE arithmetic) and compiles to the same graph as
        # momentum training, so a first run JIT-compiles one graph for both.
        rule = self.learning_rule if self.learning_rule is not None else Momentum(0.0)
        updates.update(rule.get_updates(self.learning_rate, OrderedDict(grads), lr_scalers))
        model.modify_updates(updates)
        self._setup_monitor()
        mode = self.theano_function_mode
        function = pytensor.function(
            list(theano_args),
            [],
            updates=list(updates.items()),
            # PyTensor's default, with matrix reductions Numba compiles quickly (same values)
            mode=default_mode() if mode is None else mode,
            on_unused_input="ignore",
        )
        # The iterator hands over arrays of exactly the spaces' dtypes, C-ordered; the
        # function may then skip its own input checks (a third of a small step's time).
        function.trust_input = all(isinstance(arg.type, pt.TensorType) for arg in theano_args)
        self.sgd_update = function
        # What `train` calls per batch: the compiled graph itself when that is exactly
        # what `function(*batch)` would do (see `_step`), else the function.
        self._step = direct_step(function)
        self.params = params
        self._flat_specs = (CompositeSpace(list(spaces)), tuple(sources))

    def _setup_monitor(self) -> None:
        """Monitor the objective, the cost's and model's channels, the learning rate."""
        if not self.monitoring_dataset:
            return
        assert self.monitor is not None
        assert self.cost is not None
        if self.monitoring_batch_size is None and self.monitoring_batches is None:
            self.monitoring_batch_size = self.batch_size
            self.monitoring_batches = self.batches_per_iter
        self.monitor.set_theano_function_mode(self.theano_function_mode)
        self.monitor.setup(
            dataset=self.monitoring_dataset,
            cost=self.cost,
            batch_size=self.monitoring_batch_size,
            num_batches=self.monitoring_batches,
            extra_costs=self.monitoring_costs,
            mode=self.monitor_iteration_mode,
        )
        first = next(iter(self.monitoring_dataset.values()))
        self.monitor.add_channel(
            name="learning_rate",
            ipt=None,
            val=self.learning_rate,
            data_specs=(NullSpace(), ""),
            dataset=first,
        )
        if self.learning_rule is not None:
            self.learning_rule.add_channels_to_monitor(self.monitor, first)

    def train(self, dataset: Dataset) -> None:
        """Run one epoch over ``dataset``.

        Raises
        ------
        RuntimeError
            If ``setup`` was not called.
        NonFiniteError
            If a parameter is NaN or infinite before or after the epoch.
        ValueError
            If ``dataset`` lacks a source the cost needs or has the wrong shape, or a
            ``random_uniform``/``random_slice`` mode has no ``batches_per_iter``.
        NotImplementedError
            If the cost reads no data at all.
        """
        if self._step is None or self.model is None or self.cost is None:
            raise RuntimeError("call SGD.setup(model, dataset) before SGD.train(dataset)")
        params = self.params
        _check_finite(params, "before the epoch")
        self.first = False
        spaces, sources = self._flat_specs
        if not sources:
            raise NotImplementedError(
                "Unable to train with SGD, because the cost does not actually use data from "
                f"the data set. data_specs: {self.cost.get_data_specs(self.model)}"
            )
        rng = self.rng if is_stochastic(self.train_iteration_mode) else None
        iterator = dataset.iterator(
            mode=self.train_iteration_mode,
            batch_size=self.batch_size,
            data_specs=self._flat_specs,
            return_tuple=True,
            rng=rng,
            num_batches=self.batches_per_iter,
        )
        update = self._step
        monitor = Monitor.get_monitor(self.model)
        on_load_batch = self.on_load_batch
        callbacks = self.update_callbacks
        if (
            isinstance(update, DirectStep)
            and not on_load_batch
            and not callbacks
            and getattr(iterator, "serves_runs", False)
        ):
            # Nothing runs between two batches: hand whole runs of them to the step.
            _train_in_runs(iterator, update, monitor)
            _check_finite(params, "after the epoch")
            return
        batch_axis = spaces.components[0].get_batch_axis()
        for batch in iterator:
            for callback in on_load_batch:
                callback(*batch)
            update(*batch)
            # A dense first source tells the batch's size without validating it again.
            first = batch[0]
            if isinstance(first, np.ndarray):
                monitor.report_batch(first.shape[batch_axis])
            else:
                monitor.report_batch(spaces.np_batch_size(batch))
            for callback in callbacks:
                callback(self)
        _check_finite(params, "after the epoch")

    def continue_learning(self, model: Model) -> bool:
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

    def setup(self, model: Model, dataset: Dataset, algorithm: Any) -> None:
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

    def on_monitor(self, model: Model, dataset: Dataset, algorithm: Any) -> None:
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

    def on_monitor(self, model: Model, dataset: Dataset, algorithm: Any) -> None:
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


def _set_lr(algorithm: Any, value: float) -> None:
    algorithm.learning_rate.set_value(np.asarray(value, dtype=pytensor.config.floatX))


class LinearDecay:
    """Per-batch linear decay of the learning rate, an ``update_callbacks`` entry.

    After the k-th batch: ``lr0`` for k < ``start``, ``lr0 − step·(k − start + 1)`` up
    to ``saturate`` with ``step = lr0·(1 − decay_factor)/(saturate − start + 1)``, then
    ``lr0·decay_factor``.

    Raises
    ------
    ValueError
        Unless ``0 < start < saturate``.

    Examples
    --------
    >>> trainer = SGD(learning_rate=1.0, batch_size=1)
    >>> decay = LinearDecay(start=1, saturate=3, decay_factor=0.1)
    >>> decay(trainer); round(float(trainer.learning_rate.get_value()), 6)
    0.7
    """

    def __init__(self, start: float, saturate: float, decay_factor: float) -> None:
        start, saturate, decay_factor = float(start), float(saturate), float(decay_factor)
        if not 0 < start < saturate:
            raise ValueError(f"LinearDecay needs 0 < start < saturate, got {start}, {saturate}")
        self.start = start
        self.saturate = saturate
        self.decay_factor = decay_factor
        self._count = 0
        self._base_lr = 0.0
        self._step = 0.0

    def __call__(self, algorithm: Any) -> None:
        """Set the learning rate for the next batch."""
        if self._count == 0:
            self._base_lr = float(algorithm.learning_rate.get_value())
            self._step = self._base_lr * (1 - self.decay_factor) / (self.saturate - self.start + 1)
        self._count += 1
        if self._count < self.start:
            rate = self._base_lr
        elif self._count < self.saturate:
            rate = self._base_lr - self._step * (self._count - self.start + 1)
        else:
            rate = self._base_lr * self.decay_factor
        if not rate > 0:
            raise ValueError(f"LinearDecay reached a non-positive learning rate {rate}")
        _set_lr(algorithm, rate)


class AnnealedLearningRate:
    """Per-batch ``lr = lr0 · min(1, anneal_start / k)`` after the k-th batch.

    Examples
    --------
    >>> trainer = SGD(learning_rate=1.0, batch_size=1)
    >>> anneal = AnnealedLearningRate(anneal_start=1)
    >>> anneal(trainer); anneal(trainer); float(trainer.learning_rate.get_value())
    0.5
    """

    def __init__(self, anneal_start: float) -> None:
        self._anneal_start = anneal_start
        self._count = 0
        self._base: float | None = None

    def __call__(self, algorithm: Any) -> None:
        """Set the learning rate for the next batch."""
        if self._base is None:
            self._base = float(algorithm.learning_rate.get_value())
        self._count += 1
        _set_lr(algorithm, self.current_learning_rate())

    def current_learning_rate(self) -> float:
        """``lr0 · min(1, anneal_start / k)``."""
        assert self._base is not None
        return self._base * min(1.0, self._anneal_start / self._count)


class EpochMonitor:
    """An ``update_callbacks`` entry that runs the monitor every ``monitor_rate`` batches.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> EpochMonitor(MLP([Softmax(2, "y", irange=0.1)], nvis=2), monitor_rate=10).epoch
    1
    """

    def __init__(
        self, model: Any, tick_rate: int | None = None, monitor_rate: int | None = None
    ) -> None:
        self.model = model
        self.tick_rate = tick_rate
        self.monitor_rate = monitor_rate
        self.batches = 0
        self.epoch = 1

    def __call__(self, algorithm: Any) -> None:
        """Count a batch; monitor when the count says so."""
        if self.model.monitor.get_epochs_seen() == self.epoch:
            self.epoch += 1
            self.batches = 0
            return
        self.batches += 1
        if self.monitor_rate and self.batches % self.monitor_rate == 0:
            self.model.monitor()


class _PolyakWorker:
    """Keeps the running mean of every parameter, updated after each batch."""

    def __init__(self, model: Any) -> None:
        count = pytensor.shared(np.asarray(1.0, dtype=pytensor.config.floatX), name="polyak_t")
        self.param_to_mean: dict[Shared, Shared] = OrderedDict()
        updates: dict[Shared, Symbolic] = OrderedDict()
        for param in model.get_params():
            mean = pytensor.shared(param.get_value(), name=f"polyak_{param.name}")
            self.param_to_mean[param] = mean
            updates[mean] = mean - (mean - param) / count
        updates[count] = count + 1.0
        self.average = pytensor.function([], [], updates=list(updates.items()))

    def __call__(self, algorithm: Any) -> None:
        self.average()


class PolyakAveraging(TrainExtension):
    """Average the parameters over batches from epoch ``start`` on (Polyak averaging).

    The running means are saved (swapped into the model for the save) to ``save_path``
    every ``save_freq`` epochs.

    Examples
    --------
    >>> PolyakAveraging(start=5).start
    5
    """

    def __init__(self, start: int, save_path: str | None = None, save_freq: int = 1) -> None:
        if isinstance(start, bool) or not isinstance(start, int) or start < 0:
            raise ValueError(f"`start` must be an int >= 0, got {start!r}")
        self.start = start
        self.save_path = save_path
        self.save_freq = save_freq
        self._count = 0
        self._worker: _PolyakWorker | None = None

    def on_monitor(self, model: Any, dataset: Any, algorithm: Any) -> None:
        """Start averaging at ``start``; save the averages every ``save_freq`` epochs."""
        if self._count == self.start:
            self._worker = _PolyakWorker(model)
            algorithm.update_callbacks.append(self._worker)
            add = getattr(model, "add_polyak_channels", None)
            if add is not None:
                add(self._worker.param_to_mean, algorithm.monitoring_dataset)
        elif (
            self.save_path is not None
            and self._worker is not None
            and self._count > self.start
            and self._count % self.save_freq == 0
        ):
            from pylearn2_recipes.utils import serial

            saved = [(param, param.get_value()) for param in model.get_params()]
            for param, _ in saved:
                param.set_value(self._worker.param_to_mean[param].get_value())
            try:
                serial.save(self.save_path, model)
            finally:
                for param, value in saved:
                    param.set_value(value)
        self._count += 1
