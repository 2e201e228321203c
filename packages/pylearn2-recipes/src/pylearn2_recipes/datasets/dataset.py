"""The dataset interface training algorithms and the monitor use, as pylearn2's ``Dataset``.

A dataset serves batches through ``iterator(mode, batch_size, num_batches, rng,
data_specs, return_tuple)``: ``data_specs`` names the sources wanted (``'features'``,
``'targets'``, ...) and the spaces to format them into; ``mode`` is one of
``pylearn2_recipes.utils.iteration``'s schemes. Subclass it (or ``DenseDesignMatrix``)
for your own data: implement ``iterator``, ``get_data_specs`` and ``get_num_examples``
as in pylearn2, or just ``get_num_examples``, ``get_design_matrix`` and (for
supervised costs) ``get_onehot_targets``, from which the others follow.
"""

from __future__ import annotations

from typing import Any

from pylearn2_recipes.utils.iteration import (
    FiniteDatasetIterator,
    SubsetIterator,
    resolve_iterator_class,
)

__all__ = ["Dataset"]


class Dataset:
    """Abstract base of datasets; pylearn2's ``datasets.dataset.Dataset``.

    Examples
    --------
    >>> Dataset().get_num_examples()
    Traceback (most recent call last):
    ...
    NotImplementedError: <class '...Dataset'> does not implement get_num_examples
    """

    def __iter__(self) -> Any:
        return self.iterator()

    def iterator(
        self,
        mode: str | type[SubsetIterator] | None = None,
        batch_size: int | None = None,
        num_batches: int | None = None,
        rng: Any = None,
        data_specs: Any = None,
        return_tuple: bool = False,
    ) -> Any:
        """An iterator over batches (see the module docstring)."""
        if type(self).get_design_matrix is Dataset.get_design_matrix:
            raise NotImplementedError(f"{type(self)} does not implement iterator")
        mode_class, batch_size, num_batches, rng, data_specs = self._init_iterator(
            mode or "sequential", batch_size, num_batches, rng, data_specs
        )
        subset = mode_class(self.get_num_examples(), batch_size, num_batches, rng)
        return FiniteDatasetIterator(
            self, subset, data_specs=data_specs, return_tuple=return_tuple
        )

    def get_design_matrix(self) -> Any:
        """Every example's features, one row each (simple datasets implement this)."""
        raise NotImplementedError(f"{type(self)} does not implement get_design_matrix")

    def get_onehot_targets(self) -> Any:
        """Targets, one row per example, or None (simple datasets implement this)."""
        return None

    def get_data(self) -> Any:
        """``get_design_matrix()``, with the targets as a tuple when there are some."""
        X = self.get_design_matrix()
        y = self.get_onehot_targets()
        return X if y is None else (X, y)

    def _init_iterator(
        self,
        mode: str | type[SubsetIterator] | None = None,
        batch_size: int | None = None,
        num_batches: int | None = None,
        rng: Any = None,
        data_specs: Any = None,
    ) -> list[Any]:
        """``[mode class, batch_size, num_batches, rng, data_specs]`` with defaults filled.

        The defaults come from ``_iter_subset_class``, ``_iter_batch_size``,
        ``_iter_num_batches``, ``_iter_data_specs`` and, for a stochastic mode,
        ``self.rng``.
        """
        if data_specs is None:
            data_specs = getattr(self, "_iter_data_specs", None)
            if (
                data_specs is None
                and type(self).get_design_matrix is not Dataset.get_design_matrix
            ):
                data_specs = _features_specs(self.get_data_specs())
            if data_specs is None:
                raise ValueError(
                    f"data_specs not provided and no default data spec set for {self}"
                )
        if mode is None:
            mode = getattr(self, "_iter_subset_class", None)
            if mode is None:
                raise ValueError(f"iteration mode not provided and no default mode set for {self}")
        mode_class = resolve_iterator_class(mode)
        if batch_size is None:
            batch_size = getattr(self, "_iter_batch_size", None)
        if num_batches is None:
            num_batches = getattr(self, "_iter_num_batches", None)
        if rng is None and mode_class.stochastic:
            rng = getattr(self, "rng", None)
        return [mode_class, batch_size, num_batches, rng, data_specs]

    def get_data_specs(self) -> Any:
        """``(space, sources)`` of everything the dataset holds."""
        if type(self).get_design_matrix is Dataset.get_design_matrix:
            raise NotImplementedError(f"{type(self)} does not implement get_data_specs")
        from pylearn2_recipes.space import CompositeSpace, VectorSpace

        data = self.get_data()
        if not isinstance(data, tuple):
            return (VectorSpace(data.shape[1]), "features")
        X, y = data
        space = CompositeSpace([VectorSpace(X.shape[1]), VectorSpace(y.shape[1])])
        return (space, ("features", "targets"))

    def get_num_examples(self) -> int:
        """Number of examples."""
        raise NotImplementedError(f"{type(self)} does not implement get_num_examples")

    def has_targets(self) -> bool:
        """Whether the dataset has a ``'targets'`` source."""
        raise NotImplementedError(f"{type(self)} does not implement has_targets")

    def adjust_for_viewer(self, X: Any) -> Any:
        """``X`` scaled for display (unchanged here)."""
        return X

    def get_batch_design(self, batch_size: int, include_labels: bool = False) -> Any:
        """A random batch as a design matrix (deprecated in pylearn2)."""
        raise NotImplementedError(f"{type(self)} does not implement get_batch_design.")

    def get_batch_topo(self, batch_size: int, include_labels: bool = False) -> Any:
        """A random batch as a topological view (deprecated in pylearn2)."""
        raise NotImplementedError(f"{type(self)} does not implement get_batch_topo.")


def _features_specs(specs: Any) -> Any:
    from pylearn2_recipes.space import CompositeSpace

    space, source = specs
    if isinstance(space, CompositeSpace):
        return (space.components[0], source[0])
    return (space, source)
