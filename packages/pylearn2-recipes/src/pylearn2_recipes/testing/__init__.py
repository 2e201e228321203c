"""Helpers pylearn2's own tests and test configurations use (``pylearn2.testing``).

Small datasets (``testing.datasets``), costs (``testing.cost``), monitor prerequisites
(``testing.prereqs``) and skip conditions (``testing.skip``), so pylearn2 test code
and YAML files that import them run here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["no_debug_mode"]


def no_debug_mode(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``fn`` outside PyTensor's (slow) DebugMode.

    Examples
    --------
    >>> no_debug_mode(lambda: 3)()
    3
    """

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from pytensor.configdefaults import config

        original = config.mode
        if original in ("DebugMode", "DEBUG_MODE"):
            config.mode = "FAST_RUN"
        try:
            return fn(*args, **kwargs)
        finally:
            config.mode = original

    return wrapped
