"""Spaces: how a batch of examples is laid out, as pylearn2's ``pylearn2.space``.

A space describes one example (a vector of ``dim`` numbers, an image of
``shape × num_channels``, a tuple of other spaces, ...) and the batches that hold many:
a numpy array (``np_`` methods) or a symbolic PyTensor variable. ``format_as`` converts
a batch from one space to another (an image batch to design-matrix rows, one axis
order to another, integer labels to one-hot rows), casting to the target's dtype.

Spaces carry a dtype: ``'floatX'`` (PyTensor's ``config.floatX``, the default), any
numpy/PyTensor scalar dtype string, or None for a space that takes any dtype.

Examples
--------
>>> import numpy as np
>>> image = Conv2DSpace(shape=(2, 2), num_channels=3, axes=("b", "c", 0, 1))
>>> flat = VectorSpace(dim=image.get_total_dimension())
>>> batch = image.get_origin_batch(5)
>>> batch.shape, image.np_format_as(batch, flat).shape
((5, 3, 2, 2), (5, 12))
"""

from __future__ import annotations

import functools
import importlib
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pylearn2_recipes._backend import float_x, pt, pytensor

__all__ = [
    "CompositeSpace",
    "Conv2DSpace",
    "IndexSequenceSpace",
    "IndexSpace",
    "NullSpace",
    "SimplyTypedSpace",
    "Space",
    "VectorSequenceSpace",
    "VectorSpace",
    "is_numeric_batch",
    "is_symbolic_batch",
]

Batch = Any


@functools.cache
def _scalar_dtypes() -> tuple[str, ...]:
    import pytensor.scalar

    return tuple(str(t.dtype) for t in pytensor.scalar.all_types)


@functools.cache
def _sparse() -> Any:
    import pytensor.sparse

    return pytensor.sparse


@functools.cache
def _scipy_sparse() -> Any:
    return importlib.import_module("scipy.sparse")


@functools.cache
def _variable_class() -> Any:
    from pytensor.graph.basic import Variable

    return Variable


def _is_variable(batch: Any) -> bool:
    return isinstance(batch, _variable_class())


def _is_scipy_sparse(batch: Any) -> bool:
    return bool(_scipy_sparse().issparse(batch))


def _is_sparse_batch(batch: Any) -> bool:
    if _is_variable(batch):
        return isinstance(batch.type, _sparse().SparseTensorType)
    return _is_scipy_sparse(batch)


def _all_leaves(batch: Batch, predicate: Callable[[Any], bool]) -> bool:
    if isinstance(batch, list):
        raise TypeError("a composite batch is a (nested) tuple, not a list")
    if batch is None or (isinstance(batch, tuple) and not batch):
        # Data-less batches (NullSpace's None, an empty CompositeSpace's ()) are
        # both numeric and symbolic.
        return True
    if isinstance(batch, tuple):
        results = [_all_leaves(part, predicate) for part in batch]
        if any(results) and not all(results):
            raise TypeError("a composite batch mixes numeric and symbolic components")
        return all(results)
    return predicate(batch)


def is_symbolic_batch(batch: Batch) -> bool:
    """True if every component of ``batch`` is a PyTensor variable.

    Examples
    --------
    >>> is_symbolic_batch(VectorSpace(3).make_theano_batch())
    True
    """
    return _all_leaves(batch, _is_variable)


def is_numeric_batch(batch: Batch) -> bool:
    """True if every component of ``batch`` is a numpy array or a scipy sparse matrix.

    Examples
    --------
    >>> is_numeric_batch(VectorSpace(3).get_origin_batch(2))
    True
    """
    return _all_leaves(batch, lambda b: isinstance(b, np.ndarray) or _is_scipy_sparse(b))


def _cast(batch: Batch, dtype: Any) -> Batch:
    """``batch`` in ``dtype`` (unchanged when ``dtype`` is None or already right)."""
    if dtype is None:
        return batch
    if isinstance(batch, tuple):
        return tuple(_cast(part, dtype) for part in batch)
    if isinstance(batch, np.ndarray):
        return np.asarray(batch, dtype=dtype)
    if _is_scipy_sparse(batch):
        return batch.astype(dtype)
    if _is_variable(batch):
        if str(batch.dtype) == str(dtype):
            return batch
        if str(batch.dtype).startswith("complex") and not str(dtype).startswith("complex"):
            raise TypeError(
                f"Casting from complex to real is ambiguous ({batch.dtype} to {dtype}): "
                "take the real part, imaginary part, angle or abs first"
            )
        if isinstance(batch.type, _sparse().SparseTensorType):
            return _sparse().cast(batch, dtype)
        return pt.cast(batch, dtype)
    raise TypeError(f"cannot cast a batch of type {type(batch).__name__}")


def _is_op(variable: Any, kind: str) -> bool:
    """Whether ``variable`` is the output of an op of class ``kind`` (or a cast)."""
    owner = getattr(variable, "owner", None)
    if owner is None:
        return False
    op = owner.op
    if kind == "Cast":
        scalar_op = getattr(op, "scalar_op", None)
        return type(scalar_op).__name__ == "Cast"
    return any(cls.__name__ == kind for cls in type(op).__mro__)


def _undo(variable: Any, kind: str, strict: bool = False) -> Any:
    """The input of ``variable``'s op if that op is a ``kind``; else ``variable``.

    ``strict`` raises ValueError instead of returning ``variable`` unchanged.
    """
    if _is_op(variable, kind):
        return variable.owner.inputs[0]
    if strict:
        raise ValueError(f"expected the output of a {kind} op, got {variable!r}")
    return variable


def _check_zip(first: Sequence[Any], second: Sequence[Any], what: str) -> None:
    if len(first) != len(second):
        raise ValueError(f"{what}: {len(first)} entries for {len(second)} components")


