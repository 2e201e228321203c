"""Drive an agent in an environment: decide, act, record the reward, learn."""

from __future__ import annotations

from typing import Any

__all__ = ["Algorithm", "ContextualBanditAlgorithm"]


class Algorithm:
    """One step is ``a = decide(); r = act(a); learn(a, r)``, pylearn2's ``Algorithm``.

    Examples
    --------
    >>> from pylearn2_recipes.sandbox.lisa_rl.bandit.average_agent import AverageAgent
    >>> from pylearn2_recipes.sandbox.lisa_rl.bandit.gaussian_bandit import GaussianBandit
    >>> agent, algorithm = AverageAgent(5.0, 3), Algorithm()
    >>> algorithm.setup(agent, GaussianBandit(3)); algorithm.train(); len(agent.reward_record)
    1
    """

    def setup(self, agent: Any, environment: Any) -> None:
        """Fetch the agent's and environment's step functions; reset the reward record."""
        self.decide_func = agent.get_decide_func()
        self.action_func = environment.get_action_func()
        self.learn_func = agent.get_learn_func()
        agent.reward_record = []
        self.agent = agent

    def train(self) -> None:
        """One step."""
        action = self.decide_func()
        reward = self.action_func(action)
        self.agent.reward_record.append(reward)
        self.learn_func(action, reward)


class ContextualBanditAlgorithm(Algorithm):
    """One step on a batch of contexts: the mean reward is recorded.

    Examples
    --------
    >>> ContextualBanditAlgorithm().__class__.__name__
    'ContextualBanditAlgorithm'
    """

    def setup(self, agent: Any, environment: Any) -> None:
        """As ``Algorithm.setup``, plus the environment's context function."""
        self.context_func = environment.get_context_func()
        super().setup(agent, environment)
        agent.dataset_yaml_src = getattr(environment.dataset, "yaml_src", None)

    def train(self) -> None:
        """Contexts, actions, rewards, then a learning update."""
        contexts = self.context_func()
        actions = self.decide_func(contexts)
        rewards = self.action_func(actions)
        self.learn_func(contexts, actions, rewards)
        self.agent.reward_record.append(float(rewards.mean()) if rewards.ndim else rewards)
