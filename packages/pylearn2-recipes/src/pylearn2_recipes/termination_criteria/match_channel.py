"""Train until a channel matches the last value of a channel from an earlier run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pylearn2_recipes.termination_criteria.interface import TerminationCriterion

if TYPE_CHECKING:
    from pylearn2_recipes.models.model import Model

__all__ = ["MatchChannel"]


class MatchChannel(TerminationCriterion):
    """Go on while ``channel_name`` is above the previous run's last ``prev_channel_name``.

    pylearn2's ``termination_criteria.MatchChannel``: the previous run's monitor is
    ``model.<prev_monitor_name>`` (see ``monitor.push_monitor``; a model loaded from
    this package's model files keeps its monitor's histories). The target is read once,
    at the first call. Typical use: retrain on train+valid until the training objective
    reaches the validation objective of an early-stopped run.

    Parameters
    ----------
    channel_name : str
    prev_channel_name : str
    prev_monitor_name : str

    Raises
    ------
    ValueError
        From ``continue_learning``, naming the missing monitor or channel.

    Examples
    --------
    >>> MatchChannel("valid_objective", "train_objective", "monitor_stage_0").target is None
    True
    """

    def __init__(self, channel_name: str, prev_channel_name: str, prev_monitor_name: str) -> None:
        self.channel_name = channel_name
        self.prev_channel_name = prev_channel_name
        self.prev_monitor_name = prev_monitor_name
        self.target: float | None = None

    def continue_learning(self, model: Model) -> bool:
        """True while the channel's latest value is greater than the target."""
        if self.target is None:
            previous = getattr(model, self.prev_monitor_name, None)
            if previous is None:
                raise ValueError(
                    f"MatchChannel: the model has no monitor {self.prev_monitor_name!r} "
                    "(push_monitor the previous run's monitor first)"
                )
            self.target = float(_last(previous, self.prev_channel_name))
        return _last(model.monitor, self.channel_name) > self.target


def _last(monitor: object, name: str) -> float:
    channels = getattr(monitor, "channels", {})
    channel = channels.get(name)
    if channel is None or not channel.val_record:
        known = ", ".join(sorted(channels)) or "none"
        raise ValueError(f"MatchChannel: no value of channel {name!r} (known: {known})")
    return float(channel.val_record[-1])
