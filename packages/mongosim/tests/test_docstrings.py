"""The examples in the docstrings run, against the installed package."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "mongosim",
    "mongosim.clock",
    "mongosim.commands",
    "mongosim.cursors",
    "mongosim.faults",
    "mongosim.replica_set",
    "mongosim._mongomock_gaps",
    "mongosim._server_time",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)

    assert result.failed == 0
    assert result.attempted > 0
