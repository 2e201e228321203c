"""An n-armed bandit whose arms pay Gaussian rewards."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pylearn2_recipes.sandbox.lisa_rl.bandit.environment import Environment

__all__ = ["GaussianBandit"]


class GaussianBandit(Environment):
    """Arm i pays N(mean_i, std_i); means ~ N(0, mean_std), stds ~ |N(0, std_std)|.

    Drawn from ``RandomState([2013, 11, 12])`` as pylearn2; the rewards come from a numpy
    generator seeded from it (pylearn2 used Theano's stream).

    Examples
    --------
    >>> GaussianBandit(num_arms=4).means.shape
    (4,)
    """

    def __init__(self, num_arms: int, mean_std: float = 1.0, std_std: float = 1.0) -> None:
        self.rng = np.random.RandomState([2013, 11, 12])
        self.means = self.rng.randn(num_arms) * mean_std
        self.stds = np.abs(self.rng.randn(num_arms) * std_std)
        self.reward_rng = np.random.RandomState(self.rng.randint(2**16))

    def get_action_func(self) -> Callable[[int], float]:
        """Reward for pulling arm ``action``."""
        return lambda action: float(self.reward_rng.normal(self.means[action], self.stds[action]))
