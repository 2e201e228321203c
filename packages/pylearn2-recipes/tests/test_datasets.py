from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import load_pima
from pylearn2_recipes.datasets import CSVDataset, DenseDesignMatrix


def test_integer_labels_become_one_hot() -> None:
    ds = DenseDesignMatrix(X=np.zeros((3, 2)), y=np.array([[2], [0], [1]]), y_labels=3)
    np.testing.assert_array_equal(ds.get_onehot_targets(), np.eye(3)[[2, 0, 1]])


def test_one_hot_y_is_used_as_is_and_subclass_attributes_survive() -> None:
    class XOR(DenseDesignMatrix):
        def __init__(self) -> None:
            self.class_names = ["0", "1"]
            super().__init__(X=[[0, 1], [1, 1]], y=[[0, 1], [1, 0]])

    ds = XOR()
    assert ds.class_names == ["0", "1"]
    assert ds.get_design_matrix().dtype == np.float64
    np.testing.assert_array_equal(ds.get_onehot_targets(), [[0, 1], [1, 0]])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": np.zeros(3)}, "`X` must be 2-D"),
        ({"X": np.zeros((3, 2)), "y": np.zeros((2, 2))}, "`y` has 2 rows but `X` has 3"),
        ({"X": np.zeros((2, 2)), "y": np.zeros((2, 1, 1))}, "`y` must be 1-D or 2-D"),
        ({"X": np.zeros((2, 2)), "y": [0, 3], "y_labels": 2}, "labels must lie in 0..1"),
        ({"X": np.zeros((2, 2)), "y": [0.5, 1], "y_labels": 2}, "non-integer values"),
        (
            {"X": [[0.0, 1.0], [np.nan, 1.0]]},
            r"`X` holds NaN or infinite values \(first in row 1\)",
        ),
        ({"X": np.zeros((2, 2)), "y": [[0.0], [np.inf]]}, "`y` holds NaN or infinite values"),
    ],
)
def test_dense_design_matrix_errors(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        DenseDesignMatrix(**kwargs)


def test_csv_dataset_classification_yields_integer_labels(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_text("label,a,b\n1,0.5,2\n0,1.5,3\n2,1,1\n")
    ds = CSVDataset(path)
    assert ds.y.dtype.kind == "i"
    assert ds.y_labels == 3
    np.testing.assert_array_equal(ds.X, [[0.5, 2], [1.5, 3], [1, 1]])
    np.testing.assert_array_equal(ds.get_onehot_targets(), np.eye(3)[[1, 0, 2]])


def test_csv_dataset_regression_and_no_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("0.5;1.5;9\n2.5;3.5;8\n")
    ds = CSVDataset(path, task="regression", expect_headers=False, delimiter=";", num_outputs=2)
    np.testing.assert_array_equal(ds.y, [[0.5, 1.5], [2.5, 3.5]])
    np.testing.assert_array_equal(ds.X, [[9], [8]])


def test_csv_dataset_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("label,a\n1,0.5\n0,oops\n")
    with pytest.raises(ValueError, match="line 3 has a non-numeric field"):
        CSVDataset(path)
    path.write_text("label,a\n\n1,0.5\n\n0,oops\n")
    with pytest.raises(ValueError, match="line 5 has a non-numeric field"):
        CSVDataset(path)
    path.write_text("label,a\n1.5,0.5\n")
    with pytest.raises(ValueError, match="labels \\(first column\\) must be integers"):
        CSVDataset(path)


def test_faraway_ships_the_768_row_original() -> None:
    X, y = load_pima()
    assert X.shape == (768, 8)
    assert int(y.sum()) == 268
    np.testing.assert_array_equal(X[0], [6, 148, 72, 35, 0, 33.6, 0.627, 50])


def test_pima_csv_with_and_without_header(tmp_path: Path, pima_csv: Path) -> None:
    X, y = load_pima(pima_csv)
    headed = tmp_path / "pima.csv"
    headed.write_text("a,b,c,d,e,f,g,h,label\n" + pima_csv.read_text())
    X2, y2 = load_pima(headed)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n")
    with pytest.raises(ValueError, match="line 1 must hold 8 numeric features and a label"):
        load_pima(bad)
