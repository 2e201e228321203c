"""Every ```python block of the README and of the docs page(s) runs as written.

Each block stands alone (its own namespace) in a temporary directory; a block fenced
```python test="fragment" is only compiled. Printed output is checked against the
`#>` lines under each print (`pytest --update-examples` rewrites them).
"""

from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

PACKAGE = Path(__file__).parent.parent
DOCS = PACKAGE.parent.parent / "docs" / "content" / "packages"
SOURCES = [
    PACKAGE / "README.md",
    *sorted(DOCS.glob("portfolio-vol.md")),
    *sorted(DOCS.glob("portfolio-vol/**/*.md")),
]


def test_the_readme_and_the_docs_page_have_examples():
    names = {example.path.name for example in find_examples(*SOURCES)}
    assert "README.md" in names
    assert len(SOURCES) >= 2 or not DOCS.exists()


@pytest.mark.parametrize("example", list(find_examples(*SOURCES)), ids=str)
def test_example_runs(example: CodeExample, eval_example: EvalExample, tmp_path, monkeypatch):
    if example.prefix_settings().get("test") == "fragment":
        compile(example.source, str(example.path), "exec")
        return
    monkeypatch.chdir(tmp_path)
    if eval_example.update_examples:
        eval_example.run_print_update(example)
    else:
        eval_example.run_print_check(example)
