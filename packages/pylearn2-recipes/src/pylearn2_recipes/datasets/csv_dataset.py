"""A dataset read from a CSV file whose first column is the label."""

from __future__ import annotations

import csv
import os
from typing import Literal

import numpy as np

from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix

__all__ = ["CSVDataset"]


class CSVDataset(DenseDesignMatrix):
    """Load a CSV file: label in the first column, features in the others.

    Use this for pylearn2 YAML experiments that name ``csv_dataset.CSVDataset``.
    With ``task="classification"`` the labels are integers ``0 .. k-1`` (k = max label
    + 1) that ``Softmax`` trains on; pylearn2 left them as floats and then refused
    them (lisa-lab/pylearn2 PR #1533, never merged).

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.
    task : {"classification", "regression"}, default="classification"
        How to read the label columns.
    expect_labels : bool, default=True
        Whether the first column(s) hold targets.
    expect_headers : bool, default=True
        Whether the first line is a header to skip.
    delimiter : str, default=","
        Field separator.
    num_outputs : int, default=1
        Number of leading target columns for ``task="regression"``.

    Raises
    ------
    ValueError
        For an unknown task, a non-numeric cell (its line is named) or ragged rows.
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = path.write_text("label,a,b\\n1,0.5,2\\n0,1.5,3\\n")
    >>> ds = CSVDataset(str(path))
    >>> ds.y.ravel().tolist(), ds.y_labels
    ([1, 0], 2)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        task: Literal["classification", "regression"] = "classification",
        expect_labels: bool = True,
        expect_headers: bool = True,
        delimiter: str = ",",
        num_outputs: int = 1,
    ) -> None:
        if task not in ("classification", "regression"):
            raise ValueError(f"`task` must be 'classification' or 'regression', got {task!r}")
        if not isinstance(num_outputs, int) or num_outputs < 1:
            raise ValueError(f"`num_outputs` must be a positive int, got {num_outputs!r}")
        self.path = os.fspath(path)
        self.task = task
        with open(self.path, newline="") as handle:
            rows = list(csv.reader(handle, delimiter=delimiter))
        first_line = 1
        if expect_headers:
            rows = rows[1:]
            first_line = 2
        data = _to_floats(rows, self.path, first_line)
        if not expect_labels:
            super().__init__(X=data)
            return
        width = 1 if task == "classification" else num_outputs
        if data.shape[1] <= width:
            raise ValueError(f"{self.path}: rows need labels and at least one feature column")
        X, y = data[:, width:], data[:, :width]
        if task == "regression":
            super().__init__(X=X, y=y)
            return
        if not np.all(np.equal(np.mod(y, 1), 0)) or (y.size and y.min() < 0):
            raise ValueError(
                f"{self.path}: classification labels (first column) must be integers >= 0"
            )
        labels = y.astype(np.int64)
        super().__init__(X=X, y=labels, y_labels=int(labels.max()) + 1 if labels.size else 1)


def _to_floats(rows: list[list[str]], path: str, first_line: int) -> np.ndarray:
    numbered = [(line, row) for line, row in enumerate(rows, start=first_line) if row]
    if not numbered:
        raise ValueError(f"{path}: no data rows")
    width = len(numbered[0][1])
    values = np.empty((len(numbered), width), dtype=np.float64)
    for index, (line, row) in enumerate(numbered):
        if len(row) != width:
            raise ValueError(f"{path}: line {line} has {len(row)} fields, expected {width}")
        try:
            values[index] = [float(cell) for cell in row]
        except ValueError:
            raise ValueError(f"{path}: line {line} has a non-numeric field: {row!r}") from None
    return values
