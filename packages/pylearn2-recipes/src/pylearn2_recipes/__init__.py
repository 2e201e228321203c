"""Pylearn2's MLP recipes and YAML experiments, running on PyTensor.

The modules mirror pylearn2's (``pylearn2_recipes.models.mlp`` is
``pylearn2.models.mlp``); ``install_alias()`` lets unmodified pylearn2 scripts import
them under their old names.

Examples
--------
>>> import pylearn2_recipes
>>> pylearn2_recipes.install_alias()
>>> from pylearn2.termination_criteria import EpochCounter
>>> EpochCounter(400).max_epochs
400
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from pylearn2_recipes._version import __version__
from pylearn2_recipes.alias import install_alias
from pylearn2_recipes.exceptions import (
    DataFileError,
    DuplicateKeyError,
    InvalidArgumentError,
    ModelFileError,
    NonFiniteError,
    PickleRefusedError,
    Pylearn2RecipesError,
    UnsafeYAMLError,
    YAMLArgumentError,
    YAMLConfigError,
)

if TYPE_CHECKING:
    from pylearn2_recipes import (
        config,
        costs,
        datasets,
        models,
        termination_criteria,
        train_extensions,
        training_algorithms,
        utils,
    )
    from pylearn2_recipes.config import yaml_parse
    from pylearn2_recipes.datasets.pima import load_pima
    from pylearn2_recipes.plot import plot_channels
    from pylearn2_recipes.recipes import PimaResult, XORResult, pima_recipe, xor_recipe
    from pylearn2_recipes.train import Train
    from pylearn2_recipes.utils import serial

logging.getLogger(__name__).addHandler(logging.NullHandler())

# PyTensor takes most of a second to import: the names that need it load on first use.
_LAZY = {
    "config": ("pylearn2_recipes.config", None),
    "costs": ("pylearn2_recipes.costs", None),
    "datasets": ("pylearn2_recipes.datasets", None),
    "models": ("pylearn2_recipes.models", None),
    "termination_criteria": ("pylearn2_recipes.termination_criteria", None),
    "train_extensions": ("pylearn2_recipes.train_extensions", None),
    "training_algorithms": ("pylearn2_recipes.training_algorithms", None),
    "utils": ("pylearn2_recipes.utils", None),
    "yaml_parse": ("pylearn2_recipes.config.yaml_parse", None),
    "serial": ("pylearn2_recipes.utils.serial", None),
    "load_pima": ("pylearn2_recipes.datasets.pima", "load_pima"),
    "plot_channels": ("pylearn2_recipes.plot", "plot_channels"),
    "PimaResult": ("pylearn2_recipes.recipes", "PimaResult"),
    "XORResult": ("pylearn2_recipes.recipes", "XORResult"),
    "pima_recipe": ("pylearn2_recipes.recipes", "pima_recipe"),
    "xor_recipe": ("pylearn2_recipes.recipes", "xor_recipe"),
    "Train": ("pylearn2_recipes.train", "Train"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'pylearn2_recipes' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "DataFileError",
    "DuplicateKeyError",
    "InvalidArgumentError",
    "ModelFileError",
    "NonFiniteError",
    "PickleRefusedError",
    "PimaResult",
    "Pylearn2RecipesError",
    "Train",
    "UnsafeYAMLError",
    "XORResult",
    "YAMLArgumentError",
    "YAMLConfigError",
    "__version__",
    "config",
    "costs",
    "datasets",
    "install_alias",
    "load_pima",
    "models",
    "pima_recipe",
    "plot_channels",
    "serial",
    "termination_criteria",
    "train_extensions",
    "training_algorithms",
    "utils",
    "xor_recipe",
    "yaml_parse",
]
