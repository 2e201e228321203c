"""A dataset of any number of named sources, as pylearn2's ``VectorSpacesDataset``.

Where ``DenseDesignMatrix`` holds features and perhaps targets, this holds one array per
source of flat ``data_specs`` (e.g. two feature sets and the targets), each in its own
space; ``iterator`` serves any subset of them, formatted into the spaces asked for.
"""

from __future__ import annotations

from typing import Any

from pylearn2_recipes.datasets.dataset import Dataset
from pylearn2_recipes.space import CompositeSpace, Space
from pylearn2_recipes.utils.data_specs import is_flat_specs
from pylearn2_recipes.utils.iteration import (
    FiniteDatasetIterator,
    SequentialSubsetIterator,
    make_np_rng,
)

__all__ = ["VectorSpacesDataset"]

_DEFAULT_SEED = (17, 2, 946)


class VectorSpacesDataset(Dataset):
    """Arrays for the sources of ``data_specs``, iterated together.

    Parameters
    ----------
    data : numpy.ndarray or tuple of numpy.ndarray
        One array per source, each with the examples on its batch axis, laid out as
        ``data_specs``'s space says.
    data_specs : (Space, str or tuple of str)
        Flat specs: a space (or ``CompositeSpace`` of non-composite spaces) and the
        source name(s), each name once.
    rng : int, sequence of int or RandomState, default=(17, 2, 946)
        For the stochastic iteration modes when ``iterator`` gets no ``rng``.
    preprocessor : object with ``apply(dataset, can_fit)``, optional
    fit_preprocessor : bool, default=False

    Raises
    ------
    ValueError
        If the specs are not flat, a source is named twice, the arrays do not fit
        their spaces or hold different numbers of examples.

    Examples
    --------
    >>> import numpy as np
    >>> from pylearn2_recipes.space import VectorSpace
    >>> specs = (CompositeSpace([VectorSpace(2), VectorSpace(1)]), ("features", "targets"))
    >>> ds = VectorSpacesDataset((np.zeros((5, 2)), np.ones((5, 1))), specs)
    >>> [(X.shape, y.shape) for X, y in ds.iterator(mode="sequential", batch_size=2)]
    [((2, 2), (2, 1)), ((2, 2), (2, 1)), ((1, 2), (1, 1))]
    """

    def __init__(
        self,
        data: Any = None,
        data_specs: tuple[Space, Any] | None = None,
        rng: Any = _DEFAULT_SEED,
        preprocessor: Any = None,
        fit_preprocessor: bool = False,
    ) -> None:
        if data_specs is None or not is_flat_specs(data_specs):
            raise ValueError(f"VectorSpacesDataset needs flat data_specs, got {data_specs!r}")
        space, source = data_specs
        if isinstance(source, tuple) and len(set(source)) != len(source):
            raise ValueError(f"each source may appear once in data_specs, got {source!r}")
        if isinstance(data, list):
            data = tuple(data)
        space.np_validate(data)
        arrays = list(data) if isinstance(space, CompositeSpace) else [data]
        counts = {space.np_batch_size(array) for space, array in _pairs(space, arrays)}
        if len(counts) > 1:
            raise ValueError(f"the sources hold different numbers of examples: {sorted(counts)}")
        self.data = data
        self.data_specs = data_specs
        self.num_examples = counts.pop() if counts else 0
        self.rng = make_np_rng(rng, _DEFAULT_SEED)
        # pylearn2 left the mode to the caller; sequential is what its monitor asks for.
        self._iter_subset_class = SequentialSubsetIterator
        if preprocessor:
            preprocessor.apply(self, can_fit=fit_preprocessor)
        self.preprocessor = preprocessor

    def iterator(
        self,
        mode: Any = None,
        batch_size: int | None = None,
        num_batches: int | None = None,
        rng: Any = None,
        data_specs: Any = None,
        return_tuple: bool = False,
    ) -> FiniteDatasetIterator:
        """Batches of the sources ``data_specs`` asks for (all of them by default).

        Raises
        ------
        ValueError
            For an unknown mode or source, or batch sizes the mode cannot serve.
        """
        if data_specs is None:
            data_specs = self.data_specs
        mode_class, batch_size, num_batches, rng, data_specs = self._init_iterator(
            mode, batch_size, num_batches, rng, data_specs
        )
        subset = mode_class(self.get_num_examples(), batch_size, num_batches, rng)
        return FiniteDatasetIterator(
            self, subset, data_specs=data_specs, return_tuple=return_tuple
        )

    def get_data_specs(self) -> tuple[Space, Any]:
        """The specs the data is stored in (what ``get_data`` returns)."""
        return self.data_specs

    def get_data(self) -> Any:
        """The arrays, one per source."""
        return self.data

    def get_num_examples(self) -> int:
        """Number of examples (the same in every source)."""
        return int(self.num_examples)


def _pairs(space: Space, arrays: list[Any]) -> list[tuple[Space, Any]]:
    spaces = space.components if isinstance(space, CompositeSpace) else [space]
    return list(zip(spaces, arrays, strict=True))
