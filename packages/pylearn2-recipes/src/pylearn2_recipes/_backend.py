"""PyTensor, seen through ``Any``: its public API is only partly typed.

Every module imports PyTensor from here so that ``mypy --strict`` checks this
package's own code without tripping over PyTensor's untyped methods.
"""

from __future__ import annotations

import importlib
from typing import Any, TypeAlias

__all__ = ["Shared", "SharedVariable", "Symbolic", "fast_compile_mode", "pt", "pytensor"]

pytensor: Any = importlib.import_module("pytensor")
pt: Any = importlib.import_module("pytensor.tensor")
SharedVariable: Any = importlib.import_module("pytensor.compile.sharedvalue").SharedVariable

#: A symbolic PyTensor tensor variable.
Symbolic: TypeAlias = Any
#: A PyTensor shared variable (a parameter or a hyper-parameter such as the learning rate).
Shared: TypeAlias = Any


def fast_compile_mode() -> Any:
    """PyTensor's quickest-to-compile mode that still runs every op in numpy.

    ``FAST_COMPILE`` (no C, no JIT: a graph is ready in a fraction of a second) plus
    one rewrite: an elementwise ``Mul``/``Add`` of three or more inputs, which the
    gradients of ``max`` produce, becomes a chain of binary ones, since numpy has no
    n-ary ufunc for them and PyTensor would otherwise loop in Python per element. For
    tiny models and short runs (tests, the YAML archive), where a JIT compile would
    take longer than the training.
    """
    global _FAST_COMPILE_MODE
    if _FAST_COMPILE_MODE is None:
        from pytensor.compile.mode import get_mode
        from pytensor.graph.rewriting.basic import in2out, node_rewriter
        from pytensor.scalar import basic as scalar
        from pytensor.tensor.elemwise import Elemwise

        @node_rewriter([Elemwise])  # type: ignore[untyped-decorator]
        def binary_chain(fgraph: Any, node: Any) -> Any:
            kind = type(node.op.scalar_op)
            if kind not in (scalar.Mul, scalar.Add) or len(node.inputs) < 3:
                return None
            combine = pt.mul if kind is scalar.Mul else pt.add
            out = node.inputs[0]
            for operand in node.inputs[1:]:
                out = combine(out, operand)
            return [pt.cast(out, node.outputs[0].dtype)]

        mode = get_mode("FAST_COMPILE")  # type: ignore[no-untyped-call]
        _FAST_COMPILE_MODE = mode.register((in2out(binary_chain), 49.5))
    return _FAST_COMPILE_MODE


_FAST_COMPILE_MODE: Any = None
