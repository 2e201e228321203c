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

``DirectStep.run`` goes one step further for a run of batches that are row slices of
the same arrays (a sequential pass, or a gathered block of a shuffled one): one Numba
loop, generated for the graph, slices each batch and calls the same compiled graph
(a jitted function calls another without boxing its arguments and results), so the
boundary between Python and Numba is crossed once per run instead of once per batch.
It calls exactly the specialization a per-batch call would (same argument types,
checked), with the same arguments, in the same order: the same results bit for bit.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

__all__ = ["DirectStep", "direct_step"]

#: Part of the compiled loops' cache key: change it when their generated code changes.
_LOOP_VERSION = 1


class DirectStep:
    """``function(*batch)`` for an update-only, Numba-compiled, trusted-input function.

    Reads each shared input's value from its storage cell at every call (so
    ``set_value`` between calls, e.g. a learning-rate schedule, is seen) and stores the
    graph's outputs into the cells of the shared variables they update, exactly where
    ``Function.__call__`` stores them.
    """

    __slots__ = (
        "_explicit",
        "_jit",
        "_loop",
        "_shared",
        "_slots",
        "_unfit",
        "_updates",
        "_verified",
        "function",
    )

    def __init__(self, function: Any) -> None:
        self.function = function
        self._jit: Any = function.vm.jit_fn
        explicit = sum(not spec.implicit for spec in function.maker.inputs)
        self._explicit = explicit
        self._shared = tuple(container.storage for container in function.input_storage[explicit:])
        self._updates = tuple(
            (position, container.storage) for position, container in function._update_input_storage
        )
        # (output position, index among the shared inputs) of each update
        self._slots = tuple(
            (position, next(k for k, cell in enumerate(self._shared) if cell is storage))
            for position, storage in self._updates
        )
        self._loop: Any = None  # the compiled run loop, built at the first run
        self._verified: set[tuple[Any, ...]] = set()  # argument types the loop may take
        self._unfit = False  # True once the loop is known not to fit this graph

    def __call__(self, *batch: Any) -> None:
        """Run one step on ``batch`` (the function's explicit inputs, in order)."""
        try:
            outputs = self._jit(*batch, *[cell[0] for cell in self._shared])
        except Exception:
            self._raise_with_op()
        for position, cell in self._updates:
            cell[0] = outputs[position]

    def run(
        self,
        arrays: Sequence[Any],
        starts: npt.NDArray[np.int64],
        stops: npt.NDArray[np.int64],
        progress: npt.NDArray[np.int64],
    ) -> bool:
        """Step on every ``tuple(a[starts[k]:stops[k]] for a in arrays)``, in one compiled loop.

        What ``for k ...: self(*batch_k)`` does, bit for bit, including when a step
        fails (the same error, the batches before it applied). ``progress[0]`` counts
        the batches run. Returns False, having run nothing, when the loop cannot run
        these arrays exactly as those calls would (then make the calls).

        Examples
        --------
        >>> import pytensor, pytensor.tensor as pt
        >>> x = pt.dmatrix("x"); total = pytensor.shared(np.zeros(2), name="total")
        >>> add = pytensor.function([x], [], updates=[(total, total + x.sum(0))], mode="NUMBA")
        >>> add.trust_input = True
        >>> step, done = direct_step(add), np.zeros(1, dtype=np.int64)
        >>> rows = np.arange(6.0).reshape(3, 2)  # batches rows[0:1] and rows[1:3]
        >>> step.run([rows], np.array([0, 1]), np.array([1, 3]), done)
        True
        >>> total.get_value().tolist(), int(done[0])
        ([6.0, 9.0], 2)
        """
        progress[0] = 0
        if self._unfit or len(arrays) != self._explicit:
            return False
        shared = [cell[0] for cell in self._shared]
        head = (progress, starts, stops)
        key = _signature_key((*head, *arrays, *shared))
        if key not in self._verified and not self._admit(key, head, arrays, shared):
            return False
        try:
            outputs = self._loop(progress, starts, stops, *arrays, *shared)
        except Exception:
            self._raise_with_op()
        for (_, cell), output in zip(self._updates, outputs, strict=True):
            cell[0] = output
        return True

    def _admit(
        self,
        key: tuple[Any, ...],
        head: tuple[Any, ...],
        arrays: Sequence[Any],
        shared: list[Any],
    ) -> bool:
        """Compile the loop for these argument types if it calls the graph as calls would."""
        try:
            if self._loop is None:
                self._loop = _build_loop(self)
                if self._loop is None:
                    self._unfit = True
                    return False
            fits = _compile_for(self, head, arrays, shared)
        except Exception:  # a type or value Numba cannot take: the calls can, or raise
            fits = False
        if not fits:
            self._unfit = True
            return False
        self._verified.add(key)
        return True

    def _raise_with_op(self) -> NoReturn:
        """Re-raise the exception being handled as ``Function.__call__`` does."""
        from pytensor.link.utils import raise_with_op

        fgraph = self.function.maker.fgraph
        raise_with_op(fgraph, fgraph.outputs[0].owner, self.function.vm)
        raise  # raise_with_op always raises; this keeps the original if it ever returns


