"""Every package is listed and documented the same way: README table, site index, nav, pages."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p.parent.name for p in (ROOT / "packages").glob("*/pyproject.toml"))
PAGES = ("index.md", "api.md", "changelog.md")


def nav_entries():
    # mkdocs.yml may hold python tags elsewhere; the nav itself is plain YAML.
    text = (ROOT / "docs" / "mkdocs.yml").read_text()
    nav = yaml.safe_load(text[text.index("nav:") : text.index("\nhooks:")])["nav"]
    return {next(iter(item)): item[next(iter(item))] for item in nav if isinstance(item, dict)}


@pytest.mark.parametrize("dist", PACKAGES)
def test_each_package_has_its_three_pages_in_the_nav(dist):
    folder = ROOT / "docs" / "content" / "packages" / dist
    assert sorted(p.name for p in folder.glob("*.md") if p.name in PAGES) == sorted(PAGES)
    assert (folder / "index.md").read_text().strip() == f'--8<-- "packages/{dist}/README.md"'
    assert "<!-- changelog -->" in (folder / "changelog.md").read_text()
    entries = nav_entries()[dist]
    listed = [e if isinstance(e, str) else next(iter(e.values())) for e in entries]
    assert [f"packages/{dist}/{page}" for page in PAGES] == listed


@pytest.mark.parametrize("dist", PACKAGES)
def test_each_package_is_in_both_tables_with_both_install_commands(dist):
    readme = (ROOT / "README.md").read_text()
    assert re.search(rf"^\| \[{dist}\]\(packages/{dist}\) \|", readme, flags=re.M)
    index = (ROOT / "docs" / "content" / "index.md").read_text()
    assert f"| [{dist}](packages/{dist}/index.md) |" in index
    assert f"`pip install {dist}`" in index
    assert "pip install ./packages/" in readme
    assert "pip install ./packages/" in index


def test_index_and_readme_hold_no_python_example_that_is_not_run():
    # Their examples are shell commands; Python examples belong in a package README, which
    # that package's test_examples.py runs.
    for path in (ROOT / "README.md", ROOT / "docs" / "content" / "index.md"):
        assert "```python" not in path.read_text(), path
