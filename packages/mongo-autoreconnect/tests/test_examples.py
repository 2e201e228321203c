"""Every ```python block of the README and of the docs pages runs, against mongosim.

Blocks stand alone (each defines what it uses, ``uri`` from ``MONGODB_URI``, which the test
points at a fresh simulated replica set, or at the real server CI names); a block fenced
```python test="fragment" is only compiled.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

PACKAGE = Path(__file__).resolve().parents[1]
DOCS = PACKAGE.parents[1] / "docs" / "content" / "packages"
FILES = [
    PACKAGE / "README.md",
    *sorted(DOCS.glob("mongo-autoreconnect.md")),
    *sorted(DOCS.glob("mongo-autoreconnect/**/*.md")),
]
EXAMPLES = list(find_examples(*(path for path in FILES if path.is_file())))


def test_the_readme_has_examples() -> None:
    assert sum(example.path.name == "README.md" for example in EXAMPLES) >= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_example_runs(
    example: CodeExample,
    eval_example: EvalExample,
    mongo_uri: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if example.prefix_settings().get("test") == "fragment":
        compile(example.source, str(example.path), "exec")
        return
    monkeypatch.setenv("MONGODB_URI", mongo_uri)
    monkeypatch.chdir(tmp_path)
    eval_example.run(example)
