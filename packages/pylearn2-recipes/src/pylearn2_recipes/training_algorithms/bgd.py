"""Batch gradient descent with line searches, as pylearn2's ``training_algorithms.bgd``.

``BGD`` draws (large) minibatches like ``SGD``, but on each batch it runs
``optimization.BatchGradientDescent``: ``updates_per_batch`` steps along the
(optionally conjugate) gradient, each step size chosen by a line search on the cost
of that batch. The step sizes it takes are monitored as ``ave_step_size``,
``ave_grad_size`` and ``ave_grad_mult``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from pylearn2_recipes.monitor import Monitor
from pylearn2_recipes.optimization.batch_gradient_descent import BatchGradientDescent
from pylearn2_recipes.space import CompositeSpace, NullSpace
from pylearn2_recipes.training_algorithms.training_algorithm import (
    NoBatchSizeError,
    TrainingAlgorithm,
)
from pylearn2_recipes.utils.data_specs import DataSpecsMapping
from pylearn2_recipes.utils.iteration import is_stochastic
from pylearn2_recipes.utils.rng import make_np_rng

__all__ = ["BGD"]

_TRAIN_ITERATION_MODE = "shuffled_sequential"


class BGD(TrainingAlgorithm):
    """Minibatches, each minimised by a few line-searched gradient steps.

    Parameters
    ----------
    cost : Cost, optional
        Default: the model's ``get_default_cost()``. It must not be stochastic (the
        line search compares cost values).
    batch_size : int, optional
        Default: the model's ``force_batch_size``. Use the dataset's size for true
        batch gradient descent.
    batches_per_iter : int, optional
        Batches per epoch; default: as many as the dataset holds.
    updates_per_batch : int, default=10
        Line-searched steps per batch.
    monitoring_batch_size, monitoring_batches : int, optional
        Default: ``batch_size`` and ``batches_per_iter``.
    monitoring_dataset : Dataset or dict of Dataset, optional
    termination_criterion : TerminationCriterion, optional
        None trains forever.
    set_batch_size : bool, default=False
        Call ``model.set_batch_size(batch_size)``.
    reset_alpha, conjugate, min_init_alpha, reset_conjugate, line_search_mode, init_alpha
        Passed to ``BatchGradientDescent`` (``line_search_mode``: None or
        ``'exhaustive'``; ``conjugate``: Polak-Ribière directions).
    verbose_optimization : bool, default=False
        Log each line search.
    scale_step : float, default=1.0
        Move only this fraction of the way to each batch's optimum.
    theano_function_mode : optional
        PyTensor compilation mode.
    seed : int or sequence, optional
        Seeds the shuffling of the training batches (default [2012, 10, 16]).

    Raises
    ------
    InvalidArgumentError
        For monitoring settings without a monitoring dataset.

    Examples
    --------
    >>> import numpy as np
    >>> from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> from pylearn2_recipes.termination_criteria import EpochCounter
    >>> X = np.random.RandomState(0).randn(40, 3)
    >>> data = DenseDesignMatrix(X=X, y=(X[:, :1] > 0).astype(int), y_labels=2)
    >>> model = MLP(nvis=3, layers=[Softmax(2, "y", irange=0.0)])
    >>> algorithm = BGD(batch_size=40, line_search_mode="exhaustive",
    ...                 termination_criterion=EpochCounter(1),
    ...                 theano_function_mode="FAST_COMPILE")
    >>> algorithm.setup(model, data)
    >>> before = model.layers[0].get_weights().copy()
    >>> algorithm.train(data)
    >>> bool(np.any(model.layers[0].get_weights() != before))
    True
    """

    def __init__(
        self,
        cost: Any = None,
        batch_size: int | None = None,
        batches_per_iter: int | None = None,
        updates_per_batch: int = 10,
        monitoring_batch_size: int | None = None,
        monitoring_batches: int | None = None,
        monitoring_dataset: Any = None,
        termination_criterion: Any = None,
        set_batch_size: bool = False,
        reset_alpha: bool = True,
        conjugate: bool = False,
        min_init_alpha: float = 0.001,
        reset_conjugate: bool = True,
        line_search_mode: str | None = None,
        verbose_optimization: bool = False,
        scale_step: float = 1.0,
        theano_function_mode: Any = None,
        init_alpha: Any = None,
        seed: Any = None,
    ) -> None:
        self._check_monitoring_settings(
            monitoring_dataset, monitoring_batches is not None or monitoring_batch_size is not None
        )
        self.cost = cost
        self.batch_size = batch_size
        self.batches_per_iter = batches_per_iter
        self.updates_per_batch = updates_per_batch
        self.monitoring_batch_size = monitoring_batch_size
        self.monitoring_batches = monitoring_batches
        self.termination_criterion = termination_criterion
        self.set_batch_size = set_batch_size
        self.reset_alpha = reset_alpha
        self.conjugate = conjugate
        self.min_init_alpha = min_init_alpha
        self.reset_conjugate = reset_conjugate
        self.line_search_mode = line_search_mode
        self.verbose_optimization = verbose_optimization
        self.scale_step = scale_step
        self.theano_function_mode = theano_function_mode
        self.init_alpha = init_alpha
        self.seed = seed
        self._set_monitoring_dataset(monitoring_dataset)
        self.rng = make_np_rng(seed, [2012, 10, 16], which_method=["randn", "randint"])
        self.bSetup = False

    def setup(self, model: Any, dataset: Any) -> None:
        """Build the optimizer on the cost of a symbolic batch; set up the monitor.

        Raises
        ------
        TypeError
            If the cost is stochastic.
        ValueError
            If ``batch_size`` disagrees with the model's ``force_batch_size``, or the
            cost has no value to search on.
        NoBatchSizeError
            If neither this nor the model gives a batch size.
        """
        self.model = model
        if self.cost is None:
            self.cost = model.get_default_cost()
        cost = self.cost
        try:
            if cost.is_stochastic():
                raise TypeError("BGD is not compatible with stochastic costs.")
        except NotImplementedError:
            warnings.warn(
                "BGD is not compatible with stochastic costs and cannot determine whether "
                "the current cost is stochastic.",
                stacklevel=2,
            )
        forced = getattr(model, "force_batch_size", None)
        if self.batch_size is None:
            self.batch_size = forced if forced and forced > 0 else None
            if self.batch_size is None:
                raise NoBatchSizeError()
        elif self.set_batch_size:
            model.set_batch_size(self.batch_size)
        elif forced and forced > 0 and self.batch_size != forced:
            raise ValueError(
                f"batch_size is {self.batch_size} but model.force_batch_size is {forced}"
            )
        self.monitor = Monitor.get_monitor(model)
        self.monitor.set_theano_function_mode(self.theano_function_mode)
        data_specs = cost.get_data_specs(model)
        mapping = DataSpecsMapping(data_specs)
        spaces = mapping.flatten(data_specs[0], return_tuple=True)
        sources = mapping.flatten(data_specs[1], return_tuple=True)
        theano_args = tuple(
            space.make_theano_batch(name=f"BGD_[{source}]")
            for space, source in zip(spaces, sources, strict=True)
        )
        nested_args = mapping.nest(theano_args)
        fixed = cost.get_fixed_var_descr(model, nested_args)
        self.on_load_batch = list(fixed.on_load_batch)
        cost_value = cost.expr(model, nested_args, **fixed.fixed_vars)
        grads, grad_updates = cost.get_gradients(model, nested_args, **fixed.fixed_vars)
        if not isinstance(grads, Mapping) or not isinstance(grad_updates, Mapping):
            raise TypeError(f"{type(cost).__name__}.get_gradients must return two mappings")
        if cost_value is None:
            raise ValueError(
                f"BGD is incompatible with {cost} because it is intractable, but BGD uses "
                "the cost function value to do line searches."
            )

        def capture(function: Any) -> Any:
            return lambda *args: function(mapping.flatten(args, return_tuple=True))

        if self.monitoring_dataset is not None:
            if self.monitoring_batch_size is None and self.monitoring_batches is None:
                self.monitoring_batch_size = self.batch_size
                self.monitoring_batches = self.batches_per_iter
            self.monitor.setup(
                dataset=self.monitoring_dataset,
                cost=cost,
                batch_size=self.monitoring_batch_size,
                num_batches=self.monitoring_batches,
                obj_prereqs=[capture(f) for f in fixed.on_load_batch],
                cost_monitoring_args=fixed.fixed_vars,
            )
        self.optimizer = BatchGradientDescent(
            objective=cost_value,
            gradients=grads,
            gradient_updates=grad_updates,
            params=list(model.get_params()),
            param_constrainers=[model.modify_updates],
            lr_scalers=model.get_lr_scalers(),
            inputs=list(theano_args),
            verbose=self.verbose_optimization,
            max_iter=self.updates_per_batch,
            reset_alpha=self.reset_alpha,
            conjugate=self.conjugate,
            reset_conjugate=self.reset_conjugate,
            min_init_alpha=self.min_init_alpha,
            line_search_mode=self.line_search_mode,
            theano_function_mode=self.theano_function_mode,
            init_alpha=self.init_alpha,
        )
        if self.monitoring_dataset is not None:
            first = next(iter(self.monitoring_dataset.values()))
            for name in ("ave_step_size", "ave_grad_size", "ave_grad_mult"):
                self.monitor.add_channel(
                    name=name,
                    ipt=None,
                    val=getattr(self.optimizer, name),
                    data_specs=(NullSpace(), ""),
                    dataset=first,
                )
        self.bSetup = True

    def train(self, dataset: Any) -> None:
        """One epoch: ``optimizer.minimize`` on each shuffled batch.

        Raises
        ------
        NotImplementedError
            If the cost uses no data.
        """
        if not self.bSetup:
            raise RuntimeError("BGD.train called before setup")
        model = self.model
        data_specs = self.cost.get_data_specs(model)
        mapping = DataSpecsMapping(data_specs)
        spaces = mapping.flatten(data_specs[0], return_tuple=True)
        sources = mapping.flatten(data_specs[1], return_tuple=True)
        if not spaces:
            raise NotImplementedError(
                "Unable to train with BGD, because the cost does not actually use data "
                f"from the data set. data_specs: {data_specs}"
            )
        flat_specs = (CompositeSpace(list(spaces)), tuple(sources))
        iterator = dataset.iterator(
            mode=_TRAIN_ITERATION_MODE,
            batch_size=self.batch_size,
            num_batches=self.batches_per_iter,
            data_specs=flat_specs,
            return_tuple=True,
            rng=self.rng if is_stochastic(_TRAIN_ITERATION_MODE) else None,
        )
        for data in iterator:
            for on_load_batch in self.on_load_batch:
                on_load_batch(mapping.nest(data))
            self.before_step(model)
            self.optimizer.minimize(*data)
            self.after_step(model)
            model.monitor.report_batch(flat_specs[0].np_batch_size(data))

    def continue_learning(self, model: Any) -> bool:
        """The termination criterion's answer (True without one)."""
        if self.termination_criterion is None:
            return True
        return bool(self.termination_criterion.continue_learning(self.model))

    def before_step(self, model: Any) -> None:
        """Remember the parameters when ``scale_step`` shortens each batch's move."""
        if self.scale_step != 1.0:
            self.params = list(model.get_params())
            self.value = [param.get_value() for param in self.params]

    def after_step(self, model: Any) -> None:
        """Move back to ``scale_step`` of the way from the remembered parameters."""
        if self.scale_step != 1.0:
            for param, value in zip(self.params, self.value, strict=True):
                new = (1.0 - self.scale_step) * value + self.scale_step * param.get_value()
                param.set_value(new.astype(value.dtype))
