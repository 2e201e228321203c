"""Stop when a monitored channel has stopped improving."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pylearn2_recipes.termination_criteria.interface import TerminationCriterion

if TYPE_CHECKING:
    from pylearn2_recipes.models.model import Model

__all__ = ["MonitorBased"]


class MonitorBased(TerminationCriterion):
    """Stop ``N`` calls after the channel last fell below ``(1 - prop_decrease) · best``.

    Each call: if the newest value ``v < (1 - prop_decrease) · best`` the countdown
    resets to ``N``, otherwise it drops by one; ``best`` tracks the minimum. With
    ``prop_decrease=0`` only a strict new minimum resets it, so training ends exactly
    ``N`` epochs after the last strict improvement.

    Parameters
    ----------
    prop_decrease : float, default=0.01
    N : int, default=5
    channel_name : str, optional
        Defaults to ``"objective"``.

    Raises
    ------
    KeyError
        From ``continue_learning`` if the channel is not monitored (names the channel).

    Examples
    --------
    >>> MonitorBased(channel_name="output_misclass", N=50, prop_decrease=0.0).countdown
    50
    """

    def __init__(
        self, prop_decrease: float = 0.01, N: int = 5, channel_name: str | None = None
    ) -> None:
        if isinstance(N, bool) or not isinstance(N, int) or N < 1:
            raise ValueError(f"`N` must be a positive int, got {N!r}")
        if not 0.0 <= prop_decrease < 1.0:
            raise ValueError(f"`prop_decrease` must be in [0, 1), got {prop_decrease!r}")
        self.prop_decrease = float(prop_decrease)
        self.N = N
        self.channel_name = channel_name
        self.countdown = N
        self.best_value = math.inf

    def continue_learning(self, model: Model) -> bool:
        """Update the countdown from the channel's newest value; True while it is > 0."""
        name = self.channel_name or "objective"
        channel = model.monitor.channels.get(name)
        if channel is None or not channel.val_record:
            known = ", ".join(sorted(model.monitor.channels)) or "none"
            raise KeyError(f"MonitorBased: channel {name!r} has no values (channels: {known})")
        value = channel.val_record[-1]
        if value < (1.0 - self.prop_decrease) * self.best_value:
            self.countdown = self.N
        else:
            self.countdown -= 1
        if value < self.best_value:
            self.best_value = value
        return self.countdown > 0
