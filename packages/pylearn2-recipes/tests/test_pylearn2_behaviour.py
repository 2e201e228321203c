"""Issue 16's list of differences from pylearn2, each checked against pylearn2's behaviour.

Each test restates what pylearn2's own code or unit test does (file named in the
docstring, lisa-lab/pylearn2 at af81e5c).
"""

from __future__ import annotations

import contextlib
import math
import re

import numpy as np
import pytest
import yaml

from pylearn2_recipes.config import yaml_parse
from pylearn2_recipes.datasets import DenseDesignMatrix
from pylearn2_recipes.models.mlp import MLP, Linear, Sigmoid, Softmax
from pylearn2_recipes.train_extensions.best_params import MonitorBasedSaveBest
from pylearn2_recipes.training_algorithms.sgd import SGD


@pytest.mark.parametrize(
    ("text", "value"), [("a: .2e4", 2000.0), ("a: -.5e-2", -0.005), ("a: 1.E4", 1e4)]
)
def test_scientific_notation_reads_as_float(text: str, value: float) -> None:
    """config/tests/test_yaml_parse.py::test_scientific_notation."""
    loaded = yaml_parse.load(text)["a"]
    assert isinstance(loaded, float)
    assert loaded == value


def test_notation_regexp_is_pylearn2s() -> None:
    """config/tests/test_yaml_parse.py::test_notation_regexp."""
    pattern = re.compile(yaml_parse.SCIENTIFIC_NOTATION_REGEXP)
    assert all(pattern.match(m) for m in ["1e3", "1.E4", "-1e-3", "2.3e+4", ".2e4"])
    assert not any(pattern.match(f) for f in ["string", "4", "2.1", "1.2e3.2", ".e4", "a3e4"])


def test_irange_zero_starts_from_zero_weights() -> None:
    """models/mlp.py: irange 0 draws U(-0, 0): zero weights (7 archive YAMLs use it)."""
    softmax = Softmax(2, "y", irange=0.0)
    linear = Linear(dim=3, layer_name="h", irange=0)
    model = MLP([linear, softmax], nvis=4)
    assert not model.layers[0].W.get_value().any()
    assert not model.layers[1].W.get_value().any()
    # Linear's irange still draws twice (value and include mask), as pylearn2's.
    reference = np.random.RandomState([2013, 1, 4])
    reference.uniform(-0.0, 0.0, (4, 3))
    reference.uniform(0.0, 1.0, (4, 3))
    expected_next = reference.uniform(0.0, 1.0)
    assert model.rng.uniform(0.0, 1.0) != expected_next  # the softmax drew once more
    reference.uniform(-0.0, 0.0, (3, 2))
    assert model.rng.uniform(0.0, 1.0) == reference.uniform(0.0, 1.0)


def test_wrong_keywords_raise_type_error() -> None:
    """pylearn2 let the callable's TypeError through."""
    with pytest.raises(TypeError, match="unexpected keyword argument 'maxepochs'"):
        yaml_parse.load("!obj:pylearn2.termination_criteria.EpochCounter {maxepochs: 2}")


def test_duplicate_key_is_a_constructor_error() -> None:
    """config/tests/test_yaml_parse.py::test_duplicate_keywords."""
    text = """{
        "model": !obj:pylearn2.models.mlp.MLP {
            "layers": [!obj:pylearn2.models.mlp.Sigmoid {
                "layer_name": 'h0', "dim": 20, "sparse_init": 15}],
            "nvis": 784,
            "nvis": 384,
        }
    }"""
    with pytest.raises(yaml.constructor.ConstructorError) as raised:
        yaml_parse.load(text)
    assert str(raised.value).endswith("found duplicate key (nvis)")


def test_save_best_tags_best_cost_inf_at_setup() -> None:
    """train_extensions/tests/test_monitor_based_save_best.py::test_tagging."""
    model = MLP([Softmax(2, "y", irange=0.1)], nvis=2)
    saver = MonitorBasedSaveBest("y_misclass", store_best_model=True)
    saver.setup(model, None, None)
    tag = model.tag["MonitorBasedSaveBest"]
    assert tag["best_cost"] == math.inf
    assert tag["channel_name"] == "y_misclass"
    assert "hostname" in tag
    custom = MonitorBasedSaveBest("y_misclass", store_best_model=True, tag_key="mine")
    custom.setup(model, None, None)
    assert model.tag["mine"]["best_cost"] == math.inf


