"""The one list of built-in extension points and of what YAML ``!obj:`` may build.

Termination criteria, training extensions, costs and learning rules each implement a
small interface; the built-ins are listed here. ``allowed_callables()`` is the YAML
allow-list: every public name of the modules that mirror pylearn2's (under both
``pylearn2_recipes.`` and ``pylearn2.``) plus a few numpy constructors.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from pylearn2_recipes import _budget
from pylearn2_recipes.costs.cost import Cost, SumOfCosts
from pylearn2_recipes.costs.mlp import Default, L1WeightDecay, WeightDecay
from pylearn2_recipes.costs.mlp.dropout import Dropout
from pylearn2_recipes.termination_criteria import (
    And,
    EpochCounter,
    MatchChannel,
    MonitorBased,
    Or,
    TerminationCriterion,
)
from pylearn2_recipes.train_extensions.best_params import MonitorBasedSaveBest
from pylearn2_recipes.train_extensions.interface import TrainExtension
from pylearn2_recipes.train_extensions.progress import ProgressBar
from pylearn2_recipes.training_algorithms.learning_rule import (
    AdaDelta,
    AdaGrad,
    LearningRule,
    Momentum,
    MomentumAdjustor,
    RMSProp,
)
from pylearn2_recipes.training_algorithms.sgd import LinearDecayOverEpoch, MonitorBasedLRAdjuster

__all__ = [
    "COSTS",
    "LEARNING_RULES",
    "MIRRORED_MODULES",
    "TERMINATION_CRITERIA",
    "TRAIN_EXTENSIONS",
    "allowed_callables",
]

TERMINATION_CRITERIA: list[type[TerminationCriterion]] = [
    And,
    EpochCounter,
    MatchChannel,
    MonitorBased,
    Or,
]
"""Built-in termination criteria."""
TRAIN_EXTENSIONS: list[type[TrainExtension]] = [
    MonitorBasedSaveBest,
    MomentumAdjustor,
    LinearDecayOverEpoch,
    MonitorBasedLRAdjuster,
    ProgressBar,
]
"""Built-in training extensions."""
COSTS: list[type[Cost]] = [Default, Dropout, L1WeightDecay, WeightDecay, SumOfCosts]
"""Built-in costs."""
LEARNING_RULES: list[type[LearningRule]] = [AdaDelta, AdaGrad, Momentum, RMSProp]
"""Built-in learning rules."""

MIRRORED_MODULES = (
    "datasets.dataset",
    "datasets.dense_design_matrix",
    "datasets.npy_npz",
    "datasets.csv_dataset",
    "datasets.vector_spaces_dataset",
    "datasets.mnist",
    "models.mlp",
    "models.maxout",
    "models.lwta",
    "models.softmax_regression",
    "models.autoencoder",
    "corruption",
    "costs.autoencoder",
    "datasets.transformer_dataset",
    "costs.cost",
    "costs.mlp",
    "costs.mlp.dropout",
    "monitor",
    "space",
    "testing.datasets",
    "training_algorithms.sgd",
    "training_algorithms.bgd",
    "training_algorithms.default",
    "training_algorithms.learning_rule",
    "optimization.batch_gradient_descent",
    "utils.rng",
    "termination_criteria",
    "train_extensions.best_params",
    "train_extensions.progress",
    "train",
    "sandbox.nlp.models.mlp",
    "sandbox.lisa_rl.bandit.simulator",
    "sandbox.lisa_rl.bandit.algorithm",
    "sandbox.lisa_rl.bandit.average_agent",
    "sandbox.lisa_rl.bandit.gaussian_bandit",
    "sandbox.lisa_rl.bandit.classifier_bandit",
    "sandbox.lisa_rl.bandit.classifier_agent",
    "scripts.icml_2013_wrepl.black_box.black_box_dataset",
    "scripts.icml_2013_wrepl.emotions.emotions_dataset",
)
"""Modules whose public names YAML may build, relative to `pylearn2_recipes`."""


def _elements(shape: Any) -> int:
    dims: list[Any] = [shape] if np.isscalar(shape) else list(shape)
    return math.prod(max(int(n), 0) for n in dims)


def _itemsize(dtype: Any) -> int:
    return int(np.dtype(dtype).itemsize) if dtype is not None else 8


def _bounded(name: str, function: Callable[..., Any], size: Callable[..., int]) -> Any:
    """``function`` that first checks ``size(*args, **kwargs)`` bytes against the budget.

    ``size`` takes the same parameters as ``function``, so wrong arguments still raise
    TypeError; the budget applies only inside ``yaml_parse.load`` (``_budget.limit``).
    """

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        _budget.require(size(*args, **kwargs), f"`{name}`")
        return function(*args, **kwargs)

    return call


def _shape_size(shape: Any, dtype: Any = None, order: str = "C", **_: Any) -> int:
    return _elements(shape) * _itemsize(dtype)


def _linspace_size(start: Any, stop: Any, num: int = 50, *rest: Any, **kwargs: Any) -> int:
    return max(int(num), 0) * 8


def _arange_size(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None, **_: Any) -> int:
    low, high = (0, start) if stop is None else (start, stop)
    if step == 0:
        return 0
    return max(math.ceil((float(high) - float(low)) / float(step)), 0) * _itemsize(dtype)


def _eye_size(N: int, M: int | None = None, k: int = 0, dtype: Any = None, **_: Any) -> int:
    return max(int(N), 0) * max(int(N if M is None else M), 0) * _itemsize(dtype)


def _sample_size(*args: Any, size: Any = None, **kwargs: Any) -> int:
    return 8 if size is None else _elements(size) * 8


_NUMPY: dict[str, Callable[..., Any]] = {
    "numpy.array": np.array,
    "numpy.asarray": np.asarray,
    "numpy.zeros": _bounded("numpy.zeros", np.zeros, _shape_size),
    "numpy.ones": _bounded("numpy.ones", np.ones, _shape_size),
    "numpy.arange": _bounded("numpy.arange", np.arange, _arange_size),
    "numpy.linspace": _bounded("numpy.linspace", np.linspace, _linspace_size),
    "numpy.eye": _bounded("numpy.eye", np.eye, _eye_size),
    "numpy.float32": np.float32,
    "numpy.float64": np.float64,
    "numpy.random.RandomState": np.random.RandomState,
    "numpy.random.normal": _bounded("numpy.random.normal", np.random.normal, _sample_size),
    "numpy.random.uniform": _bounded("numpy.random.uniform", np.random.uniform, _sample_size),
    "numpy.random.randint": _bounded("numpy.random.randint", np.random.randint, _sample_size),
}


@cache
def allowed_callables() -> dict[str, Callable[..., Any]]:
    """Dotted name → callable for every name YAML ``!obj:`` may build.

    Examples
    --------
    >>> "pylearn2.models.mlp.MLP" in allowed_callables()
    True
    >>> "os.system" in allowed_callables()
    False
    """
    names: dict[str, Callable[..., Any]] = dict(_NUMPY)
    for name, value in list(_NUMPY.items()):
        names["np." + name.removeprefix("numpy.")] = value
    for relative in MIRRORED_MODULES:
        module = importlib.import_module(f"pylearn2_recipes.{relative}")
        for public in module.__all__:
            value = getattr(module, public)
            if callable(value):
                for root in ("pylearn2_recipes", "pylearn2"):
                    names[f"{root}.{relative}.{public}"] = value
    for group in (TERMINATION_CRITERIA, TRAIN_EXTENSIONS, COSTS, LEARNING_RULES):
        for cls in group:
            names.setdefault(f"{cls.__module__}.{cls.__qualname__}", cls)
    return names
