from __future__ import annotations

import importlib

import pylearn2_recipes

EXPECTED = {
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
}

MIRRORED = {
    "datasets.dense_design_matrix": {"DenseDesignMatrix"},
    "datasets.csv_dataset": {"CSVDataset"},
    "models.mlp": {"MLP", "Layer", "Linear", "Sigmoid", "Tanh", "RectifiedLinear", "Softmax"},
    "training_algorithms.sgd": {"SGD", "LinearDecayOverEpoch"},
    "training_algorithms.learning_rule": {"LearningRule", "Momentum", "MomentumAdjustor"},
    "termination_criteria": {"EpochCounter", "MonitorBased", "TerminationCriterion"},
    "train_extensions.best_params": {"MonitorBasedSaveBest"},
    "train": {"Train"},
    "utils.serial": {"save", "load", "load_train_file"},
    "config.yaml_parse": {
        "MAX_DEPTH",
        "SCIENTIFIC_NOTATION_REGEXP",
        "initialize",
        "load",
        "load_path",
    },
    "costs.mlp": {"Default", "WeightDecay"},
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(pylearn2_recipes.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(pylearn2_recipes, name)
    public = {n for n in vars(pylearn2_recipes) if not n.startswith("_")}
    assert public - EXPECTED <= {
        "alias",
        "annotations",
        "exceptions",
        "logging",
        "monitor",
        "plot",
        "recipes",
        "registry",
        "version",
        "train",
    }


def test_mirrored_modules_export_pylearn2_names() -> None:
    for module_name, names in MIRRORED.items():
        module = importlib.import_module(f"pylearn2_recipes.{module_name}")
        assert set(module.__all__) == names, module_name


def test_version_is_the_distribution_version() -> None:
    from importlib.metadata import version

    assert pylearn2_recipes.__version__ == version("pylearn2-recipes")
