"""Learning rules for SGD (classic or Nesterov momentum) and the momentum schedule.

Momentum: ``vel' = m·vel − lr·g``, ``p' = p + vel'`` (Nesterov:
``p' = p + m·vel' − lr·g``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np

from pylearn2_recipes._backend import Shared, Symbolic, pt, pytensor
from pylearn2_recipes.exceptions import InvalidArgumentError
from pylearn2_recipes.train_extensions.interface import TrainExtension

if TYPE_CHECKING:
    from pylearn2_recipes.datasets.dataset import Dataset
    from pylearn2_recipes.models.model import Model
    from pylearn2_recipes.monitor import Monitor

__all__ = ["AdaDelta", "AdaGrad", "LearningRule", "Momentum", "MomentumAdjustor", "RMSProp"]


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

    def add_channels_to_monitor(  # noqa: B027 - optional hook
        self, monitor: Monitor, monitoring_dataset: Any
    ) -> None:
        """Register the rule's channels on ``monitoring_dataset`` (nothing by default)."""


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
            raise InvalidArgumentError(f"`init_momentum` must be in [0, 1), got {init_momentum!r}")
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

    def add_channels_to_monitor(self, monitor: Monitor, monitoring_dataset: Any) -> None:
        """The ``momentum`` channel."""
        from pylearn2_recipes.space import NullSpace

        monitor.add_channel(
            name="momentum",
            ipt=None,
            val=self.momentum,
            data_specs=(NullSpace(), ""),
            dataset=monitoring_dataset,
        )


class AdaDelta(LearningRule):
    """AdaDelta (Zeiler 2012), with the learning rate as its ε, as in pylearn2.

    ``G' = d·G + (1−d)·g²``, ``Δ = −sqrt(D + ε) / sqrt(G' + ε) · g``,
    ``D' = d·D + (1−d)·Δ²``, ``p' = p + Δ``, where ``ε = lr · lr_scaler``.

    Parameters
    ----------
    decay : float, default=0.95
        In [0, 1).

    Raises
    ------
    ValueError
        If ``decay`` is outside [0, 1).

    Examples
    --------
    >>> AdaDelta(decay=0.9).decay
    0.9
    """

    def __init__(self, decay: float = 0.95) -> None:
        if not 0.0 <= decay < 1.0:
            raise InvalidArgumentError(f"`decay` must be in [0, 1), got {decay!r}")
        self.decay = decay

    def get_updates(
        self,
        learning_rate: Shared,
        grads: dict[Shared, Symbolic],
        lr_scalers: dict[Shared, float],
    ) -> dict[Shared, Symbolic]:
        """Both running averages and the parameter updates."""
        updates: dict[Shared, Symbolic] = {}
        decay = self.decay
        for param, grad in grads.items():
            zeros = np.zeros_like(param.get_value(borrow=True))
            square_grad = pytensor.shared(zeros, name=f"mean_square_grad_{param.name}")
            square_step = pytensor.shared(zeros.copy(), name=f"mean_square_dx_{param.name}")
            epsilon = lr_scalers.get(param, 1.0) * learning_rate
            new_square_grad = decay * square_grad + (1 - decay) * pt.sqr(grad)
            step = -pt.sqrt(square_step + epsilon) / pt.sqrt(new_square_grad + epsilon) * grad
            updates[square_grad] = new_square_grad
            updates[square_step] = decay * square_step + (1 - decay) * pt.sqr(step)
            updates[param] = param + step
        return updates


class AdaGrad(LearningRule):
    """AdaGrad: ``s' = s + g²``, ``p' = p − lr·g / max(sqrt(s'), 1/max_scaling)``.

    Parameters
    ----------
    max_scaling : float, default=1e5
        Caps the step's scaling (pylearn2's ``eps = 1 / max_scaling``).

    Examples
    --------
    >>> AdaGrad().eps
    1e-05
    """

    def __init__(self, max_scaling: float = 1e5) -> None:
        if not max_scaling > 0:
            raise InvalidArgumentError(f"`max_scaling` must be > 0, got {max_scaling!r}")
        self.eps = 1.0 / max_scaling

    def get_updates(
        self,
        learning_rate: Shared,
        grads: dict[Shared, Symbolic],
        lr_scalers: dict[Shared, float],
    ) -> dict[Shared, Symbolic]:
        """Accumulator and parameter updates."""
        updates: dict[Shared, Symbolic] = {}
        for param, grad in grads.items():
            total = pytensor.shared(
                np.zeros_like(param.get_value(borrow=True)), name=f"sum_square_grad_{param.name}"
            )
            new_total = total + pt.sqr(grad)
            scale = pt.maximum(self.eps, pt.sqrt(new_total))
            updates[total] = new_total
            updates[param] = param - lr_scalers.get(param, 1.0) * learning_rate / scale * grad
        return updates


class RMSProp(LearningRule):
    """RMSProp: ``m' = d·m + (1−d)·g²``, ``p' = p − lr·g / max(sqrt(m'), 1/max_scaling)``.

    Parameters
    ----------
    decay : float, default=0.9
        In [0, 1).
    max_scaling : float, default=1e5

    Examples
    --------
    >>> float(RMSProp(decay=0.8).decay.get_value())
    0.8
    """

    def __init__(self, decay: float = 0.9, max_scaling: float = 1e5) -> None:
        if not 0.0 <= decay < 1.0:
            raise InvalidArgumentError(f"`decay` must be in [0, 1), got {decay!r}")
        if not max_scaling > 0:
            raise InvalidArgumentError(f"`max_scaling` must be > 0, got {max_scaling!r}")
        self.decay = pytensor.shared(np.asarray(decay, dtype=pytensor.config.floatX), "decay")
        self.epsilon = 1.0 / max_scaling
        self.mean_square_grads: dict[str, Shared] = {}

    def get_updates(
        self,
        learning_rate: Shared,
        grads: dict[Shared, Symbolic],
        lr_scalers: dict[Shared, float],
    ) -> dict[Shared, Symbolic]:
        """Moving-average and parameter updates."""
        updates: dict[Shared, Symbolic] = {}
        for param, grad in grads.items():
            mean_square = pytensor.shared(
                np.zeros_like(param.get_value(borrow=True)),
                name=f"mean_square_grad_{param.name}",
            )
            self.mean_square_grads[str(param.name)] = mean_square
            new_mean = self.decay * mean_square + (1 - self.decay) * pt.sqr(grad)
            rms = pt.maximum(pt.sqrt(new_mean), self.epsilon)
            updates[mean_square] = new_mean
            updates[param] = param - lr_scalers.get(param, 1.0) * learning_rate * grad / rms
        return updates


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

    def setup(self, model: Model, dataset: Dataset, algorithm: Any) -> None:
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

    def on_monitor(self, model: Model, dataset: Dataset, algorithm: Any) -> None:
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