def test_one_dimensional_y_without_labels_is_one_target_column() -> None:
    """datasets/dense_design_matrix.py: 1-D y gives VectorSpace(dim=1)."""
    ds = DenseDesignMatrix(X=np.zeros((3, 2)), y=np.array([0.5, 1.5, 2.5]))
    assert ds.get_onehot_targets().tolist() == [[0.5], [1.5], [2.5]]


def test_convert_to_one_hot() -> None:
    """datasets/tests/test_dense_design_matrix.py::test_convert_to_one_hot."""
    rng = np.random.RandomState([2013, 11, 14])
    labels = rng.randint(low=0, high=10, size=(11,))
    ds = DenseDesignMatrix(X=rng.randn(11, 4), y=labels)
    ds.convert_to_one_hot()
    assert ds.y.shape == (11, labels.max() + 1)
    assert (ds.y.argmax(axis=1) == labels).all()


@pytest.mark.parametrize("style", ["one_hot_class", "classification", "bit_vector_class"])
def test_sigmoid_output_reports_misclass(style: str) -> None:
    """models/tests/test_mlp.py::test_sigmoid_layer_misclass_reporting; 'classification'
    is pylearn2's deprecated alias of 'bit_vector_class' (models/mlp.py, Sigmoid.__init__)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    targets = (rng.uniform(size=(30, 1)) > 0.5).astype(float)
    if style == "one_hot_class":
        targets = np.eye(2)[targets[:, 0].astype(int)]
    width = targets.shape[1]
    with contextlib.ExitStack() as stack:
        if style == "classification":
            stack.enter_context(pytest.warns(DeprecationWarning, match="bit_vector_class"))
        layer = Sigmoid(layer_name="y", dim=width, irange=0.5, monitor_style=style)
    assert layer.monitor_style == ("bit_vector_class" if style == "classification" else style)
    model = MLP([layer], nvis=3)
    ds = DenseDesignMatrix(X=X, y=targets)
    SGD(0.1, batch_size=30, monitoring_dataset=ds).setup(model, ds)
    model.monitor()
    out = model.predict_proba(X)
    if style != "one_hot_class":
        expected = (targets != (out > 0.5)).max(axis=1).mean()
    else:
        expected = (out.argmax(axis=1) != targets.argmax(axis=1)).mean()
    assert model.monitor.channels["y_misclass"].val_record == [pytest.approx(expected)]


@pytest.mark.parametrize(
    ("monitoring_batch_size", "rows"),
    # pylearn2's SGD._setup_monitor: monitoring_batches alone splits the whole set into
    # that many batches; with a monitoring batch size it monitors the first N batches.
    [(None, 25), (5, 10)],
)
def test_monitoring_batches_limits_the_monitor(
    monitoring_batch_size: int | None, rows: int
) -> None:
    """training_algorithms/sgd.py: monitoring_batches=N monitors N batches."""
    rng = np.random.RandomState(1)
    X = rng.rand(25, 2)
    y = np.eye(2)[(X[:, 0] > 0.5).astype(int)]
    model = MLP([Softmax(2, "y", irange=0.1)], nvis=2)
    ds = DenseDesignMatrix(X=X, y=y)
    SGD(
        0.1,
        batch_size=5,
        monitoring_batches=2,
        monitoring_batch_size=monitoring_batch_size,
        monitoring_dataset=ds,
    ).setup(model, ds)
    model.monitor()
    out = model.predict_proba(X[:rows])
    expected = (out.argmax(1) != y[:rows].argmax(1)).mean()
    assert model.monitor.channels["y_misclass"].val_record == [pytest.approx(expected)]


def test_dropout_with_everything_kept_is_the_default_cost() -> None:
    """costs/mlp/dropout.py: include prob 1 and scale 1 leave the forward pass alone."""
    import pytensor
    import pytensor.tensor as pt

    from pylearn2_recipes._backend import fast_compile_mode
    from pylearn2_recipes.costs.mlp import Default
    from pylearn2_recipes.costs.mlp.dropout import Dropout

    model = MLP([Sigmoid(layer_name="h0", dim=3, irange=0.5), Softmax(2, "y", irange=0.5)], nvis=4)
    X, Y = pt.matrix("X"), pt.matrix("Y")
    keep_all = Dropout(default_input_include_prob=1.0, default_input_scale=1.0)
    f = pytensor.function(
        [X, Y],
        [keep_all.expr(model, (X, Y)), Default().expr(model, (X, Y))],
        mode=fast_compile_mode(),
    )
    rng = np.random.RandomState(0)
    dropped, default = f(rng.rand(6, 4), np.eye(2)[rng.randint(0, 2, 6)])
    assert dropped == pytest.approx(default)
    with pytest.raises(ValueError, match=r"MLP has no layer\(s\) named h9"):
        Dropout(input_include_probs={"h9": 0.5}).expr(model, (X, Y))


def test_dropout_is_the_cost_of_mlp_dropout_fprop() -> None:
    """pylearn2's Dropout.expr is model.cost(Y, model.dropout_fprop(X, ...))."""
    import pytensor
    import pytensor.tensor as pt

    from pylearn2_recipes._backend import fast_compile_mode
    from pylearn2_recipes.costs.mlp import Default
    from pylearn2_recipes.costs.mlp.dropout import Dropout

    model = MLP([Sigmoid(layer_name="h0", dim=3, irange=0.5), Softmax(2, "y", irange=0.5)], nvis=4)
    # Every input of h0 dropped, to its layer's mask value; y's inputs all kept, unscaled.
    model.layers[0].dropout_input_mask_value = -5.0
    cost = Dropout(input_include_probs={"h0": 0.0, "y": 1.0}, input_scales={"y": 1.0})
    X, Y = pt.matrix("X"), pt.matrix("Y")
    # One seed drawn from the model's RandomState per expr call, as pylearn2's dropout_fprop.
    expected_rng = np.random.RandomState()
    expected_rng.set_state(model.rng.get_state())
    expected_rng.randint(2**15)
    dropped = cost.expr(model, (X, Y))
    assert model.rng.randint(2**31) == expected_rng.randint(2**31)
    f = pytensor.function(
        [X, Y], [dropped, Default().expr(model, (X, Y))], mode=fast_compile_mode()
    )
    rng = np.random.RandomState(0)
    targets = np.eye(2)[rng.randint(0, 2, 6)]
    ours, _ = f(rng.rand(6, 4), targets)
    _, all_minus_five = f(np.full((6, 4), -5.0), targets)
    assert ours == pytest.approx(all_minus_five)


