"""Every ```python block of the README and of the docs page(s) runs as written.

Each block stands alone (its own namespace) in a temporary directory; a block fenced
```python test="fragment" is only compiled. What a block prints must equal, line by line,
its `# prints: ...` comments (the formatter would turn pytest-examples' own `#>` marker
into `# >`).
"""

import re
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
PRINTS = re.compile(r"^\s*# prints: (.*)$", re.MULTILINE)


def test_the_readme_has_examples_and_the_docs_pages_are_collected():
    names = {example.path.name for example in find_examples(*SOURCES)}
    assert "README.md" in names
    # The docs folder (index.md includes the README) is searched too, for its own blocks.
    assert any(source.is_relative_to(DOCS) for source in SOURCES)


@pytest.mark.parametrize("example", list(find_examples(*SOURCES)), ids=str)
def test_example_runs(
    example: CodeExample, eval_example: EvalExample, tmp_path, monkeypatch, capsys
):
    if example.prefix_settings().get("test") == "fragment":
        compile(example.source, str(example.path), "exec")
        return
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    eval_example.run(example)
    assert capsys.readouterr().out.splitlines() == PRINTS.findall(example.source)
    # An example leaves no files behind (pytest-examples keeps its copy of the block here).
    left = [p.name for p in tmp_path.iterdir() if p.name != f"{example.module_name}.py"]
    assert left == []
