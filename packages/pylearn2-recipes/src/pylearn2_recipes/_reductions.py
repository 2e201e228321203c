"""Row and column sums and maxima of a matrix that Numba compiles in a fraction of the time.

PyTensor's Numba version of a reduction (``CAReduce``: ``Sum``, ``Max``) handles any
number of dimensions and any memory layout; it finds the layout at run time with
``np.argsort``, which makes Numba compile its sorting, string and hashing helpers, about
a third of a small network's cold JIT compile. A dense network's training graph only
reduces matrices over one axis (the softmax's row sums and maxima, the biases' gradient
column sums), so this module swaps those nodes for ``LoopReduce``, the same ``CAReduce``
(same Python and C code, same values) whose Numba version is the two loops PyTensor
would run for a two-dimensional input, in the same order, and nothing else.
"""

from __future__ import annotations

from functools import cache
from hashlib import sha256
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided
from pytensor.graph.rewriting.basic import node_rewriter
from pytensor.link.numba.dispatch.basic import numba_njit, register_funcify_and_cache_key
from pytensor.scalar import basic as scalar
from pytensor.tensor.elemwise import CAReduce

__all__ = ["LoopReduce", "loop_reduce"]


class LoopReduce(CAReduce):
    """A sum or maximum of a float matrix over one axis, as PyTensor's ``CAReduce`` computes it."""


@cache
def max_keeps_nan() -> bool | None:
    """Whether the installed PyTensor's Numba maximum keeps a NaN it meets (None: unknown).

    PyTensor 3.0 skips NaN in a reduction's maximum (``if res < x: res = x``); 3.3 keeps
    it, as numpy does (``... (x != x) | (res < x) ...``). The answer is read from the
    statement PyTensor itself generates for a reduction's maximum, so that ``LoopReduce``
    gives what the installed PyTensor gives; where it cannot be read, maxima stay
    PyTensor's own.
    """
    try:
        from pytensor.link.numba.dispatch.elemwise import scalar_in_place_fn

        lines = scalar_in_place_fn(scalar.maximum, "k", "res", "value")
    except Exception:  # whatever the reason, maxima then stay PyTensor's own
        return None
    text = " ".join(line for line in lines if isinstance(line, str))
    if "res[k] < value" not in text:
        return None
    return "value != value" in text


@node_rewriter([CAReduce])  # type: ignore[untyped-decorator]
def loop_reduce(fgraph: Any, node: Any) -> Any:
    """Replace a one-axis ``Sum`` or ``Max`` of a float matrix by ``LoopReduce``."""
    op = node.op
    if type(op) is LoopReduce or type(op.scalar_op) not in (scalar.Add, scalar.Maximum):
        return None
    if type(op.scalar_op) is scalar.Maximum and max_keeps_nan() is None:
        return None
    (x,) = node.inputs
    out = node.outputs[0]
    if x.type.ndim != 2 or op.axis is None or len(op.axis) != 1:
        return None
    if x.type.dtype not in ("float32", "float64") or out.type.dtype != x.type.dtype:
        return None
    if getattr(op, "acc_dtype", None) not in (None, x.type.dtype):
        return None
    dtype = x.type.dtype
    new = LoopReduce(op.scalar_op, axis=op.axis, dtype=dtype, acc_dtype=dtype)  # type: ignore[no-untyped-call]
    return [new(x)]


@register_funcify_and_cache_key(LoopReduce)  # type: ignore[no-untyped-call,untyped-decorator]
def _numba_loop_reduce(op: Any, node: Any, **kwargs: Any) -> tuple[Any, str]:
    # The loops of PyTensor's create_multiaxis_reducer for ndim=2 and one axis, so that
    # Numba generates the same arithmetic: a C-contiguous input is read as it is; any
    # other through a transposed view (of layout "A", as PyTensor's is; `as_strided`
    # makes it without the error-message helpers `transpose(axes)` compiles) whose rows
    # follow the larger stride (PyTensor's reversed argsort: the input's own order when
    # |strides[0]| > |strides[1]|, else its transpose). `axis` and `is_max` are constants
    # to Numba, which drops the branches they rule out; so is `keeps_nan`, the installed
    # PyTensor's rule for a NaN in a maximum (see `max_keeps_nan`).
    dtype = np.dtype(node.outputs[0].type.dtype).type
    identity = dtype(op.scalar_op.identity)
    is_max = isinstance(op.scalar_op, scalar.Maximum)
    keeps_nan = bool(is_max and max_keeps_nan())
    (axis,) = op.axis

    def reduce(x: Any) -> Any:
        if x.flags.c_contiguous:
            s0, s1 = x.shape
            res = np.full((s1 if axis == 0 else s0,), identity, dtype=dtype)
            for i in range(s0):
                for j in range(s1):
                    k = j if axis == 0 else i
                    if not is_max:
                        res[k] += x[i, j]
                    elif res[k] < x[i, j] or (keeps_nan and x[i, j] != x[i, j]):
                        res[k] = x[i, j]
            return res
        first = 0 if abs(x.strides[0]) > abs(x.strides[1]) else 1
        (s0, s1), (d0, d1) = x.shape, x.strides
        if first == 0:
            x_t = as_strided(x, shape=(s0, s1), strides=(d0, d1))
        else:
            x_t = as_strided(x, shape=(s1, s0), strides=(d1, d0))
        t0, t1 = x_t.shape
        outer = first == axis  # the reduced axis is the outer loop's
        res = np.full((t1 if outer else t0,), identity, dtype=dtype)
        for i in range(t0):
            for j in range(t1):
                k = j if outer else i
                if not is_max:
                    res[k] += x_t[i, j]
                elif res[k] < x_t[i, j] or (keeps_nan and x_t[i, j] != x_t[i, j]):
                    res[k] = x_t[i, j]
        return res

    # The bytecode is in the key: a changed kernel never picks up a stale cached one.
    described = (
        LoopReduce.__qualname__,
        is_max,
        keeps_nan,
        axis,
        dtype.__name__,
        reduce.__code__.co_code,
    )
    key = sha256(repr(described).encode()).hexdigest()
    return numba_njit(reduce, boundscheck=False), key
