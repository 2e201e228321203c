"""The memory budget that bounds what an untrusted model file or YAML config may allocate.

``serial.load``, ``!pkl:`` and YAML construction check every declared array size
against a budget (2 GiB by default, ``max_bytes=`` to change it) *before* allocating,
so a small file cannot ask for more memory than the machine has.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator, Sequence

__all__ = ["DEFAULT_MAX_BYTES", "BudgetExceeded", "current_max_bytes", "format_bytes", "limit"]

#: Default budget for the parameters (or arrays) one load may allocate: 2 GiB.
DEFAULT_MAX_BYTES = 2 * 1024**3

_MAX_BYTES: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "pylearn2_recipes_max_bytes", default=None
)


class BudgetExceeded(ValueError):
    """An allocation would exceed the budget; converted to the caller's error type."""


def format_bytes(size: float) -> str:
    """Human-readable size.

    Examples
    --------
    >>> format_bytes(3 * 1024**3)
    '3.0 GiB'
    >>> format_bytes(512)
    '512 B'
    """
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{int(size)} B"


def check_max_bytes(max_bytes: object) -> int:
    """Validate a ``max_bytes`` argument."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"`max_bytes` must be a positive int, got {max_bytes!r}")
    return max_bytes


@contextlib.contextmanager
def limit(max_bytes: int) -> Iterator[None]:
    """Bound every allocation checked with ``require`` inside the block."""
    token = _MAX_BYTES.set(check_max_bytes(max_bytes))
    try:
        yield
    finally:
        _MAX_BYTES.reset(token)


def current_max_bytes() -> int | None:
    """The budget in force (None outside ``limit``: code a user runs directly is unbounded)."""
    return _MAX_BYTES.get()


def nbytes(shape: Sequence[int], itemsize: int = 8) -> int:
    """Exact size in bytes of an array of ``shape`` (Python ints: no overflow)."""
    return math.prod(int(n) for n in shape) * itemsize


def require(size: int, what: str, max_bytes: int | None = None) -> None:
    """Raise ``BudgetExceeded`` if ``size`` bytes exceed the budget in force.

    Examples
    --------
    >>> with limit(1024):
    ...     require(4096, "`dim`")
    Traceback (most recent call last):
    ...
    pylearn2_recipes._budget.BudgetExceeded: `dim`: 4.0 KiB, over the limit max_bytes=1.0 KiB
    """
    budget = current_max_bytes() if max_bytes is None else max_bytes
    if budget is not None and size > budget:
        raise BudgetExceeded(
            f"{what}: {format_bytes(size)}, over the limit max_bytes={format_bytes(budget)}"
        )
