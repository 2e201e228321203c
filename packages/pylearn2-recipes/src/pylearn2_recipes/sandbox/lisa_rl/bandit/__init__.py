"""Multi-armed and contextual bandits, as pylearn2's ``sandbox.lisa_rl.bandit``.

A ``Simulator`` runs an ``algorithm`` that lets an agent act in an environment and learn
from the reward, step after step. Its modules mirror pylearn2's: ``simulator``,
``algorithm``, ``agent``, ``environment``, ``average_agent``, ``gaussian_bandit``,
``classifier_bandit``, ``classifier_agent``.
"""
