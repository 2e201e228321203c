"""nose's SkipTest is unittest's."""

from unittest import SkipTest

__all__ = ["SkipTest"]
