"""Iteration schemes over a dataset's examples, as pylearn2's ``utils.iteration``.

A subset iterator yields which examples go in each batch (a slice or an index array);
``FiniteDatasetIterator`` turns those into batches of a dataset's sources, formatted
into the spaces a caller asked for. The modes, by name:

- ``sequential``: consecutive slices; the last batch may be short.
- ``shuffled_sequential``: one permutation per iterator, cut into consecutive batches.
- ``random_slice``: ``num_batches`` slices at random starts.
- ``random_uniform``: ``num_batches`` batches of indices drawn with replacement.
- ``batchwise_shuffled_sequential``: the sequential slices in a shuffled order.
- ``even_sequential``, ``even_shuffled_sequential``,
  ``even_batchwise_shuffled_sequential``: the same, dropping short batches.
- ``even_sequences``: batches of equal-length sequences.

Examples
--------
>>> [(s.start, s.stop) for s in SequentialSubsetIterator(10, 4, None)]
[(0, 4), (4, 8), (8, 10)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes.space import CompositeSpace, Space
from pylearn2_recipes.utils.data_specs import is_flat_specs

__all__ = [
    "BatchwiseShuffledSequentialIterator",
    "EvenSequencesSubsetIterator",
    "FiniteDatasetIterator",
    "ForcedEvenIterator",
    "RandomSliceSubsetIterator",
    "RandomUniformSubsetIterator",
    "SequentialSubsetIterator",
    "ShuffledSequentialSubsetIterator",
    "SubsetIterator",
    "as_even",
    "has_uniform_batch_size",
    "is_stochastic",
    "make_np_rng",
    "resolve_iterator_class",
]

Index = Any  # a slice or an integer index array

#: Bytes of rows a shuffled pass gathers at once (see FiniteDatasetIterator).
_BLOCK_BYTES = 1 << 20


def make_np_rng(
    rng_or_seed: Any = None, default_seed: Any = None, which_method: Any = None
) -> np.random.RandomState:
    """``rng_or_seed`` if it is a RandomState, else one seeded with it (or the default, or 42).

    Examples
    --------
    >>> make_np_rng(None, [1, 2]).randint(100) == np.random.RandomState([1, 2]).randint(100)
    True
    """
    if isinstance(rng_or_seed, np.random.RandomState):
        return rng_or_seed
    if rng_or_seed is not None:
        return np.random.RandomState(rng_or_seed)
    return np.random.RandomState(42 if default_seed is None else default_seed)


def _sizes(dataset_size: int, batch_size: int | None, num_batches: int | None) -> tuple[int, int]:
    """``(batch_size, num_batches)`` of a sequential scheme, the missing one derived."""
    if batch_size is None:
        if num_batches is None:
            raise ValueError("need one of batch_size, num_batches for sequential batch iteration")
        return math.ceil(dataset_size / num_batches), int(num_batches)
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    most = math.ceil(dataset_size / batch_size)
    if num_batches is None:
        return int(batch_size), most
    if num_batches < 0 or num_batches > most:
        raise ValueError(
            f"dataset of {dataset_size} examples can only provide {most} batches with "
            f"batch_size {batch_size}, but {num_batches} batches were requested"
        )
    return int(batch_size), int(num_batches)


class SubsetIterator:
    """Yields, batch after batch, which examples a batch holds (a slice or indices).

    ``fancy``: yields index arrays; ``stochastic``: uses a random generator;
    ``uniform_batch_size``: every batch has ``batch_size`` examples.
    """

    fancy = False
    stochastic = False
    uniform_batch_size = False
    _batch_size: int
    _num_batches: int
    _dataset_size: int

    def __init__(
        self,
        dataset_size: int,
        batch_size: int | None = None,
        num_batches: int | None = None,
        rng: Any = None,
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} is abstract")

    def next(self) -> Index:
        """The next batch's examples; StopIteration at the end."""
        raise NotImplementedError(f"{type(self).__name__} does not implement next")

    def __next__(self) -> Index:
        return self.next()

    def __iter__(self) -> SubsetIterator:
        return self

    @property
    def batch_size(self) -> int:
        """Examples per (full) batch."""
        return self._batch_size

    @property
    def num_batches(self) -> int:
        """Batches this iterator yields."""
        return self._num_batches

    @property
    def num_examples(self) -> int:
        """Examples this iterator yields in all."""
        return self.batch_size * self.num_batches

    @property
    def uneven(self) -> bool:
        """Whether the last batch may be short."""
        raise NotImplementedError(f"{type(self).__name__} does not implement uneven")


