"""Termination criteria, mirroring ``pylearn2.termination_criteria``.

A criterion is asked ``continue_learning(model)`` after every monitoring call and
returns False to stop. Built-ins are listed in ``pylearn2_recipes.registry``.
"""

from __future__ import annotations

from pylearn2_recipes.termination_criteria.combinators import And, Or
from pylearn2_recipes.termination_criteria.epoch_counter import EpochCounter
from pylearn2_recipes.termination_criteria.interface import TerminationCriterion
from pylearn2_recipes.termination_criteria.monitor_based import MonitorBased

__all__ = ["And", "EpochCounter", "MonitorBased", "Or", "TerminationCriterion"]
