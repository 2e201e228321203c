"""Every ```python block of the README and the docs page runs as written (issue 19).

Each block stands alone, in a temporary directory. A block fenced ```python test="fragment"
is only compiled.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

PACKAGE = Path(__file__).resolve().parents[1]
DOCS = PACKAGE.parents[1] / "docs" / "content" / "packages"
FILES = [PACKAGE / "README.md", *sorted(DOCS.glob("java-datastream*.md")),
         *sorted(DOCS.glob("java-datastream/**/*.md"))]  # fmt: skip
EXAMPLES = [ex for ex in find_examples(*map(str, FILES)) if ex.prefix.startswith("python")]


def test_the_readme_has_examples() -> None:
    assert any(ex.path == PACKAGE / "README.md" for ex in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_example_runs(
    example: CodeExample,
    eval_example: EvalExample,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if example.prefix_settings().get("test") == "fragment":
        compile(example.source, str(example.path), "exec")
        return
    monkeypatch.chdir(tmp_path)
    eval_example.run(example)
