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

import logging
from importlib.metadata import version

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
from pylearn2_recipes.alias import install_alias
from pylearn2_recipes.config import yaml_parse
from pylearn2_recipes.datasets.pima import load_pima
from pylearn2_recipes.exceptions import (
    DuplicateKeyError,
    ModelFileError,
    NonFiniteError,
    PickleRefusedError,
    Pylearn2RecipesError,
    UnsafeYAMLError,
    YAMLArgumentError,
    YAMLConfigError,
)
from pylearn2_recipes.plot import plot_channels
from pylearn2_recipes.recipes import PimaResult, XORResult, pima_recipe, xor_recipe
from pylearn2_recipes.train import Train
from pylearn2_recipes.utils import serial

__version__ = version("pylearn2-recipes")

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DuplicateKeyError",
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
