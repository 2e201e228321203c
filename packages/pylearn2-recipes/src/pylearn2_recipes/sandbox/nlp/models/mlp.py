"""pylearn2's ``sandbox.nlp.models.mlp``: ``ProjectionLayer``, word embeddings for an ``MLP``.

A ``ProjectionLayer`` takes integer labels (an ``IndexSpace``, or a ``CompositeSpace`` of
them with the same ``max_labels``) and replaces each label by its row of a
``(max_labels, dim)`` matrix ``W``, concatenating the rows of one example: an
``IndexSpace(dim=n)`` input gives a ``VectorSpace(n * dim)`` output, a composite input a
composite output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Shared, Symbolic
from pylearn2_recipes.models.mlp import (
    LAYER_TYPES,
    Layer,
    _check_optional_positive,
    _check_positive_int,
    _norm_statistics,
    _shared,
)
from pylearn2_recipes.space import CompositeSpace, IndexSpace, Space, VectorSpace

__all__ = ["ProjectionLayer"]


class ProjectionLayer(Layer):
    """Embeddings of integer labels, concatenated per example; pylearn2's ``ProjectionLayer``.

    Parameters
    ----------
    dim : int
        Size of one label's embedding.
    layer_name : str
    irange, istdev : float
        Exactly one: initial rows uniform in [-irange, irange] or N(0, istdev²), drawn
        from the MLP's RandomState as pylearn2.

    Raises
    ------
    ValueError
        If not exactly one of ``irange`` / ``istdev`` is given, or the input is not an
        ``IndexSpace`` (or a ``CompositeSpace`` of them with one ``max_labels``).

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP
    >>> layer = ProjectionLayer(dim=2, layer_name="embed", irange=0.1)
    >>> mlp = MLP([layer], input_space=IndexSpace(max_labels=5, dim=3))
    >>> layer.W.get_value().shape, layer.get_output_space()
    ((5, 2), VectorSpace(dim=6, dtype=float64))
    """

    _numpy_monitoring = False

    def __init__(
        self, dim: int, layer_name: str, irange: float | None = None, istdev: float | None = None
    ) -> None:
        self.embedding_dim = _check_positive_int(dim, "dim")
        self.dim = self.embedding_dim
        if not isinstance(layer_name, str) or not layer_name:
            raise ValueError(f"`layer_name` must be a non-empty str, got {layer_name!r}")
        self.layer_name = layer_name
        if (irange is None) == (istdev is None):
            raise ValueError(
                f"ProjectionLayer {layer_name!r} needs exactly one of `irange` and `istdev`"
            )
        self.irange = None if irange is None else float(irange)
        self.istdev = _check_optional_positive(istdev, "istdev")
        self.W_lr_scale = None
        self.b_lr_scale = None
        self.max_row_norm = None
        self.max_col_norm = None

    def _max_labels(self, space: Space) -> int:
        if isinstance(space, IndexSpace):
            return int(space.max_labels)
        if isinstance(space, CompositeSpace):
            labels = {self._max_labels(component) for component in space.components}
            if len(labels) != 1:
                raise ValueError(
                    "Composite space is empty or containing incompatible index spaces"
                )
            return labels.pop()
        raise ValueError(
            f"ProjectionLayer {self.layer_name!r} needs an IndexSpace or a CompositeSpace of "
            f"them as input, got {space}"
        )

    def _output(self, space: Space) -> Space:
        if isinstance(space, IndexSpace):
            return VectorSpace(self.embedding_dim * int(space.dim))
        assert isinstance(space, CompositeSpace)
        return CompositeSpace([self._output(component) for component in space.components])

    def connect(self, space: Space, flatten_output: bool = False) -> None:
        """Take the label space; the output has ``dim`` values per label."""
        self.max_labels = self._max_labels(space)
        self.input_space = space
        self.output_space = self._output(space)
        self.dim = self.output_space.get_total_dimension()

    def get_output_space(self) -> Space:
        """``VectorSpace(labels per example · dim)``, or a composite of them."""
        return self.output_space

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """``[(max_labels, dim)]``."""
        return [(self.max_labels, self.embedding_dim)]

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Draw ``W`` from ``rng`` (uniform with ``irange``, else normal with ``istdev``)."""
        shape = (self.max_labels, self.embedding_dim)
        if self.irange is not None:
            W = rng.uniform(-self.irange, self.irange, shape)
        else:
            assert self.istdev is not None
            W = rng.randn(*shape) * self.istdev
        self.set_param_arrays(input_dim, [W])

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """``[W]`` from stored values."""
        (W,) = arrays
        self.W = _shared(W, f"{self.layer_name}_W")

    def get_params(self) -> list[Shared]:
        """``[W]``."""
        return [self.W]

    def _project(self, labels: Any) -> Any:
        if isinstance(labels, (tuple, list)):
            return tuple(self._project(part) for part in labels)
        if "int" not in str(labels.dtype):
            raise TypeError(f"ProjectionLayer {self.layer_name!r} needs integer labels")
        if labels.ndim == 1:
            return self.W[labels].flatten()
        shape = (labels.shape[0], labels.shape[1] * self.W.shape[1])
        return self.W[labels.flatten()].reshape(shape)

    def fprop(self, state_below: Any) -> Any:
        """The embedding rows of the labels, concatenated per example."""
        return self._project(state_below)

    def get_layer_monitoring_channels(
        self, state_below: Any = None, state: Any = None, targets: Any = None
    ) -> dict[str, Symbolic]:
        """Row and column norms of ``W`` (pylearn2's only channels for this layer)."""
        return _norm_statistics(self.W)

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {
            "dim": self.embedding_dim,
            "layer_name": self.layer_name,
            "irange": self.irange,
            "istdev": self.istdev,
        }


LAYER_TYPES["ProjectionLayer"] = ProjectionLayer