def test_mnist_reads_idx_files_as_pylearn2(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """datasets/mnist.py: pixels / 255, labels 0..9 (y_labels 10), start/stop, a clear path."""
    import struct

    from pylearn2_recipes.datasets.mnist import MNIST

    monkeypatch.setenv("PYLEARN2_DATA_PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"mnist/train-images-idx3-ubyte"):
        MNIST("train")
    (tmp_path / "mnist").mkdir()
    rng = np.random.RandomState(0)
    images = rng.randint(0, 256, (6, 28, 28)).astype(np.uint8)
    labels = rng.randint(0, 10, 6).astype(np.uint8)
    with open(tmp_path / "mnist" / "train-images-idx3-ubyte", "wb") as handle:
        handle.write(struct.pack(">4i", 2051, 6, 28, 28) + images.tobytes())
    with open(tmp_path / "mnist" / "train-labels-idx1-ubyte", "wb") as handle:
        handle.write(struct.pack(">2i", 2049, 6) + labels.tobytes())
    ds = MNIST("train", start=1, stop=4)
    np.testing.assert_allclose(ds.X, images[1:4].reshape(3, 784) / 255.0)
    assert ds.y.ravel().tolist() == labels[1:4].tolist()
    assert ds.y_labels == 10
    one_hot = MNIST("train", one_hot=True)
    assert (one_hot.y.argmax(axis=1) == labels).all()
    centered = MNIST("train", center=True, start=0, stop=6)
    np.testing.assert_allclose(centered.X.mean(axis=0), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match=r"start=0, stop=7 outside 0\.\.6"):
        MNIST("train", start=0, stop=7)