class Space:
    """A set of examples and the layout of their batches; pylearn2's ``Space``.

    Parameters
    ----------
    validate_callbacks, np_validate_callbacks : list of callable, optional
        Called with the batch at the start of every symbolic (numeric) validation.
    """

    def __init__(
        self,
        validate_callbacks: list[Callable[[Any], Any]] | None = None,
        np_validate_callbacks: list[Callable[[Any], Any]] | None = None,
    ) -> None:
        self.validate_callbacks = list(validate_callbacks or [])
        self.np_validate_callbacks = list(np_validate_callbacks or [])

    def __eq__(self, other: object) -> bool:
        raise NotImplementedError(f"__eq__ not implemented in class {type(self)}")

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return str(self)

    def get_batch_axis(self) -> int:
        """The axis of a batch that indexes examples (0 for most spaces)."""
        return 0

    @property
    def dtype(self) -> Any:
        """The dtype string of the space's batches (a nested tuple for composites)."""
        raise NotImplementedError(f"{type(self).__name__} has no dtype")

    @dtype.setter
    def dtype(self, new_value: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} has no dtype")

    @dtype.deleter
    def dtype(self) -> None:
        raise RuntimeError(
            "You may not delete the dtype of a space, though you can set it to None."
        )

    def get_origin(self) -> Any:
        """One example at the origin (zeros)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_origin")

    def get_origin_batch(self, batch_size: int, dtype: Any = None) -> Any:
        """A numeric batch of ``batch_size`` zero examples, in ``dtype`` (default: the space's)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_origin_batch")

    def make_shared_batch(
        self, batch_size: int, name: str | None = None, dtype: Any = None
    ) -> Any:
        """A shared variable holding ``get_origin_batch(batch_size, dtype)``."""
        return pytensor.shared(
            self.get_origin_batch(batch_size, self._clean_dtype_arg(dtype)), name=name
        )

    def make_theano_batch(
        self, name: str | None = None, dtype: Any = None, batch_size: int | None = None
    ) -> Any:
        """A symbolic batch of this space (a PyTensor variable, or a tuple of them).

        ``batch_size=1`` makes the batch axis broadcastable, as in pylearn2.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement make_theano_batch")

    def make_batch_theano(
        self, name: str | None = None, dtype: Any = None, batch_size: int | None = None
    ) -> Any:
        """Alias of ``make_theano_batch``."""
        return self.make_theano_batch(name=name, dtype=dtype, batch_size=batch_size)

    def get_theano_batch(self, *args: Any, **kwargs: Any) -> Any:
        """Alias of ``make_theano_batch``."""
        return self.make_theano_batch(*args, **kwargs)

    def get_total_dimension(self) -> int:
        """Numbers per example: the width of the design matrix this space flattens to."""
        raise NotImplementedError(f"{type(self)} does not implement get_total_dimension.")

    def np_format_as(self, batch: Batch, space: Space) -> Batch:
        """The numeric ``batch`` of this space, converted to ``space``.

        Raises
        ------
        TypeError
            If ``batch`` is symbolic or of the wrong dtype kind.
        ValueError
            If ``batch`` does not fit this space, or the sizes differ.
        """
        self._check_is_numeric(batch)
        return self._format_as(True, batch, space)

    def format_as(self, batch: Batch, space: Space) -> Batch:
        """The symbolic ``batch`` of this space, converted to ``space`` (symbolically)."""
        self._check_is_symbolic(batch)
        return self._format_as(False, batch, space)

    def _format_as(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        self._validate(is_numeric, batch)
        self._check_sizes(space)
        return self._format_as_impl(is_numeric, batch, space)

    def _check_sizes(self, space: Space) -> None:
        mine, theirs = self.get_total_dimension(), space.get_total_dimension()
        if mine != theirs:
            raise ValueError(
                f"{self} with total dimension {mine} can't format a batch into {space} "
                f"because its total dimension is {theirs}"
            )

    def _format_as_impl(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        raise NotImplementedError(f"{type(self)} does not implement _format_as_impl().")

    def undo_np_format_as(self, batch: Batch, space: Space) -> Batch:
        """A numeric batch of ``space`` converted back to this space."""
        self._check_is_numeric(batch)
        return space.np_format_as(batch, self)

    def undo_format_as(self, batch: Batch, space: Space) -> Batch:
        """The symbolic batch this space's ``format_as(·, space)`` started from.

        Walks the graph back through the ops ``format_as`` added, so the result is the
        original variable itself, not an equivalent one.
        """
        self._check_is_symbolic(batch)
        space.validate(batch)
        self._check_sizes(space)
        result = self._undo_format_as_impl(batch, space)
        self.validate(result)
        return result

    def _undo_format_as_impl(self, batch: Batch, space: Space) -> Batch:
        raise NotImplementedError(f"{type(self)} does not implement _undo_format_as_impl().")

    def validate(self, batch: Batch) -> None:
        """Raise TypeError or ValueError unless the symbolic ``batch`` lies in this space."""
        self._check_is_symbolic(batch)
        self._validate(False, batch)

    def np_validate(self, batch: Batch) -> None:
        """Raise TypeError or ValueError unless the numeric ``batch`` lies in this space."""
        self._check_is_numeric(batch)
        self._validate(True, batch)

    def _validate(self, is_numeric: bool, batch: Batch) -> None:
        if is_numeric:
            self._check_is_numeric(batch)
            callbacks = getattr(self, "np_validate_callbacks", None)
        else:
            self._check_is_symbolic(batch)
            callbacks = getattr(self, "validate_callbacks", None)
        if callbacks is None:
            raise TypeError(
                f"The {type(self)} Space subclass is required to call the Space "
                "superclass constructor but does not."
            )
        for callback in callbacks:
            callback(batch)
        self._validate_impl(is_numeric, batch)

    def _validate_impl(self, is_numeric: bool, batch: Batch) -> None:
        raise NotImplementedError(f"Class {type(self)} does not implement _validate_impl()")

    def batch_size(self, batch: Batch) -> Any:
        """Number of examples in the symbolic ``batch`` (symbolic itself)."""
        return self._batch_size(False, batch)

    def np_batch_size(self, batch: Batch) -> int:
        """Number of examples in the numeric ``batch``."""
        return int(self._batch_size(True, batch))

    def _batch_size(self, is_numeric: bool, batch: Batch) -> Any:
        self._validate(is_numeric, batch)
        return self._batch_size_impl(is_numeric, batch)

    def _batch_size_impl(self, is_numeric: bool, batch: Batch) -> Any:
        raise NotImplementedError(f"{type(self)} does not implement batch_size")

    def get_batch(self, data: Any, start: int, end: int) -> Any:
        """Examples ``start:end`` of ``data`` (not implemented by pylearn2's spaces either)."""
        raise NotImplementedError(f"{type(self)} does not implement get_batch")

    @staticmethod
    def _check_is_numeric(batch: Batch) -> None:
        if not is_numeric_batch(batch):
            raise TypeError(
                "Expected batch to be a numeric variable, but instead it was of type "
                f'"{type(batch)}"'
            )

    @staticmethod
    def _check_is_symbolic(batch: Batch) -> None:
        if not is_symbolic_batch(batch):
            raise TypeError(
                "Expected batch to be a symbolic variable, but instead it was of type "
                f'"{type(batch)}"'
            )

    def _clean_dtype_arg(self, dtype: Any) -> Any:
        """``dtype`` as a dtype string ('floatX' resolved), or None; TypeError otherwise."""
        if isinstance(dtype, np.dtype):
            dtype = str(dtype)
        if dtype == "floatX":
            return float_x()
        if dtype is None or (isinstance(dtype, str) and dtype in _scalar_dtypes()):
            return dtype
        raise TypeError(f'Unrecognized value "{dtype}" (type {type(dtype)}) for dtype arg')


def _is_complex(dtype: Any) -> bool:
    return bool(np.issubdtype(np.dtype(dtype), np.complexfloating))


def _is_integral(dtype: Any) -> bool:
    # bool counts as integral: a boolean batch casts to integers without loss.
    return bool(np.issubdtype(np.dtype(dtype), np.integer) or np.dtype(dtype) == np.bool_)


class SimplyTypedSpace(Space):
    """A space whose dtype is one dtype string (or None: any dtype).

    Validation refuses only casts that lose information by kind: a non-integral
    batch into an integral space, a complex batch into a real one.
    """

    def __init__(self, dtype: Any = "floatX", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dtype = Space._clean_dtype_arg(self, dtype)

    def _clean_dtype_arg(self, dtype: Any) -> Any:
        if dtype is None:
            if self.dtype is None:
                raise TypeError(
                    "self.dtype is None, so you must provide a non-None dtype argument "
                    "to this method."
                )
            return self.dtype
        return super()._clean_dtype_arg(dtype)

    @property
    def dtype(self) -> Any:
        """The dtype string, or None."""
        return self._dtype

    @dtype.setter
    def dtype(self, new_dtype: Any) -> None:
        self._dtype = Space._clean_dtype_arg(self, new_dtype)

    def _validate_impl(self, is_numeric: bool, batch: Batch) -> None:
        if isinstance(batch, tuple):
            raise TypeError(
                "This space only supports simple dtypes, but received a composite batch."
            )
        if self.dtype is not None and (
            (_is_complex(batch.dtype) and not _is_complex(self.dtype))
            or (not _is_integral(batch.dtype) and _is_integral(self.dtype))
        ):
            raise TypeError(
                f"Cannot safely cast batch dtype {batch.dtype} to space's dtype {self.dtype}. "
            )

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_dtype", pytensor.config.floatX)


def _check_tensor_batch(space: Space, batch: Batch, ndim: int) -> None:
    """Shared checks of a dense batch: ndarray or TensorType variable of ``ndim`` axes."""
    name = type(space).__name__
    if _is_variable(batch):
        if not isinstance(batch.type, pt.TensorType):
            raise TypeError(f"{name} batch should be TensorType, got {batch.type}")
        if batch.ndim != ndim:
            raise ValueError(f"{name} batches must be {ndim}D, got {batch.ndim} dimensions")
    else:
        if not isinstance(batch, np.ndarray):
            raise TypeError(
                f"The value of a {name} batch should be a numpy.ndarray, but is {type(batch)}."
            )
        if batch.ndim != ndim:
            raise ValueError(
                f"The value of a {name} batch must be {ndim}D, got {batch.ndim} dimensions."
            )


class _OneHot:
    """Integer labels to one-hot rows, numeric or symbolic (pylearn2's OneHotFormatter).

    ``merge``: one row per example with a 1 at every label present; ``concatenate``:
    the one-hot vectors of an example's labels side by side.
    """

    def __init__(self, max_labels: int) -> None:
        self.max_labels = int(max_labels)

    def numeric(self, targets: Any, mode: str, sparse: bool = False) -> Any:
        if targets.ndim > 2:
            raise ValueError(
                f"Targets needs to be 1D or 2D, but received {targets.ndim} dimensions"
            )
        if not np.issubdtype(targets.dtype, np.integer):
            raise TypeError("need an integer array for targets")
        dtype = pytensor.config.floatX
        one_hot = np.zeros((*targets.shape, self.max_labels), dtype=dtype)
        flat = one_hot.reshape(-1, self.max_labels)
        flat[np.arange(flat.shape[0]), targets.reshape(-1)] = 1
        if mode == "concatenate":
            result = one_hot.reshape(*targets.shape[:-1], -1)
        else:
            result = np.minimum(one_hot.sum(axis=one_hot.ndim - 2), 1).astype(dtype)
        if sparse:
            return _scipy_sparse().csr_matrix(np.atleast_2d(result))
        return result

    def symbolic(self, targets: Any, mode: str, sparse: bool = False) -> Any:
        if targets.ndim not in (1, 2):
            raise ValueError("targets tensor must be 1 or 2-dimensional")
        if "int" not in str(targets.dtype):
            raise TypeError("need an integer tensor for targets")
        single = targets.ndim == 1
        rows = targets.dimshuffle("x", 0) if single else targets
        dtype = pytensor.config.floatX
        if mode == "concatenate":
            width = rows.shape[1] * self.max_labels
            one_hot = pt.zeros((rows.size, self.max_labels), dtype=dtype)
            one_hot = pt.set_subtensor(one_hot[pt.arange(rows.size), rows.flatten()], 1)
            one_hot = one_hot.reshape((rows.shape[0], width))
        else:
            one_hot = pt.zeros((rows.shape[0], self.max_labels), dtype=dtype)
            one_hot = pt.set_subtensor(
                one_hot[pt.arange(rows.size) % rows.shape[0], rows.T.flatten()], 1
            )
        if sparse:
            return _sparse().csr_from_dense(one_hot)
        if single:
            one_hot = one_hot.reshape((one_hot.shape[1],))
        return one_hot


class IndexSpace(SimplyTypedSpace):
    """Examples of ``dim`` integer labels in ``0 .. max_labels - 1`` (e.g. MNIST's digit).

    Formats to a ``VectorSpace`` of ``max_labels`` (one-hot rows, labels merged) or of
    ``dim · max_labels`` (one-hot vectors side by side).

    Parameters
    ----------
    max_labels : int
    dim : int
    dtype : str, default='int64'
        An integer dtype.

    Raises
    ------
    ValueError
        If ``dtype`` is not an integer type.

    Examples
    --------
    >>> import numpy as np
    >>> IndexSpace(max_labels=3, dim=1).np_format_as(np.array([[2], [0]]), VectorSpace(3))
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """

    def __init__(self, max_labels: int, dim: int, dtype: str = "int64", **kwargs: Any) -> None:
        if "int" not in str(dtype):
            raise ValueError("The dtype of IndexSpace must be an integer type")
        super().__init__(dtype, **kwargs)
        self.max_labels = max_labels
        self.dim = dim
        self.formatter = _OneHot(max_labels)

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}(dim={self.dim}, max_labels={self.max_labels}, "
            f"dtype={self.dtype})"
        )

    def __hash__(self) -> int:
        return hash((type(self), self.dim, self.max_labels, self.dtype))

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, IndexSpace)
            and (self.max_labels, self.dim, self.dtype)
            == (other.max_labels, other.dim, other.dtype)
        )

    def get_total_dimension(self) -> int:
        """``dim``."""
        return int(self.dim)

    def get_origin(self) -> Any:
        """Zeros of shape (1, dim)."""
        return np.zeros((1, self.dim))

    def get_origin_batch(self, batch_size: int, dtype: Any = None) -> Any:
        """Zeros of shape (batch_size, dim)."""
        return np.zeros((batch_size, self.dim), dtype=self._clean_dtype_arg(dtype))

    def _check_sizes(self, space: Space) -> None:
        if isinstance(space, VectorSpace):
            if space.dim not in (self.max_labels, self.dim * self.max_labels):
                raise ValueError(
                    f"Can't convert to VectorSpace of dim {space.dim}. Expected either "
                    f"dim={self.max_labels} (merged one-hots) or {self.dim * self.max_labels} "
                    "(concatenated one-hots)"
                )
        elif isinstance(space, IndexSpace):
            if space.dim != self.dim or space.max_labels != self.max_labels:
                raise ValueError(
                    f"Can't convert to IndexSpace of dim {space.dim} and max_labels "
                    f"{space.max_labels}."
                )
        else:
            raise ValueError(f"Can't convert to {type(space)}")

    def _format_as_impl(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        if isinstance(space, VectorSpace):
            mode = "merge" if space.dim == self.max_labels else "concatenate"
            if space.dim not in (self.max_labels, self.dim * self.max_labels):
                raise ValueError(f"Can't convert {self} to {space}")
            build = self.formatter.numeric if is_numeric else self.formatter.symbolic
            return _cast(build(batch, mode, sparse=space.sparse), space.dtype)
        if isinstance(space, IndexSpace):
            if space.dim != self.dim or space.max_labels != self.max_labels:
                raise ValueError(f"Can't convert {self} to {space}")
            return _cast(batch, space.dtype)
        raise ValueError(f"Can't convert {self} to {space}")

    def make_theano_batch(
        self, name: str | None = None, dtype: Any = None, batch_size: int | None = None
    ) -> Any:
        """An integer matrix (a row when ``batch_size == 1``)."""
        dtype = self._clean_dtype_arg(dtype)
        if batch_size == 1:
            return pt.row(name=name, dtype=dtype)
        return pt.matrix(name=name, dtype=dtype)

    def _batch_size_impl(self, is_numeric: bool, batch: Batch) -> Any:
        return batch.shape[0]

    def _validate_impl(self, is_numeric: bool, batch: Batch) -> None:
        super()._validate_impl(is_numeric, batch)
        _check_tensor_batch(self, batch, 2)
        if is_numeric and batch.shape[1] != self.dim:
            raise ValueError(
                "The width of a IndexSpace batch must match with the space's dimension, "
                f"but batch has shape {batch.shape} and dim = {self.dim}."
            )


class VectorSpace(SimplyTypedSpace):
    """Examples that are vectors of ``dim`` numbers; batches are (n, dim) matrices.

    Parameters
    ----------
    dim : int
    sparse : bool, default=False
        Batches are scipy / PyTensor CSR matrices.
    dtype : str or None, default='floatX'

    Examples
    --------
    >>> VectorSpace(dim=4).get_origin_batch(2).shape
    (2, 4)
    """

    def __init__(
        self, dim: int, sparse: bool = False, dtype: Any = "floatX", **kwargs: Any
    ) -> None:
        super().__init__(dtype, **kwargs)
        self.dim = dim
        self.sparse = sparse

    def __str__(self) -> str:
        sparse = ", sparse" if self.sparse else ""
        return f"{type(self).__name__}(dim={self.dim}{sparse}, dtype={self.dtype})"

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, VectorSpace)
            and (self.dim, self.sparse, self.dtype) == (other.dim, other.sparse, other.dtype)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.dim, self.sparse, self.dtype))

    def get_origin(self) -> Any:
        """Zeros of shape (dim,)."""
        return np.zeros((self.dim,))

    def get_origin_batch(self, batch_size: int, dtype: Any = None) -> Any:
        """Zeros of shape (batch_size, dim) (a CSR matrix if sparse)."""
        dtype = self._clean_dtype_arg(dtype)
        if self.sparse:
            return _scipy_sparse().csr_matrix((batch_size, self.dim), dtype=dtype)
        return np.zeros((batch_size, self.dim), dtype=dtype)

    def _batch_size_impl(self, is_numeric: bool, batch: Batch) -> Any:
        return batch.shape[0]

    def make_theano_batch(
        self, name: str | None = None, dtype: Any = None, batch_size: int | None = None
    ) -> Any:
        """A symbolic matrix (a row when ``batch_size == 1``; CSR when sparse)."""
        dtype = self._clean_dtype_arg(dtype)
        if self.sparse:
            if batch_size is not None:
                raise NotImplementedError("batch_size not implemented for sparse case")
            return _sparse().csr_matrix(name=name, dtype=dtype)
        if batch_size == 1:
            return pt.row(name=name, dtype=dtype)
        return pt.matrix(name=name, dtype=dtype)

    def get_total_dimension(self) -> int:
        """``dim``."""
        return int(self.dim)

    def _format_as_impl(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        if not isinstance(space, IndexSpace):
            self._check_sizes(space)
        if isinstance(space, CompositeSpace):
            if _is_variable(batch) and _is_sparse_batch(batch):
                warnings.warn(
                    "Formatting from a sparse VectorSpace to a CompositeSpace is currently "
                    "(2 Jan 2014) a non-differentiable action. This is because it calls "
                    'slicing operations on a sparse batch (e.g. "my_matrix[r:R, c:C]", which '
                    "Theano does not yet have a gradient operator for. If autodifferentiation "
                    f"is reporting an error, this may be why. Formatting batch type {type(batch)} "
                    f"from space {self} to space {space}",
                    stacklevel=4,
                )
            pieces = []
            start = 0
            for component in space.components:
                width = component.get_total_dimension()
                piece = VectorSpace(width, sparse=self.sparse, dtype=self.dtype)
                pieces.append(
                    piece._format_as(is_numeric, batch[:, start : start + width], component)
                )
                start += width
            return tuple(pieces)
        if isinstance(space, Conv2DSpace):
            if _is_sparse_batch(batch):
                raise TypeError(
                    "Formatting a SparseVariable to a Conv2DSpace is not supported, since "
                    "neither scipy nor Theano has sparse tensors with more than 2 dimensions. "
                    "We need 4 dimensions to represent a Conv2DSpace batch"
                )
            sizes = {
                "b": batch.shape[0],
                "c": space.num_channels,
                0: space.shape[0],
                1: space.shape[1],
            }
            # Through the default axes always, so that a Conv2DSpace(c01b) -> VectorSpace
            # -> Conv2DSpace(b01c) round trip lands every number in its place.
            result = batch.reshape(tuple(sizes[axis] for axis in space.default_axes))
            if space.axes != space.default_axes:
                result = result.transpose(*[space.default_axes.index(axis) for axis in space.axes])
            return _cast(result, space.dtype)
        if isinstance(space, VectorSpace):
            if self.dim != space.dim:
                raise ValueError(
                    "Can't convert between VectorSpaces of different sizes "
                    f"({self.dim} to {space.dim})."
                )
            if space.sparse != _is_sparse_batch(batch):
                if space.sparse:
                    batch = _dense_to_sparse(batch)
                elif _is_variable(batch):
                    batch = _sparse().dense_from_sparse(batch)
                else:
                    batch = batch.toarray()
            return _cast(batch, space.dtype)
        raise NotImplementedError(f"{self} doesn't know how to format as {space}")

    def _undo_format_as_impl(self, batch: Batch, space: Space) -> Batch:
        if not isinstance(space, IndexSpace):
            self._check_sizes(space)
        if isinstance(space, CompositeSpace):
            # Every component is a slice of the one matrix: find a leaf and follow it
            # back through its own formatting to the slice, then to the matrix.
            leaf = _first_leaf(space, batch)
            if leaf is None:
                raise TypeError(
                    "Could not find a valid space to undo format from in the CompositeSpace."
                )
            leaf_space, leaf_batch, depth = leaf
            flat = VectorSpace(
                leaf_space.get_total_dimension(),
                sparse=getattr(leaf_space, "sparse", False),
                dtype=self.dtype,
            )
            result = flat._undo_format_as_impl(leaf_batch, leaf_space)
            # One slice per level of nesting, from the outermost matrix inwards.
            kind = "GetItem2d" if _is_sparse_batch(result) else "Subtensor"
            for _ in range(depth + 1):
                result = _undo(result, kind, strict=True)
            return result
        if isinstance(space, Conv2DSpace):
            if _is_sparse_batch(batch):
                raise TypeError(
                    "Undo formatting a SparseVariable to a Conv2DSpace is not supported"
                )
            batch = _undo(batch, "Cast")
            if space.axes != space.default_axes:
                batch = _undo(batch, "DimShuffle", strict=True)
            return _undo(batch, "Reshape", strict=True)
        if isinstance(space, VectorSpace):
            batch = _undo(batch, "Cast")
            if self.sparse != _is_sparse_batch(batch):
                kind = "SparseFromDense" if space.sparse else "DenseFromSparse"
                batch = _undo(batch, kind, strict=True)
            return batch
        raise NotImplementedError(f"{self} doesn't know how to format as {space}")

    def _validate_impl(self, is_numeric: bool, batch: Batch) -> None:
        super()._validate_impl(is_numeric, batch)
        if self.sparse:
            if not _is_sparse_batch(batch):
                kind = "symbolic" if _is_variable(batch) else "numeric"
                raise TypeError(
                    f"This VectorSpace is sparse, but the provided {kind} batch is not "
                    f'(batch type: "{type(batch)}")'
                )
            if batch.ndim != 2:
                raise ValueError(f"VectorSpace batches must be 2D, got {batch.ndim} dimensions")
        else:
            if _is_scipy_sparse(batch):
                raise TypeError(
                    "The value of a VectorSpace batch should be a numpy.ndarray, but is "
                    f"{type(batch)}."
                )
            if _is_variable(batch) and _is_sparse_batch(batch):
                raise TypeError(f"VectorSpace batch should be TensorType, got {batch.type}")
            _check_tensor_batch(self, batch, 2)
        if is_numeric and batch.shape[1] != self.dim:
            raise ValueError(
                "The width of a VectorSpace batch must match with the space's dimension, but "
                f"batch has shape {batch.shape} and dim = {self.dim}."
            )


def _dense_to_sparse(batch: Batch) -> Batch:
    if _is_variable(batch):
        return _sparse().csr_from_dense(batch)
    return _scipy_sparse().csr_matrix(batch)


def _first_leaf(
    space: CompositeSpace, batch: tuple[Any, ...], depth: int = 0
) -> tuple[Space, Any, int] | None:
    """The first component holding data, its part of ``batch`` and how deeply it nests."""
    for component, part in zip(space.components, batch, strict=True):
        if isinstance(component, NullSpace) or component.get_total_dimension() == 0:
            continue
        if isinstance(component, CompositeSpace):
            found = _first_leaf(component, part, depth + 1)
            if found is not None:
                return found
            continue
        return component, part, depth
    return None


class _SequenceSpace(SimplyTypedSpace):
    """One variable-length sequence per batch (batch size 1), as pylearn2's sequence spaces."""

    dim: int

    def make_theano_batch(
        self, name: str | None = None, dtype: Any = None, batch_size: int | None = None
    ) -> Any:
        """A symbolic matrix: one row per element of the sequence."""
        if batch_size != 1:
            raise ValueError(f"{type(self).__name__} does not support batches of sequences.")
        return pt.matrix(name=name, dtype=self._clean_dtype_arg(dtype))

    def _batch_size_impl(self, is_numeric: bool, batch: Batch) -> Any:
        return 1

    def _validate_impl(self, is_numeric: bool, batch: Batch) -> None:
        super()._validate_impl(is_numeric, batch)
        _check_tensor_batch(self, batch, 2)
        if is_numeric and batch.shape[1] != self.dim:
            raise ValueError(
                f"The width of a {type(self).__name__} batch must match with the space's "
                f"dimension, but batch has shape {batch.shape} and dim = {self.dim}."
            )


class VectorSequenceSpace(_SequenceSpace):
    """A sequence of vectors of ``dim`` numbers (a (length, dim) matrix).

    Examples
    --------
    >>> VectorSequenceSpace(dim=3)
    VectorSequenceSpace(dim=3, dtype=float64)
    """

    def __init__(self, dim: int, dtype: Any = "floatX", **kwargs: Any) -> None:
        super().__init__(dtype, **kwargs)
        self.dim = dim

    def __str__(self) -> str:
        return f"{type(self).__name__}(dim={self.dim}, dtype={self.dtype})"

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, VectorSequenceSpace)
            and (self.dim, self.dtype) == (other.dim, other.dtype)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.dim, self.dtype))

    def _check_sizes(self, space: Space) -> None:
        if not isinstance(space, VectorSequenceSpace):
            raise ValueError(f"Can't convert to {type(space)}")
        if space.dim != self.dim:
            raise ValueError(f"Can't convert to VectorSequenceSpace of dim {space.dim}")

    def _format_as_impl(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        if isinstance(space, VectorSequenceSpace) and space.dim == self.dim:
            return _cast(batch, space.dtype)
        raise ValueError(f"Can't convert {self} to {space}")


class IndexSequenceSpace(_SequenceSpace):
    """A sequence of ``dim`` integer labels below ``max_labels`` per element.

    Examples
    --------
    >>> IndexSequenceSpace(max_labels=6, dim=1).dtype
    'int64'
    """

    def __init__(self, max_labels: int, dim: int, dtype: str = "int64", **kwargs: Any) -> None:
        if "int" not in str(dtype):
            raise ValueError("The dtype of IndexSequenceSpace must be an integer type")
        super().__init__(dtype, **kwargs)
        self.max_labels = max_labels
        self.dim = dim
        self.formatter = _OneHot(max_labels)

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}(dim={self.dim}, max_labels={self.max_labels}, "
            f"dtype={self.dtype})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, IndexSequenceSpace)
            and (self.max_labels, self.dim, self.dtype)
            == (other.max_labels, other.dim, other.dtype)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.max_labels, self.dim, self.dtype))

    def _check_sizes(self, space: Space) -> None:
        if isinstance(space, VectorSequenceSpace):
            if space.dim not in (self.max_labels, self.dim * self.max_labels):
                raise ValueError(
                    f"Can't convert to VectorSequenceSpace of dim {space.dim}. Expected either "
                    f"dim={self.max_labels} (merged one-hots) or {self.dim * self.max_labels} "
                    "(concatenated one-hots)"
                )
        elif isinstance(space, IndexSequenceSpace):
            if space.dim != self.dim or space.max_labels != self.max_labels:
                raise ValueError(f"Can't convert to {space}")
        else:
            raise ValueError(f"Can't convert to {type(space)}")

    def _format_as_impl(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        if isinstance(space, VectorSequenceSpace):
            mode = "merge" if space.dim == self.max_labels else "concatenate"
            build = self.formatter.numeric if is_numeric else self.formatter.symbolic
            return _cast(build(batch, mode), space.dtype)
        if isinstance(space, IndexSequenceSpace):
            return _cast(batch, space.dtype)
        raise ValueError(f"Can't convert {self} to {space}")


class Conv2DSpace(SimplyTypedSpace):
    """Examples that are images of ``shape`` (rows, cols) with ``num_channels`` channels.

    ``axes`` orders the four axes of a batch: ``'b'`` (example), ``'c'`` (channel),
    ``0`` (rows), ``1`` (columns); the default ``('b', 0, 1, 'c')`` is pylearn2's
    topological view, ``('b', 'c', 0, 1)`` is what convolution ops take and
    ``('c', 0, 1, 'b')`` is cuda-convnet's. Formatting to a ``VectorSpace`` flattens
    in the default axis order whatever ``axes`` are, so conversions round-trip.

    Parameters
    ----------
    shape : sequence of two positive ints
    channels, num_channels : int
        Exactly one (synonyms).
    axes : sequence of 4, default=('b', 0, 1, 'c')
    dtype : str or None, default='floatX'

    Raises
    ------
    ValueError
        If ``shape``, the channel count or ``axes`` are malformed.

    Examples
    --------
    >>> space = Conv2DSpace((28, 28), num_channels=1, axes=("c", 0, 1, "b"))
    >>> space.get_origin_batch(10).shape
    (1, 28, 28, 10)
    """

    default_axes = ("b", 0, 1, "c")

    def __init__(
        self,
        shape: Sequence[int],
        channels: int | None = None,
        num_channels: int | None = None,
        axes: Sequence[Any] | None = None,
        dtype: Any = "floatX",
        **kwargs: Any,
    ) -> None:
        super().__init__(dtype, **kwargs)
        if (channels is None) == (num_channels is None):
            raise ValueError("Conv2DSpace takes exactly one of `channels` and `num_channels`")
        count = num_channels if num_channels is not None else channels
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
            raise ValueError(f"the number of channels must be a positive int, got {count!r}")
        if not hasattr(shape, "__len__"):
            raise ValueError(f"shape argument for Conv2DSpace must have a length. Got {shape}.")
        if len(shape) != 2:
            raise ValueError(f"shape argument to Conv2DSpace must be length 2, not {len(shape)}")
        if not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in shape
        ):
            raise ValueError(
                f"shape argument to Conv2DSpace must be two positive ints, got {shape}"
            )
        self.shape = tuple(int(n) for n in shape)
        self.num_channels = int(count)
        axes = self.default_axes if axes is None else tuple(axes)
        if len(axes) != 4 or sorted(map(str, axes)) != ["0", "1", "b", "c"]:
            raise ValueError(f"`axes` must order 'b', 0, 1 and 'c', got {axes!r}")
        self.axes = tuple(axes)

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}(shape={self.shape}, num_channels={self.num_channels}, "
            f"axes={self.axes}, dtype={self.dtype})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, Conv2DSpace)
            and (self.shape, self.num_channels, self.axes, self.dtype)
            == (other.shape, other.num_channels, other.axes, other.dtype)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.shape, self.num_channels, self.axes, self.dtype))

    def get_batch_axis(self) -> int:
        """Position of ``'b'`` in ``axes``."""
        return self.axes.index("b")

    def _sizes(self, batch_size: Any) -> dict[Any, Any]:
        return {"b": batch_size, 0: self.shape[0], 1: self.shape[1], "c": self.num_channels}

    def get_origin(self) -> Any:
        """One zero image, axes in ``axes`` order without ``'b'``."""
        sizes = self._sizes(None)
        return np.zeros([sizes[axis] for axis in self.axes if axis != "b"], dtype=self.dtype)

    def get_origin_batch(self, batch_size: int, dtype: Any = None) -> Any:
        """Zeros of the batch shape in ``axes`` order."""
        dtype = self._clean_dtype_arg(dtype)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(
                f"Conv2DSpace.get_origin_batch expects an int, got {batch_size} of type "
                f"{type(batch_size)}"
            )
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        sizes = self._sizes(int(batch_size))
        return np.zeros([sizes[axis] for axis in self.axes], dtype=dtype)

    def make_theano_batch(
        self, name: str | None = None, dtype: Any = None, batch_size: int | None = None
    ) -> Any:
        """A symbolic 4-tensor; the channel axis is broadcastable for one channel."""
        dtype = self._clean_dtype_arg(dtype)
        static: list[int | None] = [None] * 4
        if self.num_channels == 1:
            static[self.axes.index("c")] = 1
        if batch_size == 1:
            static[self.axes.index("b")] = 1
        return pt.TensorType(dtype=dtype, shape=tuple(static))(name=name)

    def _batch_size_impl(self, is_numeric: bool, batch: Batch) -> Any:
        return batch.shape[self.axes.index("b")]

    @staticmethod
    def convert(tensor: Any, src_axes: Sequence[Any], dst_axes: Sequence[Any]) -> Any:
        """``tensor`` (numeric or symbolic) with its axes moved from ``src_axes`` to ``dst_axes``.

        Examples
        --------
        >>> import numpy as np
        >>> Conv2DSpace.convert(np.zeros((2, 3, 4, 5)), ("b", 0, 1, "c"), ("c", 0, 1, "b")).shape
        (5, 3, 4, 2)
        """
        src, dst = tuple(src_axes), tuple(dst_axes)
        if len(src) != 4 or len(dst) != 4:
            raise ValueError(f"axes must have four entries, got {src} and {dst}")
        if src == dst:
            return tensor
        order = [src.index(axis) for axis in dst]
        if is_symbolic_batch(tensor):
            return tensor.dimshuffle(*order)
        return tensor.transpose(*order)

    @staticmethod
    def convert_numpy(tensor: Any, src_axes: Sequence[Any], dst_axes: Sequence[Any]) -> Any:
        """``convert`` for numpy arrays."""
        return Conv2DSpace.convert(tensor, src_axes, dst_axes)

    def get_total_dimension(self) -> int:
        """rows · cols · channels."""
        return self.shape[0] * self.shape[1] * self.num_channels

    def _validate_impl(self, is_numeric: bool, batch: Batch) -> None:
        super()._validate_impl(is_numeric, batch)
        if _is_sparse_batch(batch):
            raise TypeError(
                "Conv2DSpace cannot use sparse batches (they have 2 dimensions, not 4)"
            )
        _check_tensor_batch(self, batch, 4)
        if not is_numeric:
            return
        channel_axis = self.axes.index("c")
        if batch.shape[channel_axis] != self.num_channels:
            raise ValueError(
                f"Expected axis {channel_axis} to be number of channels ({self.num_channels}) "
                f"but it is {batch.shape[channel_axis]}"
            )
        for coord in (0, 1):
            axis = self.axes.index(coord)
            if batch.shape[axis] != self.shape[coord]:
                raise ValueError(
                    f"Conv2DSpace with shape {self.shape} and axes {self.axes} expected "
                    f"dimension {axis} of a batch to have length {self.shape[coord]} but it "
                    f"has {batch.shape[axis]}"
                )

    def _format_as_impl(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        if isinstance(space, VectorSpace):
            if self.axes != self.default_axes:
                batch = batch.transpose(*[self.axes.index(axis) for axis in self.default_axes])
            result = batch.reshape((batch.shape[0], self.get_total_dimension()))
            if space.sparse:
                result = _dense_to_sparse(result)
        elif isinstance(space, Conv2DSpace):
            result = Conv2DSpace.convert(batch, self.axes, space.axes)
        else:
            raise NotImplementedError(f"{self} doesn't know how to format as {space}")
        return _cast(result, space.dtype)

    def _undo_format_as_impl(self, batch: Batch, space: Space) -> Batch:
        batch = _undo(batch, "Cast")
        if isinstance(space, VectorSpace):
            batch = _undo(batch, "SparseFromDense")
            batch = _undo(batch, "Reshape", strict=True)
            if self.axes != self.default_axes:
                batch = _undo(batch, "DimShuffle", strict=True)
            return batch
        if isinstance(space, Conv2DSpace):
            if space.axes != self.axes:
                batch = _undo(batch, "DimShuffle", strict=True)
            return batch
        raise NotImplementedError(f"{self} doesn't know how to format as {space}")


class CompositeSpace(Space):
    """Examples that are tuples of examples of other spaces (nested tuples for nesting).

    Formats to another ``CompositeSpace`` of the same tree component by component, or
    to one ``VectorSpace`` by flattening and concatenating the components in order.

    Parameters
    ----------
    components : sequence of Space

    Raises
    ------
    TypeError
        If a component is not a Space.

    Examples
    --------
    >>> both = CompositeSpace([VectorSpace(3), IndexSpace(max_labels=10, dim=1)])
    >>> both.get_total_dimension(), both.dtype
    (4, ('float64', 'int64'))
    """

    def __init__(self, components: Sequence[Space], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(components, (list, tuple)):
            raise TypeError(f"`components` must be a list or tuple of spaces, got {components!r}")
        for index, component in enumerate(components):
            if not isinstance(component, Space):
                raise TypeError(
                    f"component {index} is {component} of type {type(component)}, "
                    "expected Space instance. "
                )
        self.components: list[Space] = list(components)

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, CompositeSpace)
            and len(self.components) == len(other.components)
            and all(a == b for a, b in zip(self.components, other.components, strict=True))
        )

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.components)))

    def __str__(self) -> str:
        return f"{type(self).__name__}({', '.join(str(c) for c in self.components)})"

    @property
    def dtype(self) -> Any:
        """A nested tuple of the components' dtypes."""
        return tuple(component.dtype for component in self.components)

    @dtype.setter
    def dtype(self, new_dtype: Any) -> None:
        if isinstance(new_dtype, tuple):
            _check_zip(new_dtype, self.components, "CompositeSpace dtype")
            for component, dtype in zip(self.components, new_dtype, strict=True):
                component.dtype = dtype
        elif new_dtype is None or isinstance(new_dtype, str):
            for component in self.components:
                if not isinstance(component, NullSpace):
                    component.dtype = new_dtype
        else:
            raise TypeError(
                f'Unrecognized value "{new_dtype}" (type {type(new_dtype)}) for dtype arg'
            )

    def restrict(self, subset: Sequence[int]) -> Space:
        """The components at the indices ``subset`` (the component itself for one index)."""
        if len(subset) == 1:
            return self.components[subset[0]]
        return CompositeSpace([self.components[i] for i in subset])

    def restrict_batch(self, batch: Batch, subset: Sequence[int]) -> Batch:
        """The parts of a symbolic ``batch`` at the indices ``subset``."""
        self._validate(False, batch)
        if len(subset) == 1:
            return batch[subset[0]]
        return tuple(batch[i] for i in subset)

    def get_total_dimension(self) -> int:
        """Sum of the components' total dimensions."""
        return sum(component.get_total_dimension() for component in self.components)

    def make_shared_batch(
        self, batch_size: int, name: str | None = None, dtype: Any = None
    ) -> Any:
        """A nested tuple of shared origin batches."""
        origin = self.get_origin_batch(batch_size, dtype)

        def share(batch: Any) -> Any:
            if isinstance(batch, tuple):
                return tuple(share(part) for part in batch)
            return pytensor.shared(batch, name=name)

        return share(origin)

    def _format_as_impl(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        if isinstance(space, VectorSpace):
            pieces = [
                component._format_as(
                    is_numeric,
                    part,
                    VectorSpace(
                        component.get_total_dimension(), sparse=space.sparse, dtype=space.dtype
                    ),
                )
                for component, part in zip(self.components, batch, strict=True)
            ]
            dtypes = {str(piece.dtype) for piece in pieces}
            if len(dtypes) > 1:
                raise TypeError(
                    "Tried to format components with differing dtypes into a VectorSpace with "
                    f"no dtype of its own. dtypes: {tuple(str(p.dtype) for p in pieces)}"
                )
            if is_numeric:
                if space.sparse:
                    return _scipy_sparse().hstack(pieces).tocsr()
                return np.concatenate(pieces, axis=1)
            if space.sparse:
                return _sparse().hstack(pieces, format="csr")
            return pt.concatenate(pieces, axis=1)
        if isinstance(space, CompositeSpace):
            return _map_composite(
                self,
                batch,
                space,
                lambda mine, part, theirs: mine._format_as(is_numeric, part, theirs),
            )
        raise NotImplementedError(f"{self} does not know how to format as {space}")

    def _undo_format_as_impl(self, batch: Batch, space: Space) -> Batch:
        if isinstance(space, VectorSpace):
            kind = "HStack" if space.sparse else "Join"
            if not _is_op(batch, kind):
                raise ValueError(f"expected the output of a {kind} op, got {batch!r}")
            inputs = list(batch.owner.inputs)
            if not space.sparse and inputs and inputs[0].ndim == 0:
                inputs = inputs[1:]  # the axis (an input of Join before PyTensor 3.1)
            _check_zip(inputs, self.components, "undo_format_as")
            parts = []
            for component, part in zip(self.components, inputs, strict=True):
                dtype = component.dtype
                while isinstance(dtype, tuple):
                    dtype = dtype[0]
                flat = VectorSpace(
                    component.get_total_dimension(),
                    sparse=getattr(component, "sparse", False),
                    dtype=dtype,
                )
                parts.append(component.undo_format_as(part, flat))
            return tuple(parts)
        if isinstance(space, CompositeSpace):
            return _map_composite(
                self, batch, space, lambda mine, part, theirs: mine.undo_format_as(part, theirs)
            )
        raise NotImplementedError(f"{self} does not know how to format as {space}")

    def _validate_impl(self, is_numeric: bool, batch: Batch) -> None:
        if not isinstance(batch, tuple):
            raise TypeError(
                "The value of a CompositeSpace batch should be a tuple, but is "
                f"{batch} of type {type(batch)}."
            )
        if len(batch) != len(self.components):
            raise ValueError(
                f"Expected {len(self.components)} elements in batch, got {len(batch)}"
            )
        for part, component in zip(batch, self.components, strict=True):
            component._validate(is_numeric, part)

    def get_origin_batch(self, batch_size: int, dtype: Any = None) -> Any:
        """A tuple of the components' origin batches (``dtype`` one string or a tree)."""
        dtypes = self._clean_dtype_arg(dtype)
        return tuple(
            component.get_origin_batch(batch_size, dt)
            for component, dt in zip(self.components, dtypes, strict=True)
        )

    def make_theano_batch(
        self, name: Any = None, dtype: Any = None, batch_size: int | None = None
    ) -> Any:
        """A tuple of the components' symbolic batches, named ``name[i]``."""
        if name is None:
            names: list[Any] = [None] * len(self.components)
        elif isinstance(name, (list, tuple)):
            names = list(name)
        else:
            names = [f"{name}[{i}]" for i in range(len(self.components))]
        dtypes = self._clean_dtype_arg(dtype)
        return tuple(
            component.make_theano_batch(name=n, dtype=d, batch_size=batch_size)
            for component, n, d in zip(self.components, names, dtypes, strict=True)
        )

    def _batch_size_impl(self, is_numeric: bool, batch: Batch) -> Any:
        result: Any = None
        for component, part in zip(self.components, batch, strict=True):
            if isinstance(component, NullSpace) or (
                isinstance(component, CompositeSpace) and not component.components
            ):
                continue
            size = component._batch_size(is_numeric, part)
            if not is_numeric:
                return size
            if result is None:
                result = size
            elif size != result:
                raise ValueError(
                    "All non-empty components of a CompositeSpace should have the same batch "
                    f"size, but we encountered components with size {result}, then {size}."
                )
        return 0 if result is None else result

    def _clean_dtype_arg(self, dtype: Any) -> Any:
        if dtype is None or isinstance(dtype, (str, np.dtype)):
            leaf = Space._clean_dtype_arg(self, dtype)

            def fill(space: Space) -> Any:
                if isinstance(space, CompositeSpace):
                    return tuple(fill(component) for component in space.components)
                return leaf

            return fill(self)

        def check(dtype: Any, space: Space) -> Any:
            if isinstance(space, CompositeSpace):
                if not isinstance(dtype, tuple):
                    raise TypeError("Tree structure mismatch.")
                _check_zip(dtype, space.components, "dtype tree")
                return tuple(check(d, c) for d, c in zip(dtype, space.components, strict=True))
            if not (dtype is None or isinstance(dtype, str)):
                raise TypeError("Tree structure mismatch.")
            return Space._clean_dtype_arg(self, dtype)

        return check(dtype, self)


def _map_composite(
    source: Space, batch: Batch, target: Space, convert: Callable[[Space, Any, Space], Any]
) -> Batch:
    if isinstance(source, CompositeSpace) != isinstance(target, CompositeSpace):
        raise TypeError("Can't convert between CompositeSpaces with different tree structures")
    if isinstance(source, CompositeSpace) and isinstance(target, CompositeSpace):
        _check_zip(source.components, target.components, "CompositeSpace")
        return tuple(
            _map_composite(mine, part, theirs, convert)
            for mine, part, theirs in zip(source.components, batch, target.components, strict=True)
        )
    return convert(source, batch, target)


class NullSpace(Space):
    """The space of no data: its only batch is None; its dtype is a placeholder string.

    Examples
    --------
    >>> NullSpace().np_validate(None)
    """

    def __init__(self) -> None:
        super().__init__()

    def __str__(self) -> str:
        return "NullSpace"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    @property
    def dtype(self) -> Any:
        """``"NullSpace's dtype"``."""
        return f"{type(self).__name__}'s dtype"

    @dtype.setter
    def dtype(self, new_dtype: Any) -> None:
        if new_dtype != self.dtype:
            raise TypeError(f'{type(self).__name__} can only take the bogus dtype "{self.dtype}"')

    def get_total_dimension(self) -> int:
        """0."""
        return 0

    def make_theano_batch(
        self, name: str | None = None, dtype: Any = None, batch_size: int | None = None
    ) -> Any:
        """None."""
        return None

    def get_origin_batch(self, batch_size: int, dtype: Any = None) -> Any:
        """None."""
        return None

    def _validate_impl(self, is_numeric: bool, batch: Batch) -> None:
        if batch is not None:
            raise TypeError(
                "NullSpace only accepts None, as a dummy data batch. Instead, got "
                f"{batch} of type {type(batch)}"
            )

    def _format_as_impl(self, is_numeric: bool, batch: Batch, space: Space) -> Batch:
        if not isinstance(space, NullSpace):
            raise NotImplementedError(f"{self} can only format as NullSpace, not {space}")
        return None

    def _batch_size_impl(self, is_numeric: bool, batch: Batch) -> Any:
        return 0
