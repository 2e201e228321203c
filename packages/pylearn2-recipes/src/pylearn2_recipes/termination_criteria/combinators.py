"""Combine termination criteria: ``And`` (stop when any says stop), ``Or`` (when all do)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pylearn2_recipes.termination_criteria.interface import TerminationCriterion

if TYPE_CHECKING:
    from pylearn2_recipes.models.mlp import MLP

__all__ = ["And", "Or"]


def _checked(criteria: Sequence[TerminationCriterion], name: str) -> list[TerminationCriterion]:
    items = list(criteria)
    for index, item in enumerate(items):
        if not isinstance(item, TerminationCriterion):
            raise TypeError(f"{name} `criteria[{index}]` is not a termination criterion: {item!r}")
    return items


class And(TerminationCriterion):
    """Keep training while *all* criteria say continue, pylearn2's ``And``.

    Every criterion is asked on each call (so each keeps its own count), as pylearn2.

    Examples
    --------
    >>> from pylearn2_recipes.termination_criteria import EpochCounter
    >>> len(And([EpochCounter(5), EpochCounter(10)]).criteria)
    2
    """

    def __init__(self, criteria: Sequence[TerminationCriterion]) -> None:
        self.criteria = _checked(criteria, "And")

    def continue_learning(self, model: MLP) -> bool:
        """True while every criterion wants to continue."""
        return all(criterion.continue_learning(model) for criterion in self.criteria)


class Or(TerminationCriterion):
    """Keep training while *any* criterion says continue, pylearn2's ``Or``.

    Examples
    --------
    >>> from pylearn2_recipes.termination_criteria import EpochCounter
    >>> len(Or([EpochCounter(5)]).criteria)
    1
    """

    def __init__(self, criteria: Sequence[TerminationCriterion]) -> None:
        self.criteria = _checked(criteria, "Or")

    def continue_learning(self, model: MLP) -> bool:
        """True while at least one criterion wants to continue."""
        return any(criterion.continue_learning(model) for criterion in self.criteria)
