"""The one list of built-in extension points and of what YAML ``!obj:`` may build.

Termination criteria, training extensions, costs and learning rules each implement a
small interface; the built-ins are listed here. ``allowed_callables()`` is the YAML
allow-list: every public name of the modules that mirror pylearn2's (under both
``pylearn2_recipes.`` and ``pylearn2.``) plus a few numpy constructors.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from pylearn2_recipes.costs.cost import Cost, SumOfCosts
from pylearn2_recipes.costs.mlp import Default, WeightDecay
from pylearn2_recipes.termination_criteria import EpochCounter, MonitorBased, TerminationCriterion
from pylearn2_recipes.train_extensions.best_params import MonitorBasedSaveBest
from pylearn2_recipes.train_extensions.interface import TrainExtension
from pylearn2_recipes.train_extensions.progress import ProgressBar
from pylearn2_recipes.training_algorithms.learning_rule import (
    LearningRule,
    Momentum,
    MomentumAdjustor,
)
from pylearn2_recipes.training_algorithms.sgd import LinearDecayOverEpoch

__all__ = [
    "COSTS",
    "LEARNING_RULES",
    "MIRRORED_MODULES",
    "TERMINATION_CRITERIA",
    "TRAIN_EXTENSIONS",
    "allowed_callables",
]

TERMINATION_CRITERIA: list[type[TerminationCriterion]] = [EpochCounter, MonitorBased]
TRAIN_EXTENSIONS: list[type[TrainExtension]] = [
    MonitorBasedSaveBest,
    MomentumAdjustor,
    LinearDecayOverEpoch,
    ProgressBar,
]
COSTS: list[type[Cost]] = [Default, WeightDecay, SumOfCosts]
LEARNING_RULES: list[type[LearningRule]] = [Momentum]

#: Modules whose public names YAML may build, relative to ``pylearn2_recipes``.
MIRRORED_MODULES = (
    "datasets.dense_design_matrix",
    "datasets.csv_dataset",
    "models.mlp",
    "costs.cost",
    "costs.mlp",
    "training_algorithms.sgd",
    "training_algorithms.learning_rule",
    "termination_criteria",
    "train_extensions.best_params",
    "train_extensions.progress",
    "train",
)

_NUMPY: dict[str, Callable[..., Any]] = {
    "numpy.array": np.array,
    "numpy.asarray": np.asarray,
    "numpy.zeros": np.zeros,
    "numpy.ones": np.ones,
    "numpy.arange": np.arange,
    "numpy.linspace": np.linspace,
    "numpy.eye": np.eye,
    "numpy.float32": np.float32,
    "numpy.float64": np.float64,
    "numpy.random.RandomState": np.random.RandomState,
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
