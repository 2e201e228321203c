"""Data specifications ``(space, source)``: nested ones and their flat, de-duplicated form.

A cost or a monitor channel asks for data as ``(space, source)``: ``(VectorSpace(784),
'features')``, or a ``CompositeSpace`` with a tuple of sources (possibly nested, possibly
naming one source twice). ``DataSpecsMapping`` flattens such a request into the tuple of
distinct ``(space, source)`` pairs a dataset iterator serves, and nests the served
batches back into the requested shape, as pylearn2's ``utils.data_specs``.

Examples
--------
>>> from pylearn2_recipes.space import CompositeSpace, VectorSpace
>>> X, y = VectorSpace(4), VectorSpace(2)
>>> specs = (CompositeSpace([CompositeSpace([X, y]), X]), (("features", "targets"), "features"))
>>> mapping = DataSpecsMapping(specs)
>>> mapping.flatten(specs[1])
('features', 'targets')
>>> mapping.nest(("x", "y"))
(('x', 'y'), 'x')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pylearn2_recipes.space import CompositeSpace, NullSpace, Space

__all__ = ["DataSpecsMapping", "is_flat_source", "is_flat_space", "is_flat_specs"]


class DataSpecsMapping:
    """Converts between nested data (or specs) and its flat, non-redundant tuple.

    Parameters
    ----------
    data_specs : (Space, source)
        ``source`` mirrors the tree of ``space``: a string for a simple space, a
        (nested) tuple for a ``CompositeSpace``, ``''`` for a ``NullSpace``.

    Raises
    ------
    TypeError
        If the space is not a Space.
    ValueError
        If the source does not mirror the space.
    """

    def __init__(self, data_specs: tuple[Space, Any]) -> None:
        space, source = data_specs
        if not isinstance(space, Space):
            raise TypeError(f"Given space: {space} was not a instance of Space.")
        self.specs_to_index: dict[tuple[Space, Any], int] = {}
        self.n_unique_specs = 0
        self.spec_mapping = self._fill_mapping(space, source)

    def _fill_mapping(self, space: Space, source: Any) -> Any:
        if isinstance(space, NullSpace):
            if source != "":
                raise ValueError(f"a NullSpace's source must be '', got {source!r}")
            return None
        if not isinstance(space, CompositeSpace):
            if isinstance(source, (tuple, list)):
                if len(source) != 1:
                    raise ValueError(f"source {source!r} does not fit the simple space {space}")
                (source,) = source
            key = (space, source)
            if key not in self.specs_to_index:
                self.specs_to_index[key] = self.n_unique_specs
                self.n_unique_specs += 1
            return self.specs_to_index[key]
        if not isinstance(source, (tuple, list)) or len(source) != len(space.components):
            raise ValueError(f"source {source!r} does not mirror the components of {space}")
        return tuple(
            self._fill_mapping(component, part)
            for component, part in zip(space.components, source, strict=True)
        )

    def _fill_flat(self, nested: Any, mapping: Any, flat: list[Any]) -> None:
        if isinstance(nested, CompositeSpace):
            nested = tuple(nested.components)
        if mapping is None:
            if not isinstance(nested, NullSpace) and nested:
                raise ValueError(
                    f"{nested!r} is where the specs have a NullSpace: expected no data"
                )
            return
        if isinstance(mapping, int):
            if isinstance(nested, (tuple, list)):
                if len(nested) != 1:
                    raise ValueError(
                        f"expected one element at flat position {mapping}, got {len(nested)}"
                    )
                (nested,) = nested
            if flat[mapping] is None:
                flat[mapping] = nested
            elif not _same(flat[mapping], nested):
                raise ValueError(
                    "the same (space, source) appears twice in the specs with different "
                    f"values: {flat[mapping]!r} and {nested!r}"
                )
            return
        if len(nested) != len(mapping):
            raise ValueError(f"{nested!r} does not mirror the specs' tree {mapping!r}")
        for part, sub_mapping in zip(nested, mapping, strict=True):
            self._fill_flat(part, sub_mapping, flat)

    def flatten(self, nested: Any, return_tuple: bool = False) -> Any:
        """The flat tuple of ``nested`` (data, sources, or a space) without repeats.

        A single element comes back alone (not in a tuple) unless ``return_tuple``; a
        space comes back as a ``CompositeSpace`` of the distinct spaces.
        """
        flat: list[Any] = [None] * self.n_unique_specs
        self._fill_flat(nested, self.spec_mapping, flat)
        if any(item is None for item in flat):
            raise ValueError(f"{nested!r} does not provide every element the specs ask for")
        if return_tuple:
            return tuple(flat)
        if len(flat) == 1:
            return flat[0]
        if isinstance(nested, Space):
            return CompositeSpace(flat)
        return tuple(flat)

    def _nest(self, flat: Any, mapping: Any, spaces: bool) -> Any:
        if mapping is None:
            return NullSpace() if spaces else None
        if isinstance(mapping, int):
            if spaces:
                return flat.components[mapping] if isinstance(flat, CompositeSpace) else flat
            return flat[mapping] if isinstance(flat, (tuple, list)) else flat
        parts = [self._nest(flat, sub_mapping, spaces) for sub_mapping in mapping]
        return CompositeSpace(parts) if spaces else tuple(parts)

    def nest(self, flat: Any) -> Any:
        """The nested form of ``flat`` (a tuple of data or a flat space), as the specs ask.

        Raises
        ------
        ValueError
            If ``flat`` does not have one element per distinct (space, source).
        """
        if isinstance(flat, CompositeSpace):
            count = len(flat.components)
        elif isinstance(flat, (tuple, list)):
            count = len(flat)
        else:
            count = 1
        if count != self.n_unique_specs:
            raise ValueError(f"expected {self.n_unique_specs} flat elements, got {count}")
        return self._nest(flat, self.spec_mapping, isinstance(flat, Space))


def _same(first: Any, second: Any) -> bool:
    if first is second:
        return True
    if isinstance(first, (str, Space)) and isinstance(second, (str, Space)):
        return bool(first == second)
    if isinstance(first, np.ndarray) and isinstance(second, np.ndarray):
        return bool(np.array_equal(first, second))
    return False


def is_flat_space(space: Space) -> bool:
    """True for a simple space or a ``CompositeSpace`` of simple spaces.

    Examples
    --------
    >>> from pylearn2_recipes.space import VectorSpace
    >>> is_flat_space(CompositeSpace([VectorSpace(1), CompositeSpace([])]))
    False
    """
    if isinstance(space, CompositeSpace):
        return not any(isinstance(c, CompositeSpace) for c in space.components)
    if not isinstance(space, Space):
        raise TypeError(f"space is not a Space: {space} ({type(space)})")
    return True


def is_flat_source(source: Any) -> bool:
    """True for a string or a tuple of strings.

    Examples
    --------
    >>> is_flat_source(("features", ("targets",)))
    False
    """
    if isinstance(source, (tuple, list)):
        return all(isinstance(part, str) for part in source)
    if not isinstance(source, str):
        raise TypeError(f"source should be a string or a tuple, got {source!r}")
    return True


def is_flat_specs(data_specs: tuple[Space, Any]) -> bool:
    """Both halves of ``data_specs`` are flat.

    Examples
    --------
    >>> from pylearn2_recipes.space import VectorSpace
    >>> is_flat_specs((VectorSpace(3), "features"))
    True
    """
    return is_flat_space(data_specs[0]) and is_flat_source(data_specs[1])
