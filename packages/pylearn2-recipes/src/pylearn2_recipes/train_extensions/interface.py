"""The training-extension interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pylearn2_recipes.datasets.dataset import Dataset
    from pylearn2_recipes.models.model import Model

__all__ = ["TrainExtension"]


class TrainExtension(ABC):
    """Hooks called by ``Train``: ``on_monitor`` is required, the others default to nothing."""

    def setup(self, model: Model, dataset: Dataset, algorithm: Any) -> None:  # noqa: B027 - optional hook
        """Called once, after the algorithm's setup and before the epoch-0 monitor."""

    @abstractmethod
    def on_monitor(self, model: Model, dataset: Dataset, algorithm: Any) -> None:
        """Called after each monitoring call; raise StopIteration to stop training."""

    def on_save(self, model: Model, dataset: Dataset, algorithm: Any) -> None:  # noqa: B027 - optional hook
        """Called before ``Train`` saves the model."""

    def continue_learning(self, model: Model) -> bool:
        """False to stop training."""
        return True
