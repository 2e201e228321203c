"""The examples in the docstrings run and print what they show, on either build.

mypyc keeps no docstrings in the modules it compiles, so ``doctest.testmod`` finds nothing
there. The examples are read instead from the ``.py`` source that the installed wheel ships
beside each module (both wheels do), and run against the module that was imported: on the
compiled build they exercise the compiled code.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import importlib.util
import io
from pathlib import Path
from types import ModuleType

import pytest

MODULES = [
    "java_datastream",
    "java_datastream._input",
    "java_datastream._output",
    "java_datastream._records",
    "java_datastream.modified_utf8",
    "java_datastream.hadoop",
]


def source_of(module: ModuleType) -> Path:
    """The installed ``.py`` file of `module`, even when an extension was imported."""
    assert module.__file__ is not None
    here = Path(module.__file__)
    if here.name.startswith("__init__."):
        return here.with_name("__init__.py")
    return here.with_name(module.__name__.rpartition(".")[2] + ".py")


def doctests(module: ModuleType) -> list[doctest.DocTest]:
    """A DocTest per docstring with examples in the source of `module` (module, classes,
    functions and methods), whose globals are the imported module's."""
    path = source_of(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parser = doctest.DocTestParser()
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}.{child.name}"
                add(child, name)
                if isinstance(child, ast.ClassDef):
                    visit(child, name)

    def add(node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef,
            name: str) -> None:  # fmt: skip
        text = ast.get_docstring(node, clean=False)
        if text:
            lineno = node.body[0].lineno - 1 if node.body else 0
            test = parser.get_doctest(text, dict(vars(module)), name, str(path), lineno)
            if test.examples:
                found.append(test)

    add(tree, module.__name__)
    visit(tree, module.__name__)
    return found


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    tests = doctests(module)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = io.StringIO()
    for test in tests:
        runner.run(test, out=report.write)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, report.getvalue()


def interpreted(module: ModuleType) -> ModuleType:
    """A fresh module run by the interpreter from the installed source of `module` (under
    another name), in which doctest finds every docstring, whichever build was imported."""
    spec = importlib.util.spec_from_file_location(f"{module.__name__}_source", source_of(module))
    assert spec is not None
    assert spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    return fresh


@pytest.mark.parametrize("name", MODULES)
def test_the_source_reader_finds_every_example_doctest_finds(name: str) -> None:
    module = importlib.import_module(name)
    ours = sum(len(test.examples) for test in doctests(module))
    finder = doctest.DocTestFinder()
    theirs = sum(len(test.examples) for test in finder.find(interpreted(module)))
    assert ours == theirs > 0
