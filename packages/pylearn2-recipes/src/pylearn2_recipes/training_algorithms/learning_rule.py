"""Learning rules for SGD (classic or Nesterov momentum) and the momentum schedule.

Momentum: ``vel' = m·vel − lr·g``, ``p' = p + vel'`` (Nesterov:
``p' = p + m·vel' − lr·g``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np

from pylearn2_recipes._backend import Shared, Symbolic, pytensor
from pylearn2_recipes.train_extensions.interface import TrainExtension

if TYPE_CHECKING:
    from pylearn2_recipes.datasets.dataset import Dataset
    from pylearn2_recipes.models.mlp import MLP
    from pylearn2_recipes.monitor import Monitor

__all__ = ["LearningRule", "Momentum", "MomentumAdjustor"]


class LearningRule(ABC):
    """Turns gradients into parameter updates; built-ins in ``registry.LEARNING_RULES``."""

    @abstractmethod
    def get_updates(
        self,
        learning_rate: Shared,
        grads: dict[Shared, Symbolic],
        lr_scalers: dict[Shared, float],
    ) -> dict[Shared, Symbolic]:
        """Symbolic new value of every parameter (and of the rule's own state)."""

    def add_channels_to_monitor(self, monitor: Monitor) -> None:  # noqa: B027 - optional hook
        """Register the rule's channels (nothing by default)."""


class Momentum(LearningRule):
    """Classic (or Nesterov) momentum with coefficient ``init_momentum``.

    Parameters
    ----------
    init_momentum : float
        Must satisfy 0 <= m < 1.
    nesterov_momentum : bool, default=False

    Examples
    --------
    >>> float(Momentum(.5).momentum.get_value())
    0.5
    """

    def __init__(self, init_momentum: float, nesterov_momentum: bool = False) -> None:
        if not 0.0 <= init_momentum < 1.0:
            raise ValueError(f"`init_momentum` must be in [0, 1), got {init_momentum!r}")
        self.momentum = pytensor.shared(
            np.asarray(init_momentum, dtype=pytensor.config.floatX), name="momentum"
        )
        self.nesterov_momentum = bool(nesterov_momentum)

    def get_updates(
        self,
        learning_rate: Shared,
        grads: dict[Shared, Symbolic],
        lr_scalers: dict[Shared, float],
    ) -> dict[Shared, Symbolic]:
        """Velocity and parameter updates."""
        updates: dict[Shared, Symbolic] = {}
        for param, grad in grads.items():
            velocity = pytensor.shared(
                np.zeros_like(param.get_value(borrow=True)), name=f"vel_{param.name}"
            )
            step = learning_rate * lr_scalers.get(param, 1.0) * grad
            new_velocity = self.momentum * velocity - step
            updates[velocity] = new_velocity
            if self.nesterov_momentum:
                updates[param] = param + self.momentum * new_velocity - step
            else:
                updates[param] = param + new_velocity
        return updates

    def add_channels_to_monitor(self, monitor: Monitor) -> None:
        """The ``momentum`` channel."""
        monitor.add_channel("momentum", lambda: float(self.momentum.get_value()))


class MomentumAdjustor(TrainExtension):
    """Move momentum linearly from its initial value to ``final_momentum``.

    After the k-th ``on_monitor`` call momentum is ``init·(1−α) + final·α`` with
    ``α = clip((k − start)/(saturate − start), 0, 1)``; with (.99, 1, 50) and init .5,
    training epoch k of ``Train.main_loop`` uses ``.5 + .01·(k − 1)`` up to epoch 50.

    Parameters
    ----------
    final_momentum : float
    start, saturate : int
        Epochs where the ramp starts and ends (``saturate >= start``).

    Examples
    --------
    >>> MomentumAdjustor(.99, 1, 50).current_momentum_for(50, 0.5)
    0.99
    """

    def __init__(self, final_momentum: float, start: int, saturate: int) -> None:
        if not 0.0 <= final_momentum < 1.0:
            raise ValueError(f"`final_momentum` must be in [0, 1), got {final_momentum!r}")
        if saturate < start:
            raise ValueError(f"`saturate` ({saturate}) must be >= `start` ({start})")
        self.final_momentum = float(final_momentum)
        self.start = start
        self.saturate = saturate
        self._count = 0
        self._init_momentum: float | None = None

    def setup(self, model: MLP, dataset: Dataset, algorithm: Any) -> None:
        """Start counting from the epochs already seen and apply the schedule."""
        self._count = model.monitor.get_epochs_seen()
        self._apply(algorithm)

    def current_momentum_for(self, count: int, init_momentum: float) -> float:
        """Momentum after ``count`` ``on_monitor`` calls from ``init_momentum``."""
        if self.saturate == self.start:
            alpha = 1.0 if count >= self.start else 0.0
        else:
            alpha = min(max((count - self.start) / (self.saturate - self.start), 0.0), 1.0)
        return init_momentum * (1.0 - alpha) + alpha * self.final_momentum

    def on_monitor(self, model: MLP, dataset: Dataset, algorithm: Any) -> None:
        """Advance the count and set the algorithm's momentum."""
        self._count += 1
        self._apply(algorithm)

    def _apply(self, algorithm: Any) -> None:
        rule = getattr(algorithm, "learning_rule", None)
        if not isinstance(rule, Momentum):
            raise TypeError("MomentumAdjustor needs an SGD whose `learning_rule` is Momentum")
        if self._init_momentum is None:
            self._init_momentum = float(rule.momentum.get_value())
        rule.momentum.set_value(
            np.asarray(
                self.current_momentum_for(self._count, self._init_momentum),
                dtype=pytensor.config.floatX,
            )
        )