class SequentialSubsetIterator(SubsetIterator):
    """Consecutive slices of ``batch_size`` examples; the last may be short.

    Examples
    --------
    >>> SequentialSubsetIterator(10, None, 3).batch_size
    4
    """

    def __init__(
        self, dataset_size: int, batch_size: int | None, num_batches: int | None, rng: Any = None
    ) -> None:
        if rng is not None:
            raise ValueError("non-None rng argument not supported for sequential batch iteration")
        self._dataset_size = int(dataset_size)
        self._batch_size, self._num_batches = _sizes(self._dataset_size, batch_size, num_batches)
        self._next_batch_no = 0

    def _order(self, start: int, stop: int) -> Index:
        return slice(start, stop)

    def next_bounds(self) -> tuple[int, int]:
        """Advance by one batch; its (start, stop) positions in the order served."""
        start = self._next_batch_no * self._batch_size
        if self._next_batch_no >= self._num_batches or start >= self._dataset_size:
            raise StopIteration
        self._next_batch_no += 1
        return start, min(start + self._batch_size, self._dataset_size)

    def next(self) -> Index:
        """The next slice."""
        return self._order(*self.next_bounds())

    def bounds_left(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The (start, stop) positions of the batches ``next_bounds`` has yet to give.

        Nothing advances (see ``skip``).

        Examples
        --------
        >>> [b.tolist() for b in SequentialSubsetIterator(10, 4, None).bounds_left()]
        [[0, 4, 8], [4, 8, 10]]
        """
        # next_bounds stops after num_batches or at the first start past the data.
        last = min(self._num_batches, -(-self._dataset_size // self._batch_size))
        starts = np.arange(self._next_batch_no, max(last, self._next_batch_no), dtype=np.int64)
        starts *= self._batch_size
        return starts, np.minimum(starts + self._batch_size, self._dataset_size)

    def skip(self, count: int) -> None:
        """Advance by ``count`` batches, as ``count`` calls of ``next_bounds``."""
        self._next_batch_no += count

    @property
    def num_examples(self) -> int:
        """Examples in all (the dataset, unless ``num_batches`` stops early)."""
        return min(self.batch_size * self.num_batches, self._dataset_size)

    @property
    def uneven(self) -> bool:
        """Whether the last batch is short."""
        return self.batch_size * self.num_batches > self._dataset_size


class ShuffledSequentialSubsetIterator(SequentialSubsetIterator):
    """A permutation drawn once (``rng.shuffle(arange(n))``), cut into consecutive batches.

    Examples
    --------
    >>> sorted(np.concatenate(list(ShuffledSequentialSubsetIterator(5, 2, None, rng=0))))
    [np.int64(0), np.int64(1), np.int64(2), np.int64(3), np.int64(4)]
    """

    stochastic = True
    fancy = True

    def __init__(
        self, dataset_size: int, batch_size: int | None, num_batches: int | None, rng: Any = None
    ) -> None:
        super().__init__(dataset_size, batch_size, num_batches, None)
        self._rng = make_np_rng(rng)
        self._shuffled = np.arange(self._dataset_size)
        self._rng.shuffle(self._shuffled)

    def _order(self, start: int, stop: int) -> Index:
        return self._shuffled[start:stop]


class RandomUniformSubsetIterator(SubsetIterator):
    """``num_batches`` batches of ``batch_size`` indices drawn uniformly with replacement.

    Examples
    --------
    >>> len(list(RandomUniformSubsetIterator(50, 5, 3, rng=0)))
    3
    """

    fancy = True
    stochastic = True
    uniform_batch_size = True

    def __init__(
        self, dataset_size: int, batch_size: int | None, num_batches: int | None, rng: Any = None
    ) -> None:
        if batch_size is None:
            raise ValueError(f"batch_size cannot be None for {self._what}")
        if num_batches is None:
            raise ValueError(f"num_batches cannot be None for {self._what}")
        self._rng = make_np_rng(rng)
        self._dataset_size = int(dataset_size)
        self._batch_size = int(batch_size)
        self._num_batches = int(num_batches)
        self._next_batch_no = 0

    _what = "random uniform iteration"

    def _draw(self) -> Index:
        return self._rng.randint(0, self._dataset_size, size=(self._batch_size,))

    def next(self) -> Index:
        """The next draw."""
        if self._next_batch_no >= self._num_batches:
            raise StopIteration
        self._next_batch_no += 1
        return self._draw()

    @property
    def uneven(self) -> bool:
        """False: every batch is full."""
        return False


class RandomSliceSubsetIterator(RandomUniformSubsetIterator):
    """``num_batches`` slices of ``batch_size`` consecutive examples at random starts.

    Examples
    --------
    >>> s = next(RandomSliceSubsetIterator(50, 5, 1, rng=0)); s.stop - s.start
    5
    """

    fancy = False
    _what = "random slice iteration"

    def __init__(
        self, dataset_size: int, batch_size: int | None, num_batches: int | None, rng: Any = None
    ) -> None:
        super().__init__(dataset_size, batch_size, num_batches, rng)
        self._last_start = self._dataset_size - self._batch_size
        if self._last_start < 0:
            raise ValueError("batch_size > dataset_size not supported for random slice iteration")

    def _draw(self) -> Index:
        start = int(self._rng.randint(0, self._last_start + 1))
        return slice(start, start + self._batch_size)


class BatchwiseShuffledSequentialIterator(SequentialSubsetIterator):
    """The sequential slices, visited in a shuffled order.

    Examples
    --------
    >>> sorted(s.start for s in BatchwiseShuffledSequentialIterator(30, 7, rng=0))
    [0, 7, 14, 21, 28]
    """

    stochastic = True

    def __init__(
        self,
        dataset_size: int,
        batch_size: int | None,
        num_batches: int | None = None,
        rng: Any = None,
    ) -> None:
        super().__init__(dataset_size, batch_size, num_batches, None)
        self._rng = make_np_rng(rng)
        self._batch_order = list(range(self._num_batches))
        self._rng.shuffle(self._batch_order)

    def next(self) -> Index:
        """The next slice in the shuffled order."""
        if self._next_batch_no >= self._num_batches:
            raise StopIteration
        start = self._batch_order[self._next_batch_no] * self._batch_size
        self._next_batch_no += 1
        return slice(start, min(start + self._batch_size, self._dataset_size))


class ForcedEvenIterator(SubsetIterator):
    """Wraps a scheme, skipping its short batches (see ``as_even``)."""

    uniform_batch_size = True
    _base_iterator_cls: type[SubsetIterator]

    def __init__(
        self,
        dataset_size: int,
        batch_size: int | None,
        num_batches: int | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if batch_size is None:
            if num_batches is None:
                raise ValueError(
                    "need one of batch_size, num_batches for sequential batch iteration"
                )
            batch_size = dataset_size // num_batches
        else:
            most = dataset_size // batch_size
            if num_batches is None:
                num_batches = most
            elif num_batches > most:
                raise ValueError(
                    f"dataset of {dataset_size} examples can only provide {most} batches of "
                    f"equal size with batch_size {batch_size}, but {num_batches} batches "
                    "were requested"
                )
        self._base_iterator = self._base_iterator_cls(
            dataset_size, batch_size, num_batches, *args, **kwargs
        )

    @property
    def _dataset_size(self) -> int:  # type: ignore[override]
        return self._base_iterator._dataset_size

    @property
    def _batch_size(self) -> int:  # type: ignore[override]
        return self._base_iterator._batch_size

    @property
    def _num_batches(self) -> int:  # type: ignore[override]
        return self._base_iterator._num_batches

    @property
    def num_examples(self) -> int:
        """Examples in all, short batches excluded."""
        product = self.batch_size * self.num_batches
        return product - self.batch_size if product > self._dataset_size else product

    def next(self) -> Index:
        """The next full batch."""
        while True:
            batch = self._base_iterator.next()
            length = batch.stop - batch.start if isinstance(batch, slice) else len(batch)
            if length == self.batch_size:
                return batch

    @property
    def uneven(self) -> bool:
        """False."""
        return False


def as_even(iterator_cls: type[SubsetIterator]) -> type[SubsetIterator]:
    """A version of the scheme ``iterator_cls`` that yields only full batches.

    Examples
    --------
    >>> len(list(as_even(SequentialSubsetIterator)(10, 4, None)))
    2
    """
    if not issubclass(iterator_cls, SubsetIterator):
        raise TypeError(f"{iterator_cls} is not a SubsetIterator")
    return type(
        f"ForcedEven{iterator_cls.__name__}",
        (ForcedEvenIterator,),
        {
            "_base_iterator_cls": iterator_cls,
            "fancy": iterator_cls.fancy,
            "stochastic": iterator_cls.stochastic,
        },
    )


class EvenSequencesSubsetIterator(SubsetIterator):
    """Batches of sequences of one length each (for variable-length sequence data).

    Examples
    --------
    >>> data = [[1], [2, 3], [4], [5, 6]]
    >>> sorted(sorted(b.tolist()) for b in EvenSequencesSubsetIterator(data, 2, rng=0))
    [[0, 2], [1, 3]]
    """

    fancy = True
    stochastic = True

    def __init__(
        self,
        sequence_data: Sequence[Any] | np.ndarray,
        batch_size: int | None,
        num_batches: int | None = None,
        rng: Any = None,
    ) -> None:
        if batch_size is None:
            raise ValueError("batch_size cannot be None for even sequences iteration")
        if num_batches is not None:
            raise ValueError("EvenSequencesSubsetIterator doesn't support fixed number of batches")
        if not isinstance(sequence_data, (list, np.ndarray)):
            raise ValueError("sequence_data must be of type list or ndarray")
        self._rng = make_np_rng(rng)
        self._sequence_data = sequence_data
        self._dataset_size = len(sequence_data)
        self._batch_size = int(batch_size)
        lengths = np.array([len(s) for s in sequence_data])
        self._by_length = {int(n): np.flatnonzero(lengths == n) for n in np.unique(lengths)}
        self._pending: list[np.ndarray] = []
        self._reset()

    def _reset(self) -> None:
        batches: list[np.ndarray] = []
        for length in self._rng.permutation(sorted(self._by_length)):
            order = self._rng.permutation(self._by_length[int(length)])
            batches.extend(
                order[i : i + self._batch_size] for i in range(0, len(order), self._batch_size)
            )
        self._pending = batches[::-1]

    @property
    def num_batches(self) -> int:
        """Batches per pass."""
        return sum(math.ceil(len(v) / self._batch_size) for v in self._by_length.values())

    @property
    def num_examples(self) -> int:
        """Every sequence."""
        return self._dataset_size

    def next(self) -> Index:
        """The next batch of indices; a new shuffle after StopIteration."""
        if not self._pending:
            self._reset()
            raise StopIteration
        return self._pending.pop()

    @property
    def uneven(self) -> bool:
        """True: batches of a length may be short."""
        return True


_iteration_schemes: dict[str, type[SubsetIterator]] = {
    "sequential": SequentialSubsetIterator,
    "shuffled_sequential": ShuffledSequentialSubsetIterator,
    "random_slice": RandomSliceSubsetIterator,
    "random_uniform": RandomUniformSubsetIterator,
    "batchwise_shuffled_sequential": BatchwiseShuffledSequentialIterator,
    "even_sequential": as_even(SequentialSubsetIterator),
    "even_shuffled_sequential": as_even(ShuffledSequentialSubsetIterator),
    "even_batchwise_shuffled_sequential": as_even(BatchwiseShuffledSequentialIterator),
    "even_sequences": EvenSequencesSubsetIterator,
}


def resolve_iterator_class(mode: str | type[SubsetIterator]) -> type[SubsetIterator]:
    """The SubsetIterator class a mode names (or the class itself).

    Raises
    ------
    ValueError
        For an unknown mode name.

    Examples
    --------
    >>> resolve_iterator_class("sequential").__name__
    'SequentialSubsetIterator'
    """
    if isinstance(mode, str):
        if mode not in _iteration_schemes:
            raise ValueError(
                f"unknown iteration mode string: {mode} (known: {sorted(_iteration_schemes)})"
            )
        return _iteration_schemes[mode]
    return mode


def has_uniform_batch_size(mode: str | type[SubsetIterator]) -> bool:
    """Whether every batch of ``mode`` is full.

    Examples
    --------
    >>> has_uniform_batch_size("even_sequential"), has_uniform_batch_size("sequential")
    (True, False)
    """
    return resolve_iterator_class(mode).uniform_batch_size


def is_stochastic(mode: str | type[SubsetIterator]) -> bool:
    """Whether ``mode`` uses a random generator.

    Examples
    --------
    >>> is_stochastic("shuffled_sequential")
    True
    """
    return resolve_iterator_class(mode).stochastic


class FiniteDatasetIterator:
    """Batches of a dataset's sources, formatted into the requested spaces.

    Parameters
    ----------
    dataset : Dataset
        Provides ``get_data_specs()`` and ``get_data()`` (or ``get(sources, index)``).
    subset_iterator : SubsetIterator
    data_specs : (Space, source), flat
        What to serve: one source, or a ``CompositeSpace`` with a tuple of sources.
    return_tuple : bool, default=False
        A one-source batch comes as a 1-tuple instead of bare.
    convert : sequence of callable or None, optional
        Per source, a function applied to each batch instead of the space conversion.

    Raises
    ------
    ValueError
        If the dataset lacks a requested source (the message names it).
    """

    def __init__(
        self,
        dataset: Any,
        subset_iterator: SubsetIterator,
        data_specs: tuple[Space, Any] | None = None,
        return_tuple: bool = False,
        convert: Sequence[Callable[[Any], Any] | None] | None = None,
    ) -> None:
        if data_specs is None:
            data_specs = dataset.get_data_specs()
        if not is_flat_specs(data_specs):
            raise ValueError(f"an iterator needs flat data specs, got {data_specs}")
        self._dataset = dataset
        self._subset_iterator = subset_iterator
        self._return_tuple = return_tuple
        self._data_specs = data_specs
        dataset_space, dataset_source = dataset.get_data_specs()
        dataset_sources = (
            tuple(dataset_source)
            if isinstance(dataset_source, (tuple, list))
            else (dataset_source,)
        )
        dataset_spaces = (
            tuple(dataset_space.components)
            if isinstance(dataset_space, CompositeSpace)
            else (dataset_space,)
        )
        space, source = data_specs
        sources = tuple(source) if isinstance(source, (tuple, list)) else (source,)
        spaces = tuple(space.components) if isinstance(space, CompositeSpace) else (space,)
        if len(sources) != len(spaces):
            raise ValueError(f"{len(sources)} sources for {len(spaces)} spaces in {data_specs}")
        self._source = sources
        self._space = spaces
        converters = list(convert) if convert is not None else [None] * len(sources)
        if len(converters) != len(sources):
            raise ValueError(f"{len(converters)} converters for {len(sources)} sources")
        positions = []
        for name in sources:
            if name not in dataset_sources:
                raise ValueError(
                    f"The dataset does not provide a source with name: {name}. "
                    f"It provides {dataset_sources}."
                )
            positions.append(dataset_sources.index(name))
        self._convert: list[Callable[[Any], Any]] = []
        for converter, position, target in zip(converters, positions, spaces, strict=True):
            if converter is None:
                converter = _formatter(dataset_spaces[position], target)
            self._convert.append(converter)
        self._uses_get = hasattr(dataset, "get")
        if not self._uses_get:
            everything = dataset.get_data()
            if not isinstance(everything, tuple):
                everything = (everything,)
            self._raw_data = tuple(everything[position] for position in positions)
        self._whole: tuple[Any, ...] | None = None
        # Convert whole arrays once when the scheme visits every example and the
        # conversions keep examples on axis 0 (so a row of the converted array is the
        # converted row).
        self._hoist = (
            not self._uses_get
            and _visits_everything(subset_iterator)
            and all(target.get_batch_axis() == 0 for target in spaces)
            and all(isinstance(c, _SpaceFormatter) for c in self._convert)
        )
        plain = self._hoist and all(isinstance(data, np.ndarray) for data in self._raw_data)
        # A shuffled pass gathers its rows block by block (a few batches per gather,
        # about `_BLOCK_BYTES` at a time) and serves slices of the gathered block: the
        # same rows, in the same order, as gathering each batch, for less per batch.
        self._blocked = plain and type(subset_iterator) is ShuffledSequentialSubsetIterator
        self._block: tuple[np.ndarray, ...] = ()
        self._block_start = self._block_stop = 0
        self.serves_runs = plain and type(subset_iterator) in (
            SequentialSubsetIterator,
            ShuffledSequentialSubsetIterator,
        )
        """Whether ``next_run`` serves the batches (else only ``next`` does)."""

    def __iter__(self) -> FiniteDatasetIterator:
        return self

    def _whole_epoch(self) -> tuple[Any, ...] | None:
        """Every source converted once, for schemes that visit each example once.

        Converting the whole arrays once and slicing them per batch serves the same
        batches as converting each batch, for a fraction of the per-batch cost.
        """
        if self._whole is None:
            self._whole = tuple(
                _contiguous(convert(data))
                for data, convert in zip(self._raw_data, self._convert, strict=True)
            )
        return self._whole

    def next(self) -> Any:
        """The next batch: a tuple (one element per source) or, for one source, bare."""
        if self._blocked:
            batch = self._next_from_block()
            if not self._return_tuple and len(batch) == 1:
                return batch[0]
            return batch
        index = self._subset_iterator.next()
        if self._uses_get:
            parts = self._dataset.get(self._source, index)
            batch = tuple(
                _contiguous(convert(part))
                for part, convert in zip(parts, self._convert, strict=True)
            )
        elif self._hoist:
            whole = self._whole_epoch()
            assert whole is not None
            batch = tuple(data[index] for data in whole)
        else:
            batch = tuple(
                _contiguous(convert(data[index]))
                for data, convert in zip(self._raw_data, self._convert, strict=True)
            )
        if not self._return_tuple and len(batch) == 1:
            return batch[0]
        return batch

    __next__ = next

    def next_run(
        self,
    ) -> tuple[tuple[np.ndarray, ...], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The next batches at once, as ``(arrays, starts, stops)`` (when ``serves_runs``).

        Batch k is ``tuple(a[starts[k]:stops[k]] for a in arrays)``: the batches ``next``
        would serve, in order, the same slices of the same arrays (a sequential pass: the
        whole sources; a shuffled one: each gathered block, so a run per block).

        Raises
        ------
        StopIteration
            When every batch has been served.
        RuntimeError
            If the iterator does not serve runs.

        Examples
        --------
        >>> from pylearn2_recipes.datasets import DenseDesignMatrix
        >>> data = DenseDesignMatrix(X=np.arange(10.0).reshape(5, 2))
        >>> arrays, starts, stops = data.iterator(mode="sequential", batch_size=2).next_run()
        >>> starts.tolist(), stops.tolist(), arrays[0][starts[2]:stops[2]].tolist()
        ([0, 2, 4], [2, 4, 5], [[8.0, 9.0]])
        """
        if not self.serves_runs:
            raise RuntimeError(f"this iterator ({self._subset_iterator}) serves no runs")
        subset = self._subset_iterator
        assert isinstance(subset, SequentialSubsetIterator)
        starts, stops = subset.bounds_left()
        if not len(starts):
            raise StopIteration
        if not self._blocked:
            subset.skip(len(starts))
            whole = self._whole_epoch()
            assert whole is not None
            return whole, starts, stops
        assert isinstance(subset, ShuffledSequentialSubsetIterator)
        if stops[0] > self._block_stop:
            self._gather_block(subset, int(starts[0]), int(stops[0]))
        count = int(np.searchsorted(stops, self._block_stop, side="right"))
        subset.skip(count)
        offset = self._block_start
        return self._block, starts[:count] - offset, stops[:count] - offset

    def _next_from_block(self) -> tuple[Any, ...]:
        subset = self._subset_iterator
        assert isinstance(subset, ShuffledSequentialSubsetIterator)
        start, stop = subset.next_bounds()
        if stop > self._block_stop:
            self._gather_block(subset, start, stop)
        # Blocks start on a batch boundary: this is the block's batch, cut as it served.
        first = start - self._block_start
        return tuple(data[first : first + subset.batch_size] for data in self._block)

    def _gather_block(
        self, subset: ShuffledSequentialSubsetIterator, start: int, stop: int
    ) -> None:
        """Gather the rows from ``start`` on, at least to ``stop`` (whole batches)."""
        whole = self._whole_epoch()
        assert whole is not None
        row_bytes = sum(data.itemsize * (data.size // max(len(data), 1)) for data in whole)
        batch_size = subset.batch_size
        rows = max(stop - start, _BLOCK_BYTES // max(row_bytes, 1) // batch_size * batch_size)
        order = subset._shuffled[start : start + rows]
        self._block = tuple(data[order] for data in whole)
        self._block_start, self._block_stop = start, start + len(order)

    @property
    def batch_size(self) -> int:
        """The subset iterator's batch size."""
        return self._subset_iterator.batch_size

    @property
    def num_batches(self) -> int:
        """The subset iterator's number of batches."""
        return self._subset_iterator.num_batches

    @property
    def num_examples(self) -> int:
        """Examples this iterator serves."""
        return self._subset_iterator.num_examples

    @property
    def uneven(self) -> bool:
        """Whether the last batch may be short."""
        return self._subset_iterator.uneven

    @property
    def stochastic(self) -> bool:
        """Whether the scheme is random."""
        return self._subset_iterator.stochastic


class _SpaceFormatter:
    """``source_space.np_format_as(batch, target_space)``, row by row (so it may be hoisted)."""

    def __init__(self, source: Space, target: Space) -> None:
        self.source = source
        self.target = target
        self.identity = source == target

    def __call__(self, batch: Any) -> Any:
        if self.identity and getattr(batch, "dtype", None) == self.target.dtype:
            return batch
        return self.source.np_format_as(_as_rows(batch, self.source), self.target)


def _as_rows(batch: Any, space: Space) -> Any:
    # The vector spaces want (n, dim); a dataset may keep one target column 1-D.
    from pylearn2_recipes.space import IndexSpace, VectorSpace

    if isinstance(space, (IndexSpace, VectorSpace)) and getattr(batch, "ndim", 2) == 1:
        return batch.reshape(-1, 1)
    return batch


def _formatter(source: Space, target: Space) -> Callable[[Any], Any]:
    return _SpaceFormatter(source, target)


def _visits_everything(iterator: SubsetIterator) -> bool:
    if isinstance(iterator, ForcedEvenIterator):
        iterator = iterator._base_iterator
    return isinstance(iterator, SequentialSubsetIterator)


def _contiguous(batch: Any) -> Any:
    if isinstance(batch, np.ndarray) and not batch.flags.c_contiguous:
        return np.ascontiguousarray(batch)
    return batch