def _numba() -> Any:
    import numba  # type: ignore[import-untyped]  # Numba ships no type hints

    return numba


def _signature_key(values: Sequence[Any]) -> tuple[Any, ...]:
    """What decides the Numba types of ``values`` (the key of Numba's own dispatch)."""
    numba = _numba()
    fingerprint = numba._dispatcher.compute_fingerprint
    key = []
    for value in values:
        try:
            key.append(fingerprint(value))
        except Exception:  # Numba's fast path declines some values; its typeof does not
            key.append(numba.typeof(value))
    return tuple(key)


def _updates_in_place(function: Any) -> bool:
    """Whether each update is computed in the buffer of the shared value it replaces.

    Then a failing step leaves the values the batches before it made (and whatever
    the failing one wrote) in the shared variables' own buffers, where a compiled
    loop leaves them too, as calls one batch at a time would.
    """
    fgraph = function.maker.fgraph
    cells = list(function.input_storage)
    for position, container in function._update_input_storage:
        variable = fgraph.outputs[position]
        node = variable.owner
        if node is None:
            return False
        destroyed = getattr(node.op, "destroy_map", {}).get(node.outputs.index(variable))
        if not destroyed or len(destroyed) != 1:
            return False
        index = next(i for i, cell in enumerate(cells) if cell is container)
        if node.inputs[destroyed[0]] is not fgraph.inputs[index]:
            return False
    return True


def _loop_source(explicit: int, shared: int, slots: Sequence[tuple[int, int]]) -> str:
    """The loop's Python source: batch k sliced from each array, the graph called on it."""
    data = [f"d{i}" for i in range(explicit)]
    state = [f"s{k}" for k in range(shared)]
    batch = ", ".join([f"{name}[start:stop]" for name in data] + state)
    lines = [
        f"def sgd_run(progress, starts, stops, {', '.join(data + state)}):",
        "    for k in range(len(starts)):",
        "        progress[0] = k",
        "        start = starts[k]",
        "        stop = stops[k]",
        f"        out = step({batch})",
        *[f"        s{index} = out[{position}]" for position, index in slots],
        "    progress[0] = len(starts)",
        f"    return ({''.join(f's{index}, ' for _, index in slots)})",
    ]
    return "\n".join(lines) + "\n"


