"""Every Python block of the README and the docs pages runs as written, against mongosim.

A block fenced ```` ```python test="fragment" ```` is only compiled. The examples read
``MONGODB_URI``, which the tests set to a fresh simulated replica set (or a real server).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

import locker_room

PACKAGE = Path(__file__).resolve().parents[1]
DOCS = PACKAGE.parents[1] / "docs" / "content" / "packages" / "locker-room"
SOURCES = [PACKAGE / "README.md", *sorted(DOCS.glob("**/*.md"))]


def _examples() -> list[CodeExample]:
    return [example for path in SOURCES if path.exists() for example in find_examples(path)]


def test_the_readme_has_examples():
    assert len([e for e in _examples() if e.path.name == "README.md"]) >= 5


@pytest.mark.parametrize("example", _examples(), ids=str)
def test_example_runs(example: CodeExample, eval_example: EvalExample, mongo_uri, monkeypatch):
    if example.prefix_settings().get("test") == "fragment":
        compile(example.source, str(example.path), "exec")
        return
    monkeypatch.setenv("MONGODB_URI", mongo_uri)
    eval_example.run(example)


def _modules() -> list[str]:
    names = [info.name for info in pkgutil.iter_modules(locker_room.__path__, "locker_room.")]
    return ["locker_room", *sorted(n for n in names if n != "locker_room.__main__")]


@pytest.mark.parametrize("module", _modules())
def test_docstring_examples_run(module, mongo_uri, monkeypatch):
    monkeypatch.setenv("MONGODB_URI", mongo_uri)
    found = doctest.DocTestFinder().find(importlib.import_module(module))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in found:
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} docstring example(s) of {module} failed"
