"""The ICML 2013 facial-expression challenge data, pylearn2's ``EmotionsDataset``.

Reads Kaggle's CSV files from ``${PYLEARN2_DATA_PATH}/icml_2013_emotions/``: a header
line, then one 48×48 grey image per row. ``train.csv`` rows are ``emotion,pixels``
(a label 0-6, then 2304 space-separated integers 0-255, the image row by row);
``test.csv`` has no labels: the pixels are the second field (the first is ignored, as
pylearn2 did) or the only one. Further fields (e.g. fer2013's ``Usage``) are ignored.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes import _budget
from pylearn2_recipes.datasets.dense_design_matrix import DefaultViewConverter, DenseDesignMatrix
from pylearn2_recipes.exceptions import DataFileError, InvalidArgumentError
from pylearn2_recipes.scripts.icml_2013_wrepl._paths import expand_variables

__all__ = ["EmotionsDataset"]

_FILES = {"train": "train.csv", "public_test": "test.csv"}
_SIDE = 48
_PIXELS = _SIDE * _SIDE
_CLASSES = 7
# A row is at most 2304 values of 3 digits and their separators (~9 KiB): a longer
# line is not this format, and is refused before it is held in memory.
_MAX_LINE = 64 * 1024
# Rows are parsed into uint8 blocks of this many images, so memory grows with the
# rows actually read and the budget is checked before each block is allocated.
_BLOCK = 1024


def _lines(handle: IO[bytes], path: str) -> Iterator[str]:
    # Read as bytes and decode line by line, so an encoding error names its own line
    # (a text-mode file decodes ahead, in blocks) and no line exceeds _MAX_LINE.
    number = 0
    while True:
        number += 1
        raw = handle.readline(_MAX_LINE)
        if not raw:
            return
        if len(raw) == _MAX_LINE and not raw.endswith(b"\n"):
            raise DataFileError(path, f"longer than {_MAX_LINE} bytes", line=number)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DataFileError(path, f"not UTF-8 text ({error.reason})", line=number) from None
        yield text


def _label(text: str, path: str, line: int) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or int(text) >= _CLASSES:
        raise DataFileError(path, f"label {text!r} is not an integer in 0..6", line=line)
    return int(text)


def _pixels(text: str, path: str, line: int) -> npt.NDArray[np.uint8]:
    fields = text.split()
    if len(fields) != _PIXELS:
        raise DataFileError(
            path, f"{len(fields)} pixel values, expected {_PIXELS} (48x48)", line=line
        )
    joined = "".join(fields)
    # The usual row (ASCII digits, at most 3 each) is checked in two C-level passes;
    # any other row is checked field by field, to name the offending value.
    # isascii: str.isdigit also accepts digits such as '²' that int() refuses.
    if joined.isascii() and joined.isdigit() and max(map(len, fields)) <= 3:
        values = np.array(fields, dtype=np.int64)
    else:
        for field in fields:
            if not (field.isascii() and field.isdigit()):
                raise DataFileError(
                    path, f"pixel value {field!r} is not an integer in 0..255", line=line
                )
        values = np.array([int(field) for field in fields], dtype=object)
    if values.max() > 255:
        field = fields[int(np.argmax(values > 255))]
        raise DataFileError(path, f"pixel value {field!r} is not an integer in 0..255", line=line)
    return values.astype(np.uint8)


def _read_csv(
    path: str, labelled: bool
) -> tuple[npt.NDArray[np.float32], npt.NDArray[Any] | None]:
    """``X`` (float32, one image per row) and, if ``labelled``, ``y`` (int64, n × 1)."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"EmotionsDataset: {path} not found (Kaggle's ICML 2013 facial-expression "
            "files go in ${PYLEARN2_DATA_PATH}/icml_2013_emotions/)"
        )
    blocks: list[npt.NDArray[np.uint8]] = []
    labels: list[int] = []
    rows = 0
    line = 1
    with open(path, "rb") as handle:
        reader = csv.reader(_lines(handle, path), strict=True)
        try:
            if next(reader, None) is None:
                raise DataFileError(path, "empty file (expected a header line)")
            while True:
                # A quoted field may span lines: a row is named by the line it starts on.
                line = reader.line_num + 1
                row = next(reader, None)
                if row is None:
                    break
                if not row:
                    continue  # a blank line (e.g. at the end of the file)
                if labelled:
                    if len(row) < 2:
                        raise DataFileError(path, "expected `emotion,pixels`", line=line)
                    labels.append(_label(row[0], path, line))
                pixels = _pixels(row[1] if len(row) > 1 else row[0], path, line)
                if rows % _BLOCK == 0:
                    _budget.require(
                        _budget.nbytes((rows + _BLOCK, _PIXELS), 1 + 4),
                        f"EmotionsDataset {path}",
                    )
                    blocks.append(np.empty((_BLOCK, _PIXELS), dtype=np.uint8))
                blocks[-1][rows % _BLOCK] = pixels
                rows += 1
        except csv.Error as error:
            raise DataFileError(path, f"not CSV ({error})", line=line) from None
    if not rows:
        raise DataFileError(path, "no data rows after the header")
    X = np.empty((rows, _PIXELS), dtype=np.float32)
    for index, block in enumerate(blocks):  # filled block by block: no uint8 copy of all
        part = X[index * _BLOCK : (index + 1) * _BLOCK]
        part[...] = block[: len(part)]
    y = np.asarray(labels, dtype=np.int64).reshape(-1, 1) if labelled else None
    return X, y


