"""A contextual-bandit agent that knows the task is classification, on an ``MLP``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pylearn2_recipes._backend import pt, pytensor
from pylearn2_recipes.sandbox.lisa_rl.bandit.agent import Agent

__all__ = ["ClassifierAgent"]


class ClassifierAgent(Agent):
    """Chooses one-hot class codes with an MLP and learns from 0/1 rewards.

    The learning update treats a rewarded action as the target, and an unrewarded one
    as "any other class" (uniform over the others) unless ``neg_target`` or
    ``ignore_wrong`` say otherwise, as pylearn2's.

    Parameters
    ----------
    mlp : MLP
    learning_rule : LearningRule
    init_learning_rate : float
    cost : Cost
    update_callbacks : sequence of callable
        Each called with the agent after every update (e.g. ``ExponentialDecay``).
    stochastic : bool, default=False
        Sample the class from the MLP's probabilities instead of the argmax.
    epsilon, epsilon_stochastic : float, optional
        Explore uniformly (or by the probabilities) with this probability.
    neg_target, ignore_wrong : bool, default=False
        Other readings of an unrewarded action (at most one).
    """

    def __init__(
        self,
        mlp: Any,
        learning_rule: Any,
        init_learning_rate: float,
        cost: Any,
        update_callbacks: Sequence[Callable[[Any], Any]] | Callable[[Any], Any] = (),
        stochastic: bool = False,
        epsilon: float | None = None,
        neg_target: bool = False,
        ignore_wrong: bool = False,
        epsilon_stochastic: float | None = None,
    ) -> None:
        if neg_target and ignore_wrong:
            raise ValueError("ClassifierAgent: `neg_target` and `ignore_wrong` exclude each other")
        self.mlp = mlp
        self.learning_rule = learning_rule
        self.cost = cost
        self.update_callbacks = (
            [update_callbacks] if callable(update_callbacks) else list(update_callbacks)
        )
        self.stochastic = stochastic
        self.epsilon = epsilon
        self.neg_target = neg_target
        self.ignore_wrong = ignore_wrong
        self.epsilon_stochastic = epsilon_stochastic
        self.learning_rate = pytensor.shared(
            np.asarray(init_learning_rate, dtype=pytensor.config.floatX), name="learning_rate"
        )
        self.rng = np.random.RandomState(2013 + 11 + 20)
        #: PyTensor mode of the learning function (None: PyTensor's default).
        self.theano_function_mode: Any = None

    def get_params(self) -> list[Any]:
        """The MLP's parameters."""
        return list(self.mlp.get_params())

    def _sample(self, probabilities: Any) -> Any:
        cumulative = probabilities.cumsum(axis=1)
        draws = self.rng.uniform(size=(probabilities.shape[0], 1)) * cumulative[:, -1:]
        chosen = (cumulative < draws).sum(axis=1)
        return np.eye(probabilities.shape[1])[np.minimum(chosen, probabilities.shape[1] - 1)]

    def get_decide_func(self) -> Callable[[Any], Any]:
        """One-hot actions for a batch of contexts."""

        def decide(contexts: Any) -> Any:
            y_hat = self.mlp.predict_proba(contexts)
            if self.stochastic:
                actions = self._sample(y_hat)
            else:
                actions = (y_hat == y_hat.max(axis=1, keepdims=True)).astype(np.float64)
            if self.epsilon is not None:
                uniform = np.ones_like(y_hat) / y_hat.shape[1]
                actions = self._sample((1.0 - self.epsilon) * actions + self.epsilon * uniform)
            if self.epsilon_stochastic is not None:
                mix = (1.0 - self.epsilon_stochastic) * actions + self.epsilon_stochastic * y_hat
                actions = self._sample(mix)
            return actions

        return decide

    def get_learn_func(self) -> Callable[[Any, Any, Any], None]:
        """A compiled update from contexts, actions and rewards."""
        floatX = pytensor.config.floatX
        contexts = pt.matrix("contexts", dtype=floatX)
        actions = pt.matrix("actions", dtype=floatX)
        rewards = pt.vector("rewards", dtype=floatX)
        if self.neg_target:
            targets = actions * (2.0 * rewards - 1.0).dimshuffle(0, "x")
        elif self.ignore_wrong:
            targets = actions * rewards.dimshuffle(0, "x")
        else:
            correct = actions * rewards.dimshuffle(0, "x")
            others = (pt.ones_like(actions) - actions) / (pt.cast(actions.shape[1], floatX) - 1.0)
            targets = correct + others * (1 - rewards).dimshuffle(0, "x")
        grads = self.cost.get_gradients(self.mlp, (contexts, targets))
        updates = self.learning_rule.get_updates(
            self.learning_rate, grads, self.mlp.get_lr_scalers()
        )
        self.mlp.modify_updates(updates)
        function = pytensor.function(
            [contexts, actions, rewards],
            [],
            updates=list(updates.items()),
            mode=self.theano_function_mode,
        )

        def learn(batch: Any, chosen: Any, reward: Any) -> None:
            function(
                np.asarray(batch, dtype=floatX),
                np.asarray(chosen, dtype=floatX),
                np.asarray(reward, dtype=floatX),
            )
            for callback in self.update_callbacks:
                callback(self)

        return learn
