"""An n-armed bandit agent that plays the arm with the best average reward so far."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pylearn2_recipes.sandbox.lisa_rl.bandit.agent import Agent

__all__ = ["AverageAgent"]


class AverageAgent(Agent):
    """Greedy on running means; untried arms count as ``init_reward_estimate``.

    Parameters
    ----------
    init_reward_estimate : float
        Optimistic values encourage trying every arm.
    num_arms : int

    Examples
    --------
    >>> agent = AverageAgent(init_reward_estimate=5.0, num_arms=3)
    >>> learn = agent.get_learn_func(); learn(1, 2.0); agent.estimated_rewards.tolist()
    [5.0, 2.0, 5.0]
    """

    def __init__(self, init_reward_estimate: float, num_arms: int) -> None:
        self.init_reward_estimate = float(init_reward_estimate)
        self.num_arms = int(num_arms)
        self.estimated_rewards = np.zeros(self.num_arms) + self.init_reward_estimate
        self.observation_counts = np.zeros(self.num_arms)

    def get_decide_func(self) -> Callable[[], int]:
        """The arm with the highest estimate."""
        return lambda: int(np.argmax(self.estimated_rewards))

    def get_learn_func(self) -> Callable[[int, Any], None]:
        """Update arm ``a``'s running mean with reward ``r``."""

        def learn(action: int, reward: Any) -> None:
            self.observation_counts[action] += 1.0
            delta = float(reward) - self.estimated_rewards[action]
            self.estimated_rewards[action] += delta / self.observation_counts[action]

        return learn
