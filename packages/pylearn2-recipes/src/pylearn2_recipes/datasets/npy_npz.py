"""Datasets stored in NumPy's own formats, as pylearn2's ``datasets.npy_npz``.

Arrays are read with the bounded reader of ``utils.serial`` (declared shapes checked
against the file and ``max_bytes`` before anything is allocated; no pickles). As in
pylearn2, ``NpyDataset`` reads its file on first use (``get_design_matrix``,
``get_topological_view``, ``iterator``), ``NpzDataset`` at construction.
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from pylearn2_recipes._budget import DEFAULT_MAX_BYTES, check_max_bytes
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.exceptions import ModelFileError
from pylearn2_recipes.utils import serial

__all__ = ["NpyDataset", "NpzDataset"]


def _design_or_topo(array: Any) -> dict[str, Any]:
    return {"X": array} if array.ndim == 2 else {"topo_view": array}


class NpyDataset(DenseDesignMatrix):
    """A design matrix (2-D) or a topological view (4-D) from one ``.npy`` file.

    Parameters
    ----------
    file : str or os.PathLike
    mmap_mode : str, optional
        Accepted for pylearn2 files; the array is read into memory.
    max_bytes : int, default=2 GiB
        Most bytes the array may take.

    Raises
    ------
    ModelFileError
        On first use, if the file is not a single ``.npy`` array, is corrupt, or is too
        large.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "x.npy")
    >>> np.save(path, np.arange(6.0).reshape(3, 2))
    >>> NpyDataset(path).get_design_matrix().shape
    (3, 2)
    """

    def __init__(
        self,
        file: str | os.PathLike[str],
        mmap_mode: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self._path = file
        self.mmap_mode = mmap_mode
        self._max_bytes = check_max_bytes(max_bytes)
        self._loaded = False

    def _deferred_load(self) -> None:
        self._loaded = True
        loaded = serial.load(self._path, allow_pickle=False, max_bytes=self._max_bytes)
        if not isinstance(loaded, np.ndarray):
            raise ModelFileError(os.fspath(self._path), "single arrays (.npy) only")
        super().__init__(**_design_or_topo(loaded))

    def get_design_matrix(self, topo: Any = None) -> Any:
        """The examples as rows (read from the file on first use)."""
        if not self._loaded:
            self._deferred_load()
        return super().get_design_matrix(topo)

    def get_topological_view(self, mat: Any = None) -> Any:
        """The examples as images (read from the file on first use)."""
        if not self._loaded:
            self._deferred_load()
        return super().get_topological_view(mat)

    def iterator(self, *args: Any, **kwargs: Any) -> Any:
        """Batches, as ``DenseDesignMatrix.iterator`` (read from the file on first use)."""
        if not self._loaded:
            self._deferred_load()
        return super().iterator(*args, **kwargs)


class NpzDataset(DenseDesignMatrix):
    """Inputs (and optionally targets) from named arrays of a ``.npz`` archive.

    Parameters
    ----------
    file : str or os.PathLike
    key : str
        The inputs' array: a design matrix (2-D) or a topological view (4-D).
    target_key : str, optional
        The targets' array.
    max_bytes : int, default=2 GiB
        Most bytes the two arrays may take.

    Raises
    ------
    ModelFileError
        If a key is missing, or the archive is corrupt or too large.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "d.npz")
    >>> np.savez(path, x=np.ones((4, 3)), y=np.arange(4).reshape(4, 1))
    >>> NpzDataset(path, "x", target_key="y").y.ravel().tolist()
    [0, 1, 2, 3]
    """

    def __init__(
        self,
        file: str | os.PathLike[str],
        key: str,
        target_key: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        path = os.fspath(file)
        check_max_bytes(max_bytes)
        wanted = [key] if target_key is None else [key, target_key]
        arrays = {}
        try:
            with zipfile.ZipFile(path) as archive:
                members = {i.filename.removesuffix(".npy"): i for i in archive.infolist()}
                for name in wanted:
                    if name not in members:
                        raise ModelFileError(path, f"{name} not found in loaded NPZFile")
                    info = members[name]
                    with archive.open(info) as member:
                        arrays[name] = serial._read_npy(
                            member, info.file_size, f"array {name!r}", path, max_bytes
                        )
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ModelFileError(path, f"not a readable .npz archive ({error})") from error
        y = None if target_key is None else arrays[target_key]
        super().__init__(**_design_or_topo(arrays[key]), y=y)
