"""The agent interface."""

from __future__ import annotations

from typing import Any

__all__ = ["Agent"]


class Agent:
    """Something that decides on actions and learns from rewards.

    ``get_params()`` lists its shared parameters (the simulator checks them for NaN).
    """

    reward_record: list[Any]

    def get_params(self) -> list[Any]:
        """The agent's shared parameters (none by default)."""
        return []
