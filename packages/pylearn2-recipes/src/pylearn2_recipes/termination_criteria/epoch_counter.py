"""Stop after a fixed number of epochs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pylearn2_recipes.termination_criteria.interface import TerminationCriterion

if TYPE_CHECKING:
    from pylearn2_recipes.models.model import Model

__all__ = ["EpochCounter"]


class EpochCounter(TerminationCriterion):
    """Train ``max_epochs`` epochs counted from the first call.

    ``Train.main_loop`` first asks after the epoch-0 monitor, so ``EpochCounter(400)``
    trains exactly 400 epochs there; a hand loop that asks only after each epoch
    trains one more, exactly as in pylearn2.

    Parameters
    ----------
    max_epochs : int
    new_epochs : bool, default=True
        Count from the epochs already seen at the first call (False: from zero).

    Examples
    --------
    >>> EpochCounter(400).max_epochs
    400
    """

    def __init__(self, max_epochs: int, new_epochs: bool = True) -> None:
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, int) or max_epochs < 0:
            raise ValueError(f"`max_epochs` must be an int >= 0, got {max_epochs!r}")
        self.max_epochs = max_epochs
        self.new_epochs = new_epochs
        self._offset: int | None = None

    def continue_learning(self, model: Model) -> bool:
        """True while fewer than ``max_epochs`` epochs have passed since the offset."""
        seen = model.monitor.get_epochs_seen()
        if self._offset is None:
            self._offset = seen if self.new_epochs else 0
        return seen - self._offset < self.max_epochs
