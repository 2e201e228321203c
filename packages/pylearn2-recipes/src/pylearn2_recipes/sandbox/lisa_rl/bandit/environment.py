"""The environment interface."""

from __future__ import annotations

__all__ = ["Environment"]


class Environment:
    """Something that rewards actions (and, for contextual bandits, gives contexts)."""
