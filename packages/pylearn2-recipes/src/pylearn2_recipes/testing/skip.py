"""Skip conditions for tests, as pylearn2's ``testing.skip`` (raising ``unittest.SkipTest``).

Examples
--------
>>> skip_if_no_scipy()
"""

from __future__ import annotations

import importlib.util
import os
from unittest import SkipTest

__all__ = [
    "skip_if_no_data",
    "skip_if_no_gpu",
    "skip_if_no_h5py",
    "skip_if_no_matplotlib",
    "skip_if_no_scipy",
    "skip_if_no_sklearn",
]


def _skip_unless(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise SkipTest(f"{module} is not installed")


def skip_if_no_data() -> None:
    """Skip unless ``PYLEARN2_DATA_PATH`` is set."""
    if "PYLEARN2_DATA_PATH" not in os.environ:
        raise SkipTest("PYLEARN2_DATA_PATH is not set")


def skip_if_no_scipy() -> None:
    """Skip unless scipy is installed."""
    _skip_unless("scipy")


def skip_if_no_sklearn() -> None:
    """Skip unless scikit-learn is installed."""
    _skip_unless("sklearn")


def skip_if_no_h5py() -> None:
    """Skip unless h5py is installed."""
    _skip_unless("h5py")


def skip_if_no_matplotlib() -> None:
    """Skip unless matplotlib is installed."""
    _skip_unless("matplotlib")


def skip_if_no_gpu() -> None:
    """Always skip: there is no CUDA backend here."""
    raise SkipTest("Optional package cuda disabled.")
