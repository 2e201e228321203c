"""The termination-criterion interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pylearn2_recipes.models.model import Model

__all__ = ["TerminationCriterion"]


class TerminationCriterion(ABC):
    """Decides, after each monitoring call, whether training goes on."""

    @abstractmethod
    def continue_learning(self, model: Model) -> bool:
        """True to train another epoch."""

    def __call__(self, model: Model) -> bool:
        return self.continue_learning(model)
