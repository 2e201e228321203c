"""PyTensor, seen through ``Any``: its public API is only partly typed.

Every module imports PyTensor from here so that ``mypy --strict`` checks this
package's own code without tripping over PyTensor's untyped methods. The names are
stand-ins that import PyTensor on first use (about a second, several under load):
reading and refusing a model file or a YAML document never needs it, only building
the objects does.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, TypeAlias

__all__ = [
    "Shared",
    "SharedVariable",
    "Symbolic",
    "default_mode",
    "fast_compile_mode",
    "float_x",
    "is_loaded",
    "pt",
    "pytensor",
]


class _LazyModule:
    """A module imported when one of its attributes is first read.

    Each attribute read is then kept on the stand-in, so later reads cost a plain
    attribute lookup.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)  # copy, pickle and inspect probe these
        value = getattr(self._load(), attribute)
        setattr(self, attribute, value)
        return value

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        return f"<PyTensor module {self._name!r}, {'loaded' if self._module else 'not loaded'}>"


class _LazyClass:
    """A class imported when first used: called, read, or in ``isinstance``."""

    def __init__(self, module: str, name: str) -> None:
        self._where = (module, name)
        self._class: type | None = None

    def _load(self) -> type:
        if self._class is None:
            module, name = self._where
            self._class = getattr(importlib.import_module(module), name)
        return self._class

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self._load())

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self._load())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._load()(*args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return getattr(self._load(), attribute)

    def __repr__(self) -> str:
        return f"<PyTensor class {'.'.join(self._where)}>"


pytensor: Any = _LazyModule("pytensor")
pt: Any = _LazyModule("pytensor.tensor")
SharedVariable: Any = _LazyClass("pytensor.compile.sharedvalue", "SharedVariable")


def float_x() -> str:
    """PyTensor's ``floatX``, read without importing PyTensor when it is not loaded yet.

    Once PyTensor is imported this is ``pytensor.config.floatX``; before, the same
    setting is read where PyTensor reads it at import: ``floatX=`` in the
    comma-separated ``PYTENSOR_FLAGS``, else ``floatX`` in the ``[global]`` section of
    the ``PYTENSORRC`` files (default ``~/.pytensorrc``; later files win), else
    ``float64``. Checking a model file's declared shapes needs spaces, and spaces need
    this, long before anything needs PyTensor.

    Examples
    --------
    >>> float_x() in ("float16", "float32", "float64")
    True
    """
    import sys

    if "pytensor" in sys.modules:
        return str(sys.modules["pytensor"].config.floatX)
    import configparser
    import os
    import shlex
    from pathlib import Path

    splitter = shlex.shlex(os.getenv("PYTENSOR_FLAGS", ""), posix=True)
    splitter.whitespace = ","
    splitter.whitespace_split = True
    flags = dict(pair.strip().split("=", 1) for pair in splitter if "=" in pair.strip())
    if "floatX" in flags:
        return flags["floatX"]
    files = os.getenv("PYTENSORRC", "~/.pytensorrc").split(os.pathsep)
    if os.getenv("PYTENSORRC") is None and sys.platform == "win32":
        files.append("~/.pytensorrc.txt")
    parser = configparser.RawConfigParser()
    parser.read([Path(name).expanduser() for name in files])
    return parser.get("global", "floatX", fallback="float64")


def is_loaded() -> bool:
    """Whether PyTensor has been imported in this process (by this package or another).

    Examples
    --------
    >>> isinstance(is_loaded(), bool)
    True
    """
    import sys

    return "pytensor" in sys.modules


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


def default_mode() -> Any:
    """PyTensor's default mode, with matrix reductions that Numba compiles quickly.

    When the default mode JIT-compiles with Numba, one-axis sums and maxima of matrices
    (a dense network's softmax and bias gradients) become ``_reductions.LoopReduce``:
    the same values, bit for bit, from code that takes Numba seconds less to compile on
    a first run. Any other default mode is returned unchanged.
    """
    from pytensor.compile.mode import get_default_mode
    from pytensor.link.numba.linker import NumbaLinker

    mode = get_default_mode()  # type: ignore[no-untyped-call]
    if not isinstance(mode.linker, NumbaLinker):
        return mode
    cached = _DEFAULT_MODES.get(id(mode))
    if cached is None or cached[0] is not mode:
        from pytensor.graph.rewriting.basic import in2out

        from pylearn2_recipes._reductions import loop_reduce

        cached = (mode, mode.register((in2out(loop_reduce), 99.0)))
        _DEFAULT_MODES[id(mode)] = cached
    return cached[1]


_DEFAULT_MODES: dict[int, tuple[Any, Any]] = {}
