"""A dataset held as one design matrix ``X`` and targets ``y``; pylearn2's ``DenseDesignMatrix``.

Sources: ``'features'`` (``X``: a ``VectorSpace`` of its width, or an ``IndexSpace``
with ``X_labels``) and, when there are targets, ``'targets'`` (``y``: a
``VectorSpace``, or an ``IndexSpace`` of ``y_labels`` classes, which a one-hot
``VectorSpace`` request turns into one-hot rows). Images given as ``topo_view`` are
kept flattened channel-major (``('b', 'c', 0, 1)``, as pylearn2) and served in any
``Conv2DSpace`` through the view converter.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import pytensor
from pylearn2_recipes.datasets.dataset import Dataset
from pylearn2_recipes.exceptions import InvalidArgumentError
from pylearn2_recipes.space import CompositeSpace, Conv2DSpace, IndexSpace, Space, VectorSpace
from pylearn2_recipes.utils.iteration import FiniteDatasetIterator, make_np_rng

__all__ = [
    "DefaultViewConverter",
    "DenseDesignMatrix",
    "DenseDesignMatrixPyTables",
    "from_dataset",
]

_DEFAULT_SEED = (17, 2, 946)


class DefaultViewConverter:
    """Converts design-matrix rows to images of ``shape`` (rows, cols, channels) and back.

    Rows are flattened channel-major (``('b', 'c', 0, 1)``), as pylearn2's; ``axes`` is
    the axis order of the topological view.

    Examples
    --------
    >>> converter = DefaultViewConverter((2, 2, 3))
    >>> converter.design_mat_to_topo_view(np.zeros((5, 12))).shape
    (5, 2, 2, 3)
    """

    def __init__(self, shape: Sequence[int], axes: Sequence[Any] = ("b", 0, 1, "c")) -> None:
        self.shape = list(shape)
        if len(self.shape) != 3:
            raise ValueError(f"`shape` must be (rows, cols, channels), got {shape}")
        self.pixels_per_channel = int(self.shape[0] * self.shape[1])
        self.axes = tuple(axes)
        self._update_topo_space()

    def _update_topo_space(self) -> None:
        rows, cols, channels = self.shape
        self.topo_space = Conv2DSpace(shape=(rows, cols), num_channels=channels, axes=self.axes)

    def set_axes(self, axes: Sequence[Any]) -> None:
        """Change the axis order of the topological view."""
        self.axes = tuple(axes)
        self._update_topo_space()

    def view_shape(self) -> list[int]:
        """``shape``."""
        return self.shape

    def weights_view_shape(self) -> list[int]:
        """``shape``."""
        return self.shape

    def design_mat_to_topo_view(self, design_matrix: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Rows as images in ``axes`` order.

        Raises
        ------
        ValueError
            If the matrix is not 2-D or its width is not rows · cols · channels.
        """
        if design_matrix.ndim != 2:
            raise ValueError(
                f"design_matrix must have 2 dimensions, but shape was {design_matrix.shape}."
            )
        size = math.prod(self.shape)
        if design_matrix.shape[1] != size:
            raise ValueError(
                f"This DefaultViewConverter's self.shape = {self.shape}, for a total size of "
                f"{size}, but the design_matrix's row size was different "
                f"({design_matrix.shape[1]})."
            )
        rows, cols, channels = self.shape
        bc01 = design_matrix.reshape(design_matrix.shape[0], channels, rows, cols)
        return bc01.transpose(*[("b", "c", 0, 1).index(axis) for axis in self.axes])

    def design_mat_to_weights_view(self, X: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Rows as images in ``('b', 0, 1, 'c')`` order."""
        topo = self.design_mat_to_topo_view(X)
        return np.transpose(topo, tuple(self.axes.index(axis) for axis in ("b", 0, 1, "c")))

    def topo_view_to_design_mat(self, topo_array: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Images (``axes`` order) flattened channel-major into rows.

        Raises
        ------
        ValueError
            If an axis does not match ``shape``.
        """
        if topo_array.ndim != 4:
            raise ValueError(f"a topological view has 4 axes, got shape {topo_array.shape}")
        for size, axis in zip(self.shape, (0, 1, "c"), strict=True):
            if topo_array.shape[self.axes.index(axis)] != size:
                raise ValueError(
                    f"topo_array's {axis} axis has a different size "
                    f"({topo_array.shape[self.axes.index(axis)]}) from the corresponding size "
                    f"({size}) in self.shape {self.shape} (axes {self.axes})"
                )
        bc01 = topo_array.transpose([self.axes.index(axis) for axis in ("b", "c", 0, 1)])
        return bc01.reshape(bc01.shape[0], -1)

    def get_formatted_batch(self, batch: npt.NDArray[Any], dspace: Space) -> Any:
        """Design-matrix rows formatted into ``dspace`` (a VectorSpace or Conv2DSpace)."""
        if isinstance(dspace, VectorSpace):
            return dspace.np_format_as(batch, dspace)
        if isinstance(dspace, Conv2DSpace):
            if self.topo_space.axes != tuple(self.axes):
                self._update_topo_space()
            return self.topo_space.np_format_as(self.design_mat_to_topo_view(batch), dspace)
        raise ValueError(
            f"{type(self).__name__} does not know how to format a batch into {dspace}"
        )


class DenseDesignMatrix(Dataset):
    """Examples in rows of ``X`` (or images in ``topo_view``); targets in ``y``.

    Parameters
    ----------
    X : array-like of shape (n_examples, n_features), optional
    topo_view : array of 4 axes, optional
        Images instead of ``X``, axes ordered as ``axes``.
    y : array-like of shape (n_examples, n_outputs) or (n_examples,), optional
        One-hot rows, real-valued columns, or integer labels with ``y_labels``.
    view_converter : DefaultViewConverter, optional
        How ``X``'s rows map to images (for a ``Conv2DSpace`` request).
    axes : sequence, default=('b', 0, 1, 'c')
        Axis order of ``topo_view``.
    rng : seed or RandomState, default=(17, 2, 946)
        For stochastic iteration modes and ``get_batch_design``.
    preprocessor : object with ``apply(dataset, can_fit)``, optional
    fit_preprocessor : bool, default=False
    X_labels, y_labels : int, optional
        Number of classes when ``X`` / ``y`` hold integer labels.

    Raises
    ------
    ValueError
        If neither ``X`` nor ``topo_view`` is given, ``X`` is not numeric and 2-D, ``X``
        or ``y`` holds NaN or infinite values, ``y`` has a different number of rows, or
        a label is out of range.
    InvalidArgumentError
        (a ValueError) For ``X_labels`` without a design matrix ``X`` of at most 2
        dimensions (images, a view converter), or ``y_labels`` without such targets.

    Examples
    --------
    >>> ds = DenseDesignMatrix(X=[[0, 1], [1, 1]], y=[1, 0], y_labels=2)
    >>> ds.get_onehot_targets().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    >>> [x.tolist() for x in ds.iterator(mode="sequential", batch_size=1)]
    [[[0.0, 1.0]], [[1.0, 1.0]]]
    """

    _default_seed = _DEFAULT_SEED
    _iter_subset_class = "sequential"

    def __init__(
        self,
        X: Any = None,
        topo_view: Any = None,
        y: Any = None,
        view_converter: DefaultViewConverter | None = None,
        axes: Sequence[Any] = ("b", 0, 1, "c"),
        rng: Any = _DEFAULT_SEED,
        preprocessor: Any = None,
        fit_preprocessor: bool = False,
        X_labels: int | None = None,
        y_labels: int | None = None,
    ) -> None:
        _check_label_args(X, y, view_converter, X_labels, y_labels)
        self.X_labels = X_labels
        self.y_labels = y_labels
        self.y: npt.NDArray[Any] | None = None if y is None else np.asarray(y)
        self.view_converter = view_converter
        self.rng = make_np_rng(rng, _DEFAULT_SEED)
        self.compress = False
        self.design_loc = None
        if topo_view is not None:
            if view_converter is not None:
                raise ValueError("give `topo_view` or `view_converter`, not both")
            self.set_topological_view(np.asarray(topo_view), axes)
        else:
            if X is None:
                raise ValueError(
                    "DenseDesignMatrix needs `X` (a 2-D design matrix) or `topo_view`"
                )
            self.X = _check_design(np.asarray(X), X_labels)
            self.X_topo_space = None if view_converter is None else view_converter.topo_space
        self._check_targets()
        self._set_data_specs()
        if preprocessor is not None:
            preprocessor.apply(self, can_fit=fit_preprocessor)
        self.preprocessor = preprocessor

    def _check_targets(self) -> None:
        y = self.y
        if y is None:
            return
        if y.shape[:1] != self.X.shape[:1]:
            raise ValueError(
                f"`y` has {y.shape[0] if y.ndim else 0} rows but `X` has {self.X.shape[0]}"
            )
        if self.y_labels is not None:
            _check_labels(y, self.y_labels, "y")
        elif y.ndim not in (1, 2):
            raise ValueError(f"`y` must be 1-D or 2-D, got shape {y.shape}")
        else:
            # A 1-D y without y_labels is one real-valued target column (VectorSpace(1)).
            _check_finite(y, "y")

    def _set_data_specs(self) -> None:
        X = self.X
        if self.X_labels is None:
            X_space: Space = VectorSpace(dim=X.shape[1])
        else:
            X_space = IndexSpace(dim=1 if X.ndim == 1 else X.shape[-1], max_labels=self.X_labels)
        self.X_space = X_space
        if self.y is None:
            self.data_specs: tuple[Space, Any] = (X_space, "features")
        else:
            width = 1 if self.y.ndim == 1 else self.y.shape[-1]
            if self.y_labels is not None:
                y_space: Space = IndexSpace(dim=width, max_labels=self.y_labels)
            else:
                y_space = VectorSpace(dim=width)
            self.data_specs = (CompositeSpace((X_space, y_space)), ("features", "targets"))
        self._iter_data_specs = (X_space, "features")

    def iterator(
        self,
        mode: Any = None,
        batch_size: int | None = None,
        num_batches: int | None = None,
        rng: Any = None,
        data_specs: Any = None,
        return_tuple: bool = False,
    ) -> FiniteDatasetIterator:
        """Batches of the sources ``data_specs`` asks for (features by default).

        Raises
        ------
        ValueError
            For an unknown mode or source, or batch sizes the scheme cannot serve.
        """
        mode_class, batch_size, num_batches, rng, data_specs = self._init_iterator(
            mode, batch_size, num_batches, rng, data_specs
        )
        space, source = data_specs
        spaces = space.components if isinstance(space, CompositeSpace) else (space,)
        sources = source if isinstance(source, (tuple, list)) else (source,)
        convert = []
        for target, name in zip(spaces, sources, strict=True):
            converter = None
            if (
                name == "features"
                and self.view_converter is not None
                and isinstance(target, Conv2DSpace)
            ):
                converter = _TopoFormatter(self.view_converter, target)
            convert.append(converter)
        subset = mode_class(self.get_num_examples(), batch_size, num_batches, rng)
        return FiniteDatasetIterator(
            self, subset, data_specs=data_specs, return_tuple=return_tuple, convert=convert
        )

    def get_data(self) -> Any:
        """``X``, or ``(X, y)``."""
        return self.X if self.y is None else (self.X, self.y)

    def get_data_specs(self) -> tuple[Space, Any]:
        """``(space, sources)`` of ``X`` (and ``y``)."""
        return self.data_specs

    def get_num_examples(self) -> int:
        """Number of rows of ``X``."""
        return int(self.X.shape[0])

    def has_targets(self) -> bool:
        """Whether ``y`` is set."""
        return self.y is not None

    def get_design_matrix(self, topo: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """``X`` (or ``topo`` flattened by the view converter)."""
        if topo is not None:
            if self.view_converter is None:
                raise ValueError(
                    "Tried to convert from topological_view to design matrix using a dataset "
                    "that has no view converter"
                )
            return self.view_converter.topo_view_to_design_mat(topo)
        return self.X

    def set_design_matrix(self, X: npt.NDArray[Any]) -> None:
        """Replace ``X`` (same checks as the constructor)."""
        self.X = _check_design(np.asarray(X), self.X_labels)
        self._set_data_specs()

    def get_targets(self) -> npt.NDArray[Any] | None:
        """``y``."""
        return self.y

    def get_onehot_targets(self) -> npt.NDArray[np.floating] | None:
        """``y`` as float rows; integer labels become one-hot rows of width ``y_labels``."""
        if self.y is None:
            return None
        dtype = pytensor.config.floatX
        if self.y_labels is not None and (self.y.ndim == 1 or self.y.shape[1] == 1):
            labels = self.y.reshape(-1).astype(np.int64)
            return np.ascontiguousarray(np.eye(self.y_labels, dtype=dtype)[labels])
        return np.ascontiguousarray(self.y.reshape(self.y.shape[0], -1), dtype=dtype)

    def get_topological_view(self, mat: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
        """``X`` (or ``mat``) as images, through the view converter."""
        if self.view_converter is None:
            raise ValueError(
                "Tried to call get_topological_view on a dataset that has no view converter"
            )
        return self.view_converter.design_mat_to_topo_view(self.X if mat is None else mat)

    def set_topological_view(
        self, V: npt.NDArray[Any], axes: Sequence[Any] = ("b", 0, 1, "c")
    ) -> None:
        """Take images ``V`` (axes ``axes``) as the examples."""
        if V.ndim != len(axes):
            raise ValueError(
                f"The topological view must have exactly 4 dimensions, corresponding to {axes}"
            )
        _check_finite(V, "topo_view")
        axes = tuple(axes)
        shape = [V.shape[axes.index(axis)] for axis in (0, 1, "c")]
        self.view_converter = DefaultViewConverter(shape, axes=axes)
        self.X = self.view_converter.topo_view_to_design_mat(V)
        self.X_topo_space = self.view_converter.topo_space
        if hasattr(self, "data_specs"):
            self._set_data_specs()

    def get_formatted_view(self, mat: npt.NDArray[Any], dspace: Space) -> Any:
        """``mat`` rows formatted into ``dspace`` through the view converter."""
        if self.view_converter is None:
            raise ValueError(
                "Tried to call get_formatted_view on a dataset that has no view converter"
            )
        self.X_space.np_validate(mat)
        return self.view_converter.get_formatted_batch(mat, dspace)

    def get_weights_view(self, mat: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Weight rows as images in ``('b', 0, 1, 'c')`` order."""
        if self.view_converter is None:
            raise ValueError(
                "Tried to call get_weights_view on a dataset that has no view converter"
            )
        return self.view_converter.design_mat_to_weights_view(mat)

    def set_view_converter_axes(self, axes: Sequence[Any]) -> None:
        """Change the axis order of the topological view."""
        if self.view_converter is None:
            raise ValueError("the dataset has no view converter")
        self.view_converter.set_axes(axes)
        self.X_topo_space = self.view_converter.topo_space

    def get_topo_batch_axis(self) -> int:
        """Where the examples are in the topological view."""
        if self.view_converter is None:
            raise ValueError("the dataset has no view converter")
        return int(self.view_converter.axes.index("b"))

    def view_shape(self) -> list[int]:
        """The view converter's image shape."""
        if self.view_converter is None:
            raise ValueError("the dataset has no view converter")
        return self.view_converter.view_shape()

    def weights_view_shape(self) -> list[int]:
        """The view converter's image shape."""
        return self.view_shape()

    def get_batch_design(self, batch_size: int, include_labels: bool = False) -> Any:
        """``batch_size`` consecutive rows from a random start (``self.rng``), as pylearn2.

        Returns ``X`` rows (as floatX), or ``(X rows, y rows)`` with ``include_labels``.

        Raises
        ------
        ValueError
            If the dataset has fewer than ``batch_size`` examples.
        """
        count = self.X.shape[0]
        if batch_size > count:
            raise ValueError(
                f"Requested {batch_size} examples from a dataset containing only {count}."
            )
        start = self.rng.randint(count - batch_size + 1)
        rows = self.X[start : start + batch_size]
        if not include_labels:
            return np.asarray(rows, dtype=pytensor.config.floatX)
        return rows, None if self.y is None else self.y[start : start + batch_size]

    def get_batch_topo(self, batch_size: int, include_labels: bool = False) -> Any:
        """``get_batch_design`` as images."""
        if include_labels:
            design, labels = self.get_batch_design(batch_size, True)
            return self.get_topological_view(design), labels
        return self.get_topological_view(self.get_batch_design(batch_size))

    def restrict(self, start: int | None, stop: int | None) -> None:
        """Keep examples ``start:stop`` only."""
        if (start is None) != (stop is None):
            raise ValueError("give both `start` and `stop`, or neither")
        if start is None or stop is None:
            return
        if not 0 <= start < stop <= self.X.shape[0]:
            raise ValueError(f"start={start}, stop={stop} outside 0..{self.X.shape[0]}")
        self.X = self.X[start:stop]
        if self.y is not None:
            self.y = self.y[start:stop]

    def convert_to_one_hot(self, min_class: int = 0) -> None:
        """Turn integer labels into one-hot rows in place, as pylearn2's.

        The classes run from ``min_class`` to the largest label.

        Examples
        --------
        >>> ds = DenseDesignMatrix(X=[[0.0], [1.0]], y=[2, 0])
        >>> ds.convert_to_one_hot(); ds.y.tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
        """
        if self.y is None:
            raise ValueError("Called convert_to_one_hot on a DenseDesignMatrix with no labels.")
        labels = self.y.reshape(-1)
        if self.y.ndim == 2 and self.y.shape[1] != 1:
            raise ValueError(
                "Called convert_to_one_hot on a DenseDesignMatrix whose labels aren't scalar."
            )
        if not np.all(np.equal(np.mod(labels, 1), 0)):
            raise ValueError(
                "Called convert_to_one_hot on a DenseDesignMatrix whose labels aren't "
                "integer-valued."
            )
        classes = labels.astype(np.int64) - min_class
        if classes.size and classes.min() < 0:
            raise ValueError(
                "We do not support negative classes; use `min_class` to remap them explicitly."
            )
        width = int(classes.max()) + 1 if classes.size else 0
        self.y = np.eye(width)[classes]
        self.y_labels = None
        self._set_data_specs()

    def _holdout(self, mode: str, train_size: int, train_prop: float, rng: Any = None) -> Any:
        if train_size:
            size = int(train_size)
        elif train_prop:
            size = int(np.round(self.get_num_examples() * train_prop))
        else:
            raise ValueError("Initialize either split ratio and split size to non-zero value.")
        total = self.get_num_examples()
        first = total - size if size < total - size else size
        batches = self.iterator(mode=mode, batch_size=first, rng=rng, num_batches=None)
        head, rest = next(batches), next(batches)
        if size < total - size:
            return rest[: total - head.shape[0]], head
        return head, rest[: total - head.shape[0]]

    def split_dataset_holdout(self, train_size: int = 0, train_prop: float = 0) -> Any:
        """``(train rows, held-out rows)`` of ``X``, split sequentially."""
        return self._holdout("sequential", train_size, train_prop)

    def split_dataset_nfolds(self, nfolds: int = 0) -> list[Any]:
        """``X`` in ``nfolds`` consecutive folds."""
        return list(self.iterator(mode="sequential", num_batches=nfolds))

    def bootstrap_nfolds(self, nfolds: int, rng: Any = None) -> list[Any]:
        """``nfolds`` random slices of ``X``."""
        size = self.get_num_examples() // max(nfolds, 1)
        return list(
            self.iterator(mode="random_slice", batch_size=size, num_batches=nfolds, rng=rng)
        )

    def get_stream_position(self) -> np.random.RandomState:
        """A copy of the random generator's state."""
        return copy.copy(self.rng)

    def set_stream_position(self, pos: np.random.RandomState) -> None:
        """Restore a state from ``get_stream_position``."""
        self.rng = copy.copy(pos)

    def restart_stream(self) -> None:
        """Reset the random generator to the default seed."""
        self.rng = make_np_rng(None, _DEFAULT_SEED)

    def adjust_for_viewer(self, X: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """``X`` scaled into [-1, 1]."""
        return np.asarray(X / np.abs(X).max())

    def adjust_to_be_viewed_with(
        self, X: npt.NDArray[Any], ref: npt.NDArray[Any], per_example: Any = None
    ) -> npt.NDArray[Any]:
        """``X`` scaled like ``ref`` would be, clipped to [-1, 1]."""
        return np.asarray(np.clip(X / np.abs(ref).max(), -1.0, 1.0))


class _TopoFormatter:
    """Design-matrix rows into a ``Conv2DSpace`` through a view converter."""

    def __init__(self, converter: DefaultViewConverter, space: Conv2DSpace) -> None:
        self.converter = converter
        self.space = space

    def __call__(self, batch: npt.NDArray[Any]) -> Any:
        return self.converter.get_formatted_batch(batch, self.space)


def _tables() -> Any:
    """PyTables, imported on first use (the optional ``hdf5`` extra)."""
    try:
        import tables  # type: ignore[import-untyped]
    except ImportError as error:
        raise ImportError(
            "DenseDesignMatrixPyTables needs PyTables: pip install 'pylearn2-recipes[hdf5]'"
        ) from error
    return tables


def _check_finite_values(array: Any, what: str) -> None:
    if np.isnan(np.asarray(array, dtype=float)).any():
        raise ValueError(f"{what} contains NaN")


class DenseDesignMatrixPyTables(DenseDesignMatrix):
    """A ``DenseDesignMatrix`` whose data can live in an HDF5 file (PyTables).

    Built from arrays it is a ``DenseDesignMatrix`` (as in pylearn2); ``init_hdf5``,
    ``fill_hdf5`` and ``resize`` create and fill the file's ``/Data/X`` and
    ``/Data/y`` arrays (blosc-compressed), which subclasses then serve as ``X`` and
    ``y``. Needs PyTables (``pip install 'pylearn2-recipes[hdf5]'``).

    Parameters
    ----------
    X, topo_view, y, view_converter, axes, rng, X_labels, y_labels
        As ``DenseDesignMatrix``.

    Raises
    ------
    ImportError
        Without PyTables.
    InvalidArgumentError
        For ``X_labels`` with images or a view converter, or labels of more than
        two dimensions.

    Examples
    --------
    >>> data = DenseDesignMatrixPyTables(X=np.ones((2, 3)), y=np.ones(2))
    >>> next(data.iterator(mode="sequential", batch_size=1)).shape
    (1, 3)
    """

    h5file: Any
    """The open HDF5 file a subclass serves its data from (see ``init_hdf5``)."""

    def __init__(
        self,
        X: Any = None,
        topo_view: Any = None,
        y: Any = None,
        view_converter: DefaultViewConverter | None = None,
        axes: Sequence[Any] = ("b", 0, 1, "c"),
        rng: Any = _DEFAULT_SEED,
        X_labels: int | None = None,
        y_labels: int | None = None,
    ) -> None:
        super().__init__(
            X=X,
            topo_view=topo_view,
            y=y,
            view_converter=view_converter,
            axes=axes,
            rng=rng,
            X_labels=X_labels,
            y_labels=y_labels,
        )
        tables = _tables()
        if not hasattr(self, "filters"):
            self.filters = tables.Filters(complib="blosc", complevel=5)

    def set_design_matrix(self, X: npt.NDArray[Any], start: int = 0) -> None:
        """Write the rows ``X`` into the file (``self.h5file``) from row ``start``."""
        if len(X.shape) != 2:
            raise ValueError(f"a design matrix has 2 dimensions, got shape {X.shape}")
        _check_finite_values(X, "the design matrix")
        self.fill_hdf5(file_handle=self.h5file, data_x=X, start=start)

    def set_topological_view(
        self, V: npt.NDArray[Any], axes: Sequence[Any] = ("b", 0, 1, "c"), start: int = 0
    ) -> None:
        """Write the images ``V`` (axes ``axes``) into the file, flattened, from ``start``."""
        _check_finite_values(V, "the topological view")
        axes = tuple(axes)
        shape = [V.shape[axes.index(0)], V.shape[axes.index(1)], V.shape[axes.index("c")]]
        self.view_converter = DefaultViewConverter(shape, axes=axes)
        X = self.view_converter.topo_view_to_design_mat(V)
        self.fill_hdf5(file_handle=self.h5file, data_x=X, start=start)

    def init_hdf5(
        self,
        path: str,
        shapes: Sequence[Sequence[int]],
        title: str = "Pytables Dataset",
        y_dtype: str = "float",
    ) -> tuple[Any, Any]:
        """Create the HDF5 file ``path`` with empty ``/Data/X`` and ``/Data/y`` arrays.

        Parameters
        ----------
        path : str
        shapes : (x_shape, y_shape)
        title : str, default="Pytables Dataset"
        y_dtype : {"float", "int"}, default="float"

        Returns
        -------
        (h5file, group)
            The open file (close it when done) and its ``/Data`` group.
        """
        if y_dtype not in ("float", "int"):
            raise InvalidArgumentError(f"y_dtype can be 'float' or 'int' only, got {y_dtype!r}")
        tables = _tables()
        x_shape, y_shape = shapes
        h5file = tables.open_file(path, mode="w", title=title)
        group = h5file.create_group(h5file.root, "Data", "Data")
        float32 = pytensor.config.floatX == "float32"
        atom = tables.Float32Atom() if float32 else tables.Float64Atom()
        h5file.create_carray(
            group, "X", atom=atom, shape=x_shape, title="Data values", filters=self.filters
        )
        if y_dtype != "float":
            atom = tables.Int32Atom() if float32 else tables.Int64Atom()
        h5file.create_carray(
            group, "y", atom=atom, shape=y_shape, title="Data targets", filters=self.filters
        )
        return h5file, group

    @staticmethod
    def fill_hdf5(
        file_handle: Any,
        data_x: npt.NDArray[Any],
        data_y: npt.NDArray[Any] | None = None,
        node: Any = None,
        start: int = 0,
        batch_size: int = 5000,
    ) -> None:
        """Write ``data_x`` (and ``data_y``) into ``node`` (default ``/Data``) from ``start``.

        Written ``batch_size`` rows at a time, flushing after each, as pylearn2.

        Raises
        ------
        ValueError
            If the rows do not fit in the file's arrays.
        """
        if node is None:
            node = file_handle.get_node("/", "Data")
        size = data_x.shape[0]
        if start + size > node.X.shape[0]:
            raise ValueError(
                f"rows {start}..{start + size} do not fit in the file's {node.X.shape[0]} rows"
            )
        for i in range(0, size, batch_size):
            stop = min(i + batch_size, size)
            node.X[start + i : start + stop, :] = data_x[i:stop, :]
            if data_y is not None:
                node.y[start + i : start + stop, :] = data_y[i:stop, :]
            file_handle.flush()

    def resize(self, h5file: Any, start: int | None, stop: int | None) -> tuple[Any, Any]:
        """Keep only rows ``start:stop`` of the file's ``/Data`` arrays.

        Returns
        -------
        (h5file, group)
            The file and its new ``/Data`` group.
        """
        tables = _tables()
        data = h5file.get_node("/", "Data")
        if "Data_" in h5file.root:
            h5file.remove_node("/", "Data_", recursive=True)
        group = h5file.create_group("/", "Data_", "Data")
        start = 0 if start is None else start
        stop = data.X.nrows if stop is None else stop
        float32 = pytensor.config.floatX == "float32"
        atom = tables.Float32Atom() if float32 else tables.Float64Atom()
        x = h5file.create_carray(
            group,
            "X",
            atom=atom,
            shape=(stop - start, data.X.shape[1]),
            title="Data values",
            filters=self.filters,
        )
        if np.issubdtype(data.y.dtype, np.integer):
            atom = tables.Int32Atom() if float32 else tables.Int64Atom()
        y = h5file.create_carray(
            group,
            "y",
            atom=atom,
            shape=(stop - start, data.y.shape[1]),
            title="Data targets",
            filters=self.filters,
        )
        x[:] = data.X[start:stop]
        y[:] = data.y[start:stop]
        h5file.remove_node("/", "Data", recursive=True)
        h5file.rename_node("/", "Data", "Data_")
        h5file.flush()
        return h5file, group


def from_dataset(dataset: DenseDesignMatrix, num_examples: int) -> DenseDesignMatrix:
    """A ``DenseDesignMatrix`` of ``num_examples`` consecutive examples from a random start.

    Images stay images (the view converter is kept).

    Examples
    --------
    >>> ds = DenseDesignMatrix(X=np.arange(12.0).reshape(6, 2), y=np.arange(6) % 2, y_labels=2)
    >>> from_dataset(ds, 4).X.shape
    (4, 2)
    """
    X, y = dataset.get_batch_design(num_examples, include_labels=True)
    if dataset.view_converter is not None:
        return DenseDesignMatrix(
            topo_view=dataset.get_topological_view(X),
            y=y,
            axes=dataset.view_converter.axes,
            y_labels=dataset.y_labels,
        )
    return DenseDesignMatrix(X=X, y=y, X_labels=dataset.X_labels, y_labels=dataset.y_labels)


def _check_label_args(
    X: Any, y: Any, view_converter: Any, X_labels: int | None, y_labels: int | None
) -> None:
    """pylearn2's ``_check_labels``: integer labels need a plain design matrix / targets.

    Both ``DenseDesignMatrix`` and ``DenseDesignMatrixPyTables`` check their arguments
    here, before anything is built (images given as ``topo_view`` have no ``X`` yet, so
    they cannot be labels, as in pylearn2).
    """
    if X_labels is not None and (X is None or view_converter is not None or np.ndim(X) > 2):
        raise InvalidArgumentError("X_labels needs a design matrix X of at most 2 dimensions")
    if y_labels is not None and (y is None or np.ndim(y) > 2):
        raise InvalidArgumentError("y_labels needs targets y of at most 2 dimensions")


def _check_design(X: npt.NDArray[Any], X_labels: int | None) -> npt.NDArray[Any]:
    if X_labels is not None:
        if X.ndim not in (1, 2):
            raise ValueError(f"integer `X` must be 1-D or 2-D, got shape {X.shape}")
        _check_labels(X, X_labels, "X")
        return X
    if X.ndim != 2:
        raise ValueError(f"`X` must be 2-D (n_examples, n_features), got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.number) and X.dtype != np.bool_:
        raise ValueError(f"`X` must be numeric, got dtype {X.dtype}")
    _check_finite(X, "X")
    return X


def _check_finite(array: npt.NDArray[Any], key: str) -> None:
    # A NaN feature or target would train to NaN parameters or, in a monitoring set,
    # silently skew the misclass channel.
    if np.issubdtype(array.dtype, np.inexact) and array.size:
        bad = ~np.isfinite(array.reshape(array.shape[0], -1)).all(axis=1)
        if bad.any():
            raise ValueError(
                f"`{key}` holds NaN or infinite values (first in row {int(bad.argmax())})"
            )


def _check_labels(y: npt.NDArray[Any], labels: int, key: str) -> None:
    if isinstance(labels, bool) or not isinstance(labels, (int, np.integer)) or labels < 1:
        raise ValueError(f"`{key}_labels` must be a positive int, got {labels!r}")
    if y.ndim > 2:
        raise ValueError(f"integer `{key}` must be 1-D or 2-D, got shape {y.shape}")
    flat = y.reshape(-1)
    if flat.size and not np.all(np.equal(np.mod(flat, 1), 0)):
        raise ValueError(
            f"`{key}` holds non-integer values but `{key}_labels` says they are class labels"
        )
    if flat.size and (flat.min() < 0 or flat.max() >= labels):
        raise ValueError(
            f"`{key}` labels must lie in 0..{labels - 1}, got {flat.min()}..{flat.max()}"
        )
