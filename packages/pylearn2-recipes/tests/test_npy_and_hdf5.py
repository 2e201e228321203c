"""pylearn2's ``datasets.npy_npz`` and ``DenseDesignMatrixPyTables``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import InvalidArgumentError, ModelFileError
from pylearn2_recipes.datasets.dense_design_matrix import (
    DefaultViewConverter,
    DenseDesignMatrix,
    DenseDesignMatrixPyTables,
)
from pylearn2_recipes.datasets.npy_npz import NpyDataset, NpzDataset


def test_npy_dataset_reads_its_file_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "x.npy"
    dataset = NpyDataset(str(path))  # pylearn2 defers: the file need not exist yet
    np.save(path, np.arange(12.0).reshape(4, 3))
    np.testing.assert_array_equal(dataset.get_design_matrix(), np.arange(12.0).reshape(4, 3))


def test_npy_dataset_takes_images_as_a_topological_view(tmp_path: Path) -> None:
    path = tmp_path / "images.npy"
    images = np.random.RandomState(0).rand(5, 2, 2, 3)
    np.save(path, images)
    dataset = NpyDataset(path)
    np.testing.assert_allclose(dataset.get_topological_view(), images)
    batch = next(dataset.iterator(mode="sequential", batch_size=2))
    assert batch.shape == (2, 12)


def test_npy_dataset_refuses_pickles_and_oversized_arrays(tmp_path: Path) -> None:
    pickled = tmp_path / "objects.npy"
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ModelFileError, match="not a numeric array"):
        NpyDataset(pickled).get_design_matrix()
    big = tmp_path / "big.npy"
    np.save(big, np.zeros((100, 10)))
    with pytest.raises(ModelFileError, match="over the limit"):
        NpyDataset(big, max_bytes=1000).get_design_matrix()


def test_npz_dataset_takes_inputs_and_targets_by_key(tmp_path: Path) -> None:
    path = tmp_path / "data.npz"
    np.savez(path, x=np.ones((4, 3)), t=np.arange(4).reshape(4, 1))
    dataset = NpzDataset(path, "x", target_key="t")
    assert dataset.get_design_matrix().shape == (4, 3)
    assert dataset.y.ravel().tolist() == [0, 1, 2, 3]
    with pytest.raises(ModelFileError, match="y not found in loaded NPZFile"):
        NpzDataset(path, "x", target_key="y")


def test_pytables_dataset_from_arrays_iterates_like_a_design_matrix() -> None:
    # pylearn2's test_pytables: X and a 1-D y in memory, one sequential batch.
    dataset = DenseDesignMatrixPyTables(X=np.ones((2, 3)), y=np.ones(2))
    batch = next(dataset.iterator(mode="sequential", batch_size=1))
    assert batch.shape == (1, 3)


@pytest.mark.parametrize("cls", [DenseDesignMatrix, DenseDesignMatrixPyTables])
def test_both_design_matrices_check_label_arguments_as_pylearn2(cls) -> None:
    # pylearn2's _check_labels, which both classes run.
    images = np.zeros((2, 3, 3, 1))
    with pytest.raises(InvalidArgumentError, match="X_labels needs a design matrix"):
        cls(topo_view=images, X_labels=2)
    with pytest.raises(InvalidArgumentError, match="X_labels needs a design matrix"):
        cls(X=np.zeros((2, 9)), view_converter=DefaultViewConverter((3, 3, 1)), X_labels=2)
    with pytest.raises(InvalidArgumentError, match="X_labels needs a design matrix"):
        cls(X=np.zeros((2, 1, 1)), X_labels=2)
    with pytest.raises(InvalidArgumentError, match="y_labels needs targets"):
        cls(X=np.zeros((2, 3)), y_labels=2)
    with pytest.raises(InvalidArgumentError, match="y_labels needs targets"):
        cls(X=np.zeros((2, 3)), y=np.zeros((2, 1, 1)), y_labels=2)
    labelled = cls(X=np.array([[0], [1]]), y=np.array([1, 0]), X_labels=2, y_labels=2)
    assert labelled.get_onehot_targets().tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_pytables_helpers_write_resize_and_read_an_hdf5_file(tmp_path: Path) -> None:
    dataset = DenseDesignMatrixPyTables(X=np.zeros((1, 3)))
    h5file, group = dataset.init_hdf5(str(tmp_path / "d.h5"), ((7, 3), (7, 1)), y_dtype="int")
    try:
        X = np.arange(21.0).reshape(7, 3)
        y = np.arange(7).reshape(7, 1)
        dataset.fill_hdf5(h5file, X, y, batch_size=3)  # three writes: 3 + 3 + 1 rows
        np.testing.assert_array_equal(group.X[:], X)
        dataset.h5file = h5file
        dataset.set_design_matrix(np.full((2, 3), -1.0), start=5)
        assert group.X[5:].tolist() == [[-1.0] * 3] * 2
        h5file, resized = dataset.resize(h5file, 2, 5)
        np.testing.assert_array_equal(resized.X[:], X[2:5])
        assert resized.y[:].ravel().tolist() == [2, 3, 4]
        assert h5file.get_node("/", "Data").X.shape == (3, 3)
        with pytest.raises(ValueError, match="do not fit"):
            dataset.fill_hdf5(h5file, np.zeros((4, 3)))
    finally:
        h5file.close()
