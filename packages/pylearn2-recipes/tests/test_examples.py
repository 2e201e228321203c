"""Every ```python block of the README and of the docs page(s) runs as written.

Blocks fenced ```python test="fragment" are only compiled (syntax). Each block runs on
its own, in a temporary working directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parents[1]
SOURCES = [
    PACKAGE / "README.md",
    *sorted((REPO / "docs" / "content" / "packages").glob("pylearn2-recipes*.md")),
    *sorted((REPO / "docs" / "content" / "packages" / "pylearn2-recipes").glob("**/*.md")),
]
EXAMPLES = [
    example
    for source in SOURCES
    if source.exists()
    for example in find_examples(source)
    if example.prefix_settings().get("lang", "python") == "python"
    and example.prefix.startswith("python")
]


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 1


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_example_runs(
    example: CodeExample,
    eval_example: EvalExample,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    if example.prefix_settings().get("test") == "fragment":
        compile(example.source, str(example.path), "exec")
        return
    eval_example.run(example)
