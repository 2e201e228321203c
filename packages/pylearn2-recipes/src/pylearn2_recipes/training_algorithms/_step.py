"""A compiled training step called without ``Function.__call__``'s per-call bookkeeping.

A PyTensor function whose only job is its updates, compiled by the Numba linker, is one
JIT-compiled graph ``jit(*batch, *shared_values) -> new_shared_values`` wrapped twice:
the linker's thunk reads every input from its storage cell and writes every output to
another, and ``Function.__call__`` fills the input cells, runs the thunk, then copies
the updated values into the shared variables' cells. ``direct_step`` calls the graph
with the batch and the shared variables' current values and stores the new values in
the same cells, which is what those two layers do for such a function, in a third of
their Python time. Any other function (another linker, returned outputs, profiling,
unchecked inputs) is returned unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["DirectStep", "direct_step"]


class DirectStep:
    """``function(*batch)`` for an update-only, Numba-compiled, trusted-input function.

    Reads each shared input's value from its storage cell at every call (so
    ``set_value`` between calls, e.g. a learning-rate schedule, is seen) and stores the
    graph's outputs into the cells of the shared variables they update, exactly where
    ``Function.__call__`` stores them.
    """

    __slots__ = ("_jit", "_shared", "_updates", "function")

    def __init__(self, function: Any) -> None:
        self.function = function
        self._jit: Callable[..., Any] = function.vm.jit_fn
        explicit = sum(not spec.implicit for spec in function.maker.inputs)
        self._shared = tuple(container.storage for container in function.input_storage[explicit:])
        self._updates = tuple(
            (position, container.storage) for position, container in function._update_input_storage
        )

    def __call__(self, *batch: Any) -> None:
        """Run one step on ``batch`` (the function's explicit inputs, in order)."""
        try:
            outputs = self._jit(*batch, *[cell[0] for cell in self._shared])
        except Exception:
            from pytensor.link.utils import raise_with_op

            fgraph = self.function.maker.fgraph
            raise_with_op(fgraph, fgraph.outputs[0].owner, self.function.vm)
        for position, cell in self._updates:
            cell[0] = outputs[position]


def direct_step(function: Any) -> Callable[..., Any]:
    """``DirectStep(function)`` when its shortcut is exact for ``function``, else ``function``.

    The shortcut needs: inputs trusted (no conversion to do), no profiling, no returned
    outputs, at least one update, a Numba-linker thunk (``vm.jit_fn``) whose input
    cells are the function's own, explicit inputs first.
    """
    unchanged: Callable[..., Any] = function
    vm = getattr(function, "vm", None)
    maker = getattr(function, "maker", None)
    if (
        vm is None
        or maker is None
        or getattr(vm, "jit_fn", None) is None
        or not getattr(function, "trust_input", False)
        or getattr(function, "profile", None)
        or getattr(function, "_n_returned_outputs", None) != 0
        or not getattr(function, "_update_input_storage", None)
        or len(maker.fgraph.outputs) != len(function._update_input_storage)
    ):
        return unchanged
    cells = getattr(vm, "inputs", None)
    storage = [container.storage for container in function.input_storage]
    if cells is None or len(cells) != len(storage):
        return unchanged
    if any(cell is not own for cell, own in zip(cells, storage, strict=True)):
        return unchanged
    implicit = [spec.implicit for spec in maker.inputs]
    if implicit != sorted(implicit):  # explicit (False) inputs must all come first
        return unchanged
    return DirectStep(function)