class EmotionsDataset(DenseDesignMatrix):
    """The facial-expression challenge's train or public test images; 7 classes.

    ``X`` is float32, one 48×48 image per row (pixel values 0-255, row-major), served
    as images through a view converter of shape ``(48, 48, 1)`` in ``axes``; ``y``
    is int64 of shape ``(n, 1)`` with ``y_labels=7`` (one-hot when a ``VectorSpace``
    is requested), or None for ``public_test``.

    Parameters
    ----------
    which_set : {'train', 'public_test'}
    base_path : str, default='${PYLEARN2_DATA_PATH}/icml_2013_emotions'
    start, stop : int, optional
        Keep rows ``start:stop`` (both or neither).
    preprocessor : object with ``apply(dataset, can_fit)``, optional
    fit_preprocessor : bool, default=False
    axes : sequence, default=('b', 0, 1, 'c')
        Axis order of the topological view.
    fit_test_preprocessor : bool, default=False
        ``fit_preprocessor`` of the dataset ``get_test_set`` builds.

    Raises
    ------
    ValueError
        If ``which_set`` is unknown or ``base_path`` names an unset variable.
    InvalidArgumentError
        (a ValueError) If ``start``/``stop`` are not ints with
        ``0 <= start < stop <= rows``.
    DataFileError
        (a ValueError) Naming the line of a malformed row: wrong number of pixels, a
        pixel that is not an integer in 0..255, a label not in 0..6.
    FileNotFoundError
        Naming the expected file.

    Notes
    -----
    pylearn2 cached the parsed CSV as ``.npy`` files beside it and read them instead
    when present; nothing is written or read besides the CSV here.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> pixels = " ".join(["128"] * 2304)
    >>> _ = (root / "train.csv").write_text(f"emotion,pixels\\n3,{pixels}\\n")
    >>> ds = EmotionsDataset("train", base_path=str(root))
    >>> ds.X.shape, ds.X.dtype, ds.y.tolist(), ds.get_topological_view().shape
    ((1, 2304), dtype('float32'), [[3]], (1, 48, 48, 1))
    """

    def __init__(
        self,
        which_set: str,
        base_path: str = "${PYLEARN2_DATA_PATH}/icml_2013_emotions",
        start: int | None = None,
        stop: int | None = None,
        preprocessor: Any = None,
        fit_preprocessor: bool = False,
        axes: Sequence[Any] = ("b", 0, 1, "c"),
        fit_test_preprocessor: bool = False,
    ) -> None:
        if which_set not in _FILES:
            raise ValueError(f"Unrecognized dataset name: {which_set!r} (train or public_test)")
        self.test_args: dict[str, Any] = {
            "which_set": "public_test",
            "base_path": base_path,
            "preprocessor": preprocessor,
            "fit_preprocessor": fit_test_preprocessor,
            "axes": axes,
            "fit_test_preprocessor": fit_test_preprocessor,
        }
        path = os.path.join(expand_variables(base_path), _FILES[which_set])
        X, y = _read_csv(path, labelled=which_set == "train")
        if start is not None or stop is not None:
            if (
                not isinstance(start, int)
                or not isinstance(stop, int)
                or isinstance(start, bool)
                or isinstance(stop, bool)
            ):
                raise InvalidArgumentError(
                    f"`start` and `stop` must both be ints, got {start!r}, {stop!r}"
                )
            if not 0 <= start < stop <= X.shape[0]:
                raise InvalidArgumentError(
                    f"need 0 <= start < stop <= {X.shape[0]} (the rows of {path}), "
                    f"got start={start}, stop={stop}"
                )
            X = X[start:stop]
            y = None if y is None else y[start:stop]
        converter = DefaultViewConverter(shape=[_SIDE, _SIDE, 1], axes=axes)
        super().__init__(
            X=X, y=y, y_labels=None if y is None else _CLASSES, view_converter=converter
        )
        if preprocessor:
            preprocessor.apply(self, can_fit=fit_preprocessor)

    def adjust_for_viewer(self, X: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Pixel values 0-255 scaled to [-1, 1], as pylearn2's viewer expects."""
        result: npt.NDArray[Any] = (X - 127.5) / 127.5
        return result

    def get_test_set(self) -> EmotionsDataset:
        """The public test set, with this dataset's base path, axes and preprocessing."""
        return EmotionsDataset(**self.test_args)
