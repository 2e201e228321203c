from __future__ import annotations

import importlib

import pylearn2_recipes

EXPECTED = {
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
}

MIRRORED = {
    "datasets.dense_design_matrix": {
        "DefaultViewConverter",
        "DenseDesignMatrix",
        "DenseDesignMatrixPyTables",
        "from_dataset",
    },
    "datasets.csv_dataset": {"CSVDataset"},
    "datasets.vector_spaces_dataset": {"VectorSpacesDataset"},
    "datasets.mnist": {"MNIST", "read_mnist_images", "read_mnist_labels"},
    "models.mlp": {
        "MLP",
        "Layer",
        "Linear",
        "Sigmoid",
        "Tanh",
        "RectifiedLinear",
        "Softmax",
        "PretrainedLayer",
        "ConvElemwise",
        "ConvRectifiedLinear",
        "ConvNonlinearity",
        "IdentityConvNonlinearity",
        "RectifierConvNonlinearity",
        "SigmoidConvNonlinearity",
        "TanhConvNonlinearity",
        "CompositeLayer",
        "FlattenerLayer",
        "exhaustive_dropout_average",
        "generate_dropout_mask",
        "geometric_mean_prediction",
        "max_pool",
        "mean_pool",
        "pool_dnn",
        "sampled_dropout_average",
    },
    "expr.nnet": {
        "arg_of_sigmoid",
        "arg_of_softmax",
        "compute_f1",
        "compute_precision",
        "compute_recall",
        "elemwise_kl",
        "inverse_sigmoid_numpy",
        "kl",
        "pseudoinverse_softmax_numpy",
        "sigmoid_numpy",
        "softmax",
        "softmax_numpy",
    },
    "models.autoencoder": {
        "Autoencoder",
        "ContractiveAutoencoder",
        "DenoisingAutoencoder",
        "HigherOrderContractiveAutoencoder",
    },
    "corruption": {"BinomialCorruptor", "Corruptor"},
    "costs.autoencoder": {"MeanBinaryCrossEntropy", "MeanSquaredReconstructionError"},
    "datasets.transformer_dataset": {"TransformerDataset"},
    "scripts.icml_2013_wrepl.black_box.black_box_dataset": {"BlackBoxDataset"},
    "scripts.icml_2013_wrepl.emotions.emotions_dataset": {"EmotionsDataset"},
    "testing.datasets": {
        "ArangeDataset",
        "random_dense_design_matrix",
        "random_dense_design_matrix_for_regression",
        "random_one_hot_dense_design_matrix",
        "random_one_hot_topological_dense_design_matrix",
    },
    "models.maxout": {"Maxout", "MaxoutConvC01B"},
    "models.lwta": {"LWTA"},
    "models.softmax_regression": {"SoftmaxRegression"},
    "training_algorithms.sgd": {
        "SGD",
        "AnnealedLearningRate",
        "EpochMonitor",
        "ExponentialDecay",
        "LinearDecay",
        "LinearDecayOverEpoch",
        "MonitorBasedLRAdjuster",
        "PolyakAveraging",
    },
    "training_algorithms.learning_rule": {
        "AdaDelta",
        "AdaGrad",
        "LearningRule",
        "Momentum",
        "MomentumAdjustor",
        "RMSProp",
    },
    "termination_criteria": {
        "And",
        "EpochCounter",
        "MatchChannel",
        "MonitorBased",
        "Or",
        "TerminationCriterion",
    },
    "costs.mlp.dropout": {"Dropout"},
    "train_extensions.best_params": {"MonitorBasedSaveBest"},
    "train": {"Train"},
    "utils.serial": {
        "save",
        "load",
        "load_train_file",
        "read_bin_lush_matrix",
        "to_string",
        "from_string",
    },
    "utils.rng": {"make_np_rng"},
    "datasets.dataset": {"Dataset"},
    "datasets.npy_npz": {"NpyDataset", "NpzDataset"},
    "models.s3c": {"S3C", "E_Step", "Grad_M_Step"},
    "optimization.batch_gradient_descent": {"BatchGradientDescent"},
    "training_algorithms.bgd": {"BGD"},
    "training_algorithms.default": {"DefaultTrainingAlgorithm"},
    "config.yaml_parse": {
        "MAX_DEPTH",
        "SCIENTIFIC_NOTATION_REGEXP",
        "initialize",
        "load",
        "load_path",
    },
    "costs.mlp": {"Default", "L1WeightDecay", "WeightDecay"},
    "costs.cost": {
        "Cost",
        "DefaultDataSpecsMixin",
        "FixedVarDescr",
        "LpPenalty",
        "MethodCost",
        "NullDataSpecsMixin",
        "SumOfCosts",
        "merge",
    },
    "models.model": {"Model"},
    "monitor": {
        "TIER_UP_SECONDS",
        "Monitor",
        "MonitorChannel",
        "Probe",
        "get_channel",
        "push_monitor",
        "read_channel",
    },
    "training_algorithms.training_algorithm": {"NoBatchSizeError", "TrainingAlgorithm"},
    "utils.data_specs": {"DataSpecsMapping", "is_flat_source", "is_flat_space", "is_flat_specs"},
    "space": {
        "CompositeSpace",
        "Conv2DSpace",
        "IndexSequenceSpace",
        "IndexSpace",
        "NullSpace",
        "SimplyTypedSpace",
        "Space",
        "VectorSequenceSpace",
        "VectorSpace",
        "is_numeric_batch",
        "is_symbolic_batch",
    },
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(pylearn2_recipes.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(pylearn2_recipes, name)
    public = {n for n in vars(pylearn2_recipes) if not n.startswith("_")}
    assert public - EXPECTED <= {
        "TYPE_CHECKING",
        "Any",
        "importlib",
        "alias",
        "annotations",
        "compat",
        "exceptions",
        "expr",
        "logging",
        "monitor",
        "optimization",
        "plot",
        "recipes",
        "registry",
        "sandbox",
        "space",
        "corruption",
        "scripts",
        "testing",
        "train",
    }


def test_mirrored_modules_export_pylearn2_names() -> None:
    for module_name, names in MIRRORED.items():
        module = importlib.import_module(f"pylearn2_recipes.{module_name}")
        assert set(module.__all__) == names, module_name


def test_version_is_the_distribution_version() -> None:
    from importlib.metadata import version

    assert pylearn2_recipes.__version__ == version("pylearn2-recipes")


def test_import_loads_no_pytensor() -> None:
    import subprocess
    import sys

    code = "import sys, pylearn2_recipes; print('pytensor' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
