"""Every ```python block of the README and of the docs page runs, against mongosim.

Blocks stand alone (each defines what it uses); a block fenced ```python test="fragment"
is only compiled. MongoDB examples read ``MONGODB_URI``, which the test points at a fresh
simulated replica set.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

if TYPE_CHECKING:
    from mongosim import ReplicaSet

PACKAGE = Path(__file__).resolve().parents[1]
DOCS = PACKAGE.parents[1] / "docs" / "content" / "packages"
FILES = [
    PACKAGE / "README.md",
    *sorted(DOCS.glob("mongosim.md")),
    *sorted(DOCS.glob("mongosim/**/*.md")),
]
EXAMPLES = list(find_examples(*(path for path in FILES if path.is_file())))


def test_the_readme_has_examples() -> None:
    assert any(example.path.name == "README.md" for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_example_runs(
    example: CodeExample,
    eval_example: EvalExample,
    rs: ReplicaSet,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if example.prefix_settings().get("test") == "fragment":
        compile(example.source, str(example.path), "exec")
        return
    monkeypatch.setenv("MONGODB_URI", rs.uri)
    monkeypatch.chdir(tmp_path)
    eval_example.run(example)
