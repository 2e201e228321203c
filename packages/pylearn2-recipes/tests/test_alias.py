from __future__ import annotations

import subprocess
import sys

import pytest

import pylearn2_recipes
from pylearn2_recipes.models import mlp as own_mlp


def test_alias_is_never_installed_implicitly() -> None:
    code = (
        "import pylearn2_recipes\n"
        "try:\n    import pylearn2\nexcept ModuleNotFoundError:\n    print('absent')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "absent"


def test_alias_resolves_pylearn2_paths_to_this_package() -> None:
    pylearn2_recipes.install_alias()
    pylearn2_recipes.install_alias()  # idempotent
    import pylearn2.models.mlp
    from pylearn2.config import yaml_parse
    from pylearn2.datasets.dense_design_matrix import DenseDesignMatrix
    from pylearn2.termination_criteria import EpochCounter
    from pylearn2.train_extensions import best_params
    from pylearn2.training_algorithms import learning_rule, sgd
    from pylearn2.utils import serial

    assert pylearn2.models.mlp is own_mlp
    assert pylearn2.models.mlp.MLP is own_mlp.MLP
    assert DenseDesignMatrix is pylearn2_recipes.datasets.DenseDesignMatrix
    assert EpochCounter is pylearn2_recipes.termination_criteria.EpochCounter
    assert sgd.SGD is pylearn2_recipes.training_algorithms.SGD
    assert learning_rule.Momentum is pylearn2_recipes.training_algorithms.Momentum
    assert best_params.MonitorBasedSaveBest.__module__.startswith("pylearn2_recipes.")
    assert serial is pylearn2_recipes.serial
    assert yaml_parse is pylearn2_recipes.yaml_parse
    # The real modules keep their own import metadata.
    assert own_mlp.__spec__.name == "pylearn2_recipes.models.mlp"
    assert pylearn2_recipes.__spec__.name == "pylearn2_recipes"


def test_unknown_pylearn2_module_is_a_normal_import_error() -> None:
    pylearn2_recipes.install_alias()
    with pytest.raises(ModuleNotFoundError, match=r"pylearn2\.models\.dbm"):
        import pylearn2.models.dbm  # noqa: F401
