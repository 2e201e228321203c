"""Monitor prerequisites for tests, as pylearn2's ``testing.prereqs``."""

from __future__ import annotations

from typing import Any

__all__ = ["ReadVerifyPrereq"]


class ReadVerifyPrereq:
    """Checks the batch it is given is example ``counter_idx``, then counts a call.

    Examples
    --------
    >>> ReadVerifyPrereq(0, None).counter_idx
    0
    """

    def __init__(self, counter_idx: int, counter: Any) -> None:
        self.counter_idx = counter_idx
        self.counter = counter

    def __call__(self, *data: Any) -> None:
        (X,) = data
        if X.shape[0] != self.counter_idx + 1 or X[0, 0] != self.counter_idx:
            raise AssertionError(f"unexpected batch for prerequisite {self.counter_idx}: {X}")
        self.counter.set_value(self.counter.get_value() + 1)
