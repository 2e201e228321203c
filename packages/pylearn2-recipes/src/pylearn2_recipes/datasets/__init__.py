"""Datasets, mirroring ``pylearn2.datasets``."""

from __future__ import annotations

from pylearn2_recipes.datasets.csv_dataset import CSVDataset
from pylearn2_recipes.datasets.dataset import Dataset
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.datasets.mnist import MNIST

__all__ = ["MNIST", "CSVDataset", "Dataset", "DenseDesignMatrix"]
