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
    "mongosim._admin",
    "mongosim._error_codes",
    "mongosim._error_labels",
    "mongosim._failpoints",
    "mongosim._sessions",
    "mongosim._write_concern",
    "mongosim._values",
    "mongosim._expressions",
    "mongosim._pipeline",
    "mongosim._updates",
    "mongosim._oplog",
    "mongosim._catalog",
    "mongosim._change_streams",
    "mongosim._duplicate_keys",
    "mongosim._collation",
    "mongosim._read_concern",
    "mongosim._explain",
    "mongosim._validation",
    "mongosim._snapshots",
    "mongosim._ttl",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)

    assert result.failed == 0
    assert result.attempted > 0
