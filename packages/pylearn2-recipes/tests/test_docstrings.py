"""The Examples sections of the installed package's docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pylearn2_recipes

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(pylearn2_recipes.__path__, "pylearn2_recipes.")
    if name != "pylearn2_recipes.__main__"
)


@pytest.mark.parametrize("name", ["pylearn2_recipes", *MODULES])
def test_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