def _graph_function(jit: Any) -> tuple[Any, bool] | None:
    """The compiled graph a loop should call, and whether ``jit`` wraps it in ``*args``.

    PyTensor compiles a cacheable graph as ``def f(*args): return jitable_func(*args)``
    around the graph's own function; a call from Python packs the batch and shared
    values in one tuple for that wrapper. A loop calls the graph's function directly,
    with the same values as its parameters: the specialization the wrapper calls.
    """
    function = getattr(jit, "py_func", None)
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    if not code.co_flags & inspect.CO_VARARGS:
        return jit, False
    source = getattr(function, "__source__", "")
    inner = getattr(function, "__globals__", {}).get("jitable_func")
    if (
        code.co_argcount == 0
        and isinstance(source, str)
        and source.endswith("(*args): return jitable_func(*args)")
        and callable(getattr(inner, "compile", None))
    ):
        return inner, True
    return None


def _build_loop(step: DirectStep) -> Any:
    """The loop's Numba dispatcher, cached on disk beside the graph; None if it cannot fit.

    The loop passes the graph's outputs on to the next batch as ``DirectStep.__call__``
    stores them; it needs each update in place (see ``_updates_in_place``) to leave a
    failed run where per-batch calls leave it.
    """
    graph = _graph_function(step._jit)
    if graph is None or not _updates_in_place(step.function):
        return None
    numba = _numba()
    source = _loop_source(step._explicit, len(step._shared), step._slots)
    # A cached loop's environment is rebuilt from the module its globals name.
    namespace: dict[str, Any] = {"__name__": __name__, "step": graph[0]}
    cache: Any = None
    graph_key = None
    try:
        from pytensor.link.numba import cache
    except ImportError:  # a PyTensor without its Numba cache: compile in each process
        pass
    else:
        graph_key = cache.CACHED_SRC_FUNCTIONS.get(step._jit.py_func)
    if graph_key is not None:
        # PyTensor's key names the graph (and its fastmath setting); ours the loop.
        digest = hashlib.sha256(f"{_LOOP_VERSION}\n{source}\n{graph_key}".encode()).hexdigest()
        function = cache.compile_numba_function_src(
            source, "sgd_run", global_env=namespace, cache_key=f"pylearn2_recipes_{digest}"
        )
        return numba.njit(function, cache=True)
    exec(compile(source, "<pylearn2_recipes sgd_run>", "exec"), namespace)
    return numba.njit(namespace["sgd_run"])


def _compile_for(
    step: DirectStep, head: tuple[Any, ...], arrays: Sequence[Any], shared: list[Any]
) -> bool:
    """Compile the loop for these arguments if it then calls the graph as calls would.

    A per-batch call passes C-contiguous row slices of ``arrays`` and the shared
    values; the loop passes its own slices (of the same Numba type when the arrays
    are C-contiguous) and, after the first batch, the graph's outputs (of the shared
    values' types when the graph returns those types). Then the loop calls the
    graph's specialization for the calls' types, and no other (checked).
    """
    numba = _numba()
    typeof, types = numba.typeof, numba.types
    data = [typeof(array) for array in arrays]
    if not all(isinstance(t, types.Array) and t.layout == "C" and t.ndim for t in data):
        return False
    state = [typeof(value) for value in shared]
    signature = (*data, *state)
    graph, packed = _graph_function(step._jit) or (None, False)
    if graph is None:
        return False
    # The specialization a call from Python uses (compiled or loaded now if need be).
    called = (types.BaseTuple.from_types(signature),) if packed else signature
    step._jit.compile(called)
    returned = step._jit.overloads[called].signature.return_type
    if any(returned[position] != state[index] for position, index in step._slots):
        return False
    wrappers, known = set(step._jit.overloads), set(graph.overloads)
    step._loop.compile((*[typeof(value) for value in head], *signature))
    # A wrapper loaded from PyTensor's disk cache leaves the graph's function
    # uncompiled in this process: the loop may compile it for `signature`, nothing else.
    added = set(graph.overloads) - known
    if set(step._jit.overloads) == wrappers and added <= {signature}:
        return True
    # Not the calls' specialization: drop what the compile wrote to the disk cache, so
    # that no later process loads this loop (a loaded loop compiles nothing to check).
    flush = getattr(getattr(step._loop, "_cache", None), "flush", None)
    if callable(flush):
        flush()
    return False


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
