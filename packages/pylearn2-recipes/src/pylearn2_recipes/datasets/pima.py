"""The Pima Indians diabetes data (768 rows, 8 features, label last), read offline.

From a CSV in the UCI layout (with or without a header row) or, with the ``[data]``
extra, from the copy the ``faraway`` package ships. Nothing is downloaded.
"""

from __future__ import annotations

import bz2
import csv
import io
import os
from importlib import resources

import numpy as np
import numpy.typing as npt

__all__ = ["load_pima"]


def load_pima(
    path: str | os.PathLike[str] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Features (n, 8) and 0/1 labels (n,) of the Pima data, in file order.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A CSV: eight numeric features then the 0/1 label per row, comma-separated; a
        non-numeric first row is taken as a header. Without it, the ``faraway``
        package's copy is read.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist, or no path is given and ``faraway`` is not
        installed (the message says how to get the data).
    ValueError
        If a row does not have 9 numeric fields or a label is not 0/1 (line named).

    Examples
    --------
    With the ``[data]`` extra installed (``pip install 'pylearn2-recipes[data]'``)::

        X, y = load_pima()
        X.shape, int(y.sum())  # ((768, 8), 268)
    """
    if path is not None:
        with open(path, newline="") as handle:
            return _parse(handle.read(), os.fspath(path))
    try:
        source = resources.files("faraway") / "datasets" / "pima" / "pima.csv.bz2"
        data = source.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        raise FileNotFoundError(
            "no Pima data: pass a CSV path (UCI layout) or install the data extra: "
            "pip install 'pylearn2-recipes[data]'"
        ) from None
    return _parse(bz2.decompress(data).decode("utf-8"), "faraway:pima.csv.bz2")


def _parse(text: str, origin: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if rows and not _numeric(rows[0]):
        rows = rows[1:]
        first = 2
    else:
        first = 1
    if not rows:
        raise ValueError(f"{origin}: no data rows")
    values = np.empty((len(rows), 9))
    for number, row in enumerate(rows):
        if len(row) != 9 or not _numeric(row):
            raise ValueError(
                f"{origin}: line {number + first} must hold 8 numeric features and a label, "
                f"got {row!r}"
            )
        values[number] = [float(cell) for cell in row]
    labels = values[:, 8]
    if not np.isin(labels, (0.0, 1.0)).all():
        raise ValueError(f"{origin}: labels (last column) must be 0 or 1")
    return values[:, :8], labels.astype(np.int64)


def _numeric(row: list[str]) -> bool:
    try:
        [float(cell) for cell in row]
    except ValueError:
        return False
    return True
