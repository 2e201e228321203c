"""Run a bandit experiment: ``Simulator(agent, environment, algorithm, save_path)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from pylearn2_recipes.exceptions import NonFiniteError

__all__ = ["Simulator"]


class Simulator:
    """Step the algorithm forever (pylearn2) or ``max_steps`` times, saving every 1000.

    Parameters are checked for NaN and Inf before and after every step. What is saved
    every 1000 steps is the agent's MLP (safe model format) when it has one; pylearn2
    pickled the whole agent.

    Examples
    --------
    >>> from pylearn2_recipes.sandbox.lisa_rl.bandit.algorithm import Algorithm
    >>> from pylearn2_recipes.sandbox.lisa_rl.bandit.average_agent import AverageAgent
    >>> from pylearn2_recipes.sandbox.lisa_rl.bandit.gaussian_bandit import GaussianBandit
    >>> sim = Simulator(AverageAgent(5.0, 3), GaussianBandit(3), Algorithm(), "unused.pkl")
    >>> sim.main_loop(max_steps=4); len(sim.agent.reward_record)
    4
    """

    def __init__(self, agent: Any, environment: Any, algorithm: Any, save_path: str) -> None:
        self.agent = agent
        self.environment = environment
        self.algorithm = algorithm
        self.save_path = save_path

    def _check(self, step: int) -> None:
        for param in self.agent.get_params():
            if not np.all(np.isfinite(param.get_value(borrow=True))):
                raise NonFiniteError(f"NaN or Inf in parameter {param.name!r} at step {step}")

    def main_loop(self, max_steps: int | None = None) -> None:
        """Run (``max_steps`` is this package's addition: None runs forever, as pylearn2)."""
        from pylearn2_recipes.utils import serial

        self.algorithm.setup(agent=self.agent, environment=self.environment)
        self._check(0)
        step = 0
        while max_steps is None or step < max_steps:
            self.algorithm.train()
            step += 1
            self._check(step)
            if step % 1000 == 0 and hasattr(self.agent, "mlp"):
                serial.save(self.save_path, self.agent.mlp)
