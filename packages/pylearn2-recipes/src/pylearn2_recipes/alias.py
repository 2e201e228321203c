"""Make ``import pylearn2.<path>`` resolve to ``pylearn2_recipes.<path>`` on request."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

from pylearn2_recipes import _trust

__all__ = ["install_alias"]

_ALIAS = "pylearn2"
_TARGET = "pylearn2_recipes"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target
        self.target_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.target_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """The target module is already executed; give it back its own ``__spec__``.

        The import system stamps the alias spec on the module it gets from
        ``create_module``; left there, ``pylearn2_recipes.x.__spec__`` would name
        ``pylearn2.x``.
        """
        module.__spec__ = self.target_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        real = _TARGET + fullname[len(_ALIAS) :]
        try:
            real_spec = importlib.util.find_spec(real)
        except ModuleNotFoundError:  # a child of a module that is not a package
            return None
        if real_spec is None:
            return None
        return importlib.util.spec_from_loader(
            fullname,
            _AliasLoader(real),
            is_package=real_spec.submodule_search_locations is not None,
        )


def install_alias(trust_files: bool = False) -> None:
    """Let unmodified pylearn2 scripts and YAML files import this package as ``pylearn2``.

    After the call, ``import pylearn2.models.mlp`` gives the module
    ``pylearn2_recipes.models.mlp`` itself (and so on for every module here). Nothing
    happens on import of ``pylearn2_recipes``: the alias is strictly opt-in. Calling
    it twice is harmless. A real ``pylearn2`` imported earlier is left in place.

    Parameters
    ----------
    trust_files : bool, default=False
        Also load files as pylearn2 did, for the whole process: YAML ``!obj:`` and
        ``!import`` may name any importable callable, ``serial.load`` and ``!pkl:`` read
        pickles and ``serial.save`` pickles what has no safe format, wherever a call
        does not say otherwise (``allow_unsafe=`` / ``allow_pickle=``). Loading such a
        file runs code: only for files you trust (your own archived experiments).

    Examples
    --------
    >>> import pylearn2_recipes
    >>> pylearn2_recipes.install_alias()
    >>> from pylearn2.models import mlp
    >>> mlp.MLP is pylearn2_recipes.models.mlp.MLP
    True
    """
    if trust_files:
        _trust.set_files_trusted(True)
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
