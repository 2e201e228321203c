"""The black-box challenge dataset and Softmax's init_bias_target_marginals, as pylearn2's.

pylearn2's scripts/icml_2013_wrepl/black_box/black_box_dataset.py and models/mlp.py
(Softmax with ``init_bias_target_marginals``, expr/nnet.py pseudoinverse_softmax_numpy).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.models.mlp import MLP, Softmax
from pylearn2_recipes.scripts.icml_2013_wrepl.black_box.black_box_dataset import (
    BlackBoxDataset,
)


def write_train_csv(directory: Path, rows: int = 1000, features: int = 1875) -> np.ndarray:
    directory.mkdir(exist_ok=True)
    rng = np.random.RandomState(0)
    table = np.column_stack([rng.randint(0, 9, rows), rng.rand(rows, features)])
    np.savetxt(directory / "train.csv", table, delimiter=",", header="h", comments="")
    return table


def test_reads_kaggles_csv_and_keeps_start_to_stop(tmp_path: Path) -> None:
    table = write_train_csv(tmp_path / "bb")
    ds = BlackBoxDataset("train", base_path=str(tmp_path / "bb"), start=900, stop=1000)
    assert ds.X.shape == (100, 1875)
    assert ds.X.dtype == np.float32
    np.testing.assert_allclose(ds.X, table[900:, 1:].astype(np.float32))
    assert ds.y is not None
    np.testing.assert_array_equal(ds.y.ravel(), table[900:, 0])
    assert ds.y_labels == 9


def test_base_path_expands_pylearn2_data_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_train_csv(tmp_path / "icml_2013_black_box")
    monkeypatch.setenv("PYLEARN2_DATA_PATH", str(tmp_path))
    assert BlackBoxDataset("train").X.shape == (1000, 1875)
    monkeypatch.delenv("PYLEARN2_DATA_PATH")
    with pytest.raises(ValueError, match=r"PYLEARN2_DATA_PATH\}, which is not set"):
        BlackBoxDataset("train")


def test_bad_files_and_ranges_are_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="icml_2013_black_box"):
        BlackBoxDataset("train", base_path=str(tmp_path))
    write_train_csv(tmp_path / "short", rows=10)
    with pytest.raises(ValueError, match="Expected 1000 examples, got 10"):
        BlackBoxDataset("train", base_path=str(tmp_path / "short"))
    write_train_csv(tmp_path / "narrow", rows=3, features=4)
    with pytest.raises(ValueError, match="has 5 columns, expected 1876"):
        BlackBoxDataset("train", base_path=str(tmp_path / "narrow"))
    write_train_csv(tmp_path / "ok")
    with pytest.raises(ValueError, match="stop must be less than"):
        BlackBoxDataset("train", base_path=str(tmp_path / "ok"), start=0, stop=1001)


def test_softmax_biases_start_at_the_target_marginals() -> None:
    X = np.zeros((8, 2))
    labels = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    by_label = DenseDesignMatrix(X=X, y=labels[:, None], y_labels=3)
    one_hot = DenseDesignMatrix(X=X, y=np.eye(3)[labels])
    logs = np.log([0.5, 0.25, 0.25])
    expected = logs - logs.mean()
    for dataset in (by_label, one_hot):
        layer = Softmax(3, "y", irange=0.0, init_bias_target_marginals=dataset)
        model = MLP([layer], nvis=2)
        np.testing.assert_allclose(layer.b.get_value(), expected)
        # with zero weights the untrained model predicts the class frequencies
        np.testing.assert_allclose(model.predict_proba(X[:1])[0], [0.5, 0.25, 0.25])
    missing = DenseDesignMatrix(X=X, y=np.zeros((8, 1), dtype=int), y_labels=3)
    with pytest.raises(ValueError, match="every one of the 3 classes a positive frequency"):
        Softmax(3, "y", irange=0.0, init_bias_target_marginals=missing)
