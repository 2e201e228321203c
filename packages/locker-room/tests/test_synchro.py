"""The sync half is generated from the async half: fail when they drift apart."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import synchro


def _normalized(source: str) -> str:
    """The module's AST, with each run of consecutive imports sorted (ruff may reorder them)."""
    tree = ast.parse(source)

    def sort_imports(body: list[ast.stmt]) -> None:
        start = 0
        while start < len(body):
            end = start
            while end < len(body) and isinstance(body[end], ast.Import | ast.ImportFrom):
                end += 1
            body[start:end] = sorted(body[start:end], key=ast.dump)
            start = end + 1

    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                sort_imports(body)
    return ast.dump(tree)


@pytest.mark.parametrize(("source", "target"), sorted(synchro.PAIRS.items()))
def test_sync_module_is_the_async_module_without_async(source, target):
    package = Path(importlib.import_module("locker_room").__file__).parent
    expected = synchro.unasync((package / source).read_text(), source)
    actual = (package / target).read_text()
    assert _normalized(expected) == _normalized(actual), (
        f"{target} is not what tests/synchro.py generates from {source}: edit {source} and"
        " run `python packages/locker-room/tests/synchro.py`"
    )


def test_the_drift_check_sees_a_change():
    source = "async def f(x):\n    return await x.g()\n"
    assert _normalized(synchro.unasync(source, "_async_room.py")) == _normalized(
        "def f(x):\n    return x.g()\n"
    )
    assert _normalized(synchro.unasync(source, "_async_room.py")) != _normalized(
        "def f(x):\n    return x.h()\n"
    )


def test_no_async_left_in_the_sync_modules():
    package = Path(importlib.import_module("locker_room").__file__).parent
    for target in synchro.PAIRS.values():
        text = (package / target).read_text()
        assert "await " not in text
        assert "async " not in text
        assert "asyncio" not in text, target
