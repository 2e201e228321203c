"""The two builds of this package: the compiled one (mypyc) and the pure-Python one.

``JAVA_DATASTREAM_PURE_PYTHON=1`` runs the Python source even where the compiled wheel is
installed. That wheel ships each compiled module's ``.py`` source beside its extension and
the import system prefers the extension; the finder below, put first on ``sys.meta_path``
before any other submodule is imported, hands it the source instead (as
``MSGPACK_PUREPYTHON`` or ``MULTIDICT_NO_EXTENSIONS`` switch those libraries). Every
submodule then comes from source, so the builds never mix.

This module is never compiled itself.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

    # mypyc reads class options from this decorator when it compiles the source. At run time
    # neither build needs it: mypy_extensions stays out of the dependencies.
    from mypy_extensions import mypyc_attr
else:

    def mypyc_attr(*attrs: str, **options: object) -> Any:
        return lambda cls: cls


__all__ = [
    "ENVIRONMENT_VARIABLE", "install_source_finder", "is_compiled", "mypyc_attr", "pure_requested",
    "speedups",
]  # fmt: skip

ENVIRONMENT_VARIABLE = "JAVA_DATASTREAM_PURE_PYTHON"


def is_compiled(module_file: str) -> bool:
    """Whether the module whose ``__file__`` this is runs compiled (an extension, no source)."""
    return not module_file.endswith((".py", ".pyc"))


def pure_requested() -> bool:
    """Whether the environment asks for the pure-Python build (any value but "" and "0")."""
    return os.environ.get(ENVIRONMENT_VARIABLE, "") not in ("", "0")


def speedups(module_file: str) -> Any:
    """The C accelerator for the module whose ``__file__`` this is, or None.

    Only a compiled module gets it: the pure build runs Python code alone, whatever the
    wheel holds, and a compiled wheel without the extension falls back to that code.
    """
    if not is_compiled(module_file) or pure_requested():
        return None
    try:
        __import__("java_datastream._speedups")  # importlib's import_module costs an import
    except ImportError:
        return None
    return sys.modules["java_datastream._speedups"]


class _SourceFinder:
    """Find ``java_datastream.*`` submodules as ``.py`` source files only."""

    def find_spec(
        self,
        name: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if not name.startswith("java_datastream.") or path is None:
            return None
        from importlib.machinery import SOURCE_SUFFIXES, FileFinder, SourceFileLoader

        for entry in path:
            spec = FileFinder(entry, (SourceFileLoader, SOURCE_SUFFIXES)).find_spec(name)
            if spec is not None:
                return spec
        return None  # not found as source: the usual finders decide


def install_source_finder() -> None:
    """Put the source-only finder first on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, _SourceFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder())


if pure_requested():  # java_datastream/__init__.py imports this module before any other
    install_source_finder()
