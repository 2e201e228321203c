"""Tests over the built site (``nox -s docs`` builds it, then runs these).

Each test names every offending package and object at once, so one run lists all the work.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from docs_reference import check_site, read_entries  # noqa: E402

SITE = Path(os.environ.get("DOCS_SITE", ROOT / "docs" / "site"))
PACKAGES = sorted(p.parent.name for p in (ROOT / "packages").glob("*/pyproject.toml"))


def words(markdown_or_text: str) -> str:
    """Letters and digits only, so Markdown source and rendered text compare equal."""
    without_targets = re.sub(r"\]\([^)]*\)", " ", markdown_or_text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", without_targets.lower()).split())


def page_words(page: Path) -> str:
    return words(" ".join(" ".join(e.text) for e in read_entries(page.read_text())))


@pytest.fixture(scope="module")
def report() -> dict[str, list[str]]:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}: run `nox -s docs` (or set DOCS_SITE)")
    return check_site(SITE, ROOT)


def test_every_public_name_has_a_clean_entry(report):
    problems = [line for dist in PACKAGES for line in report[dist]]
    counts = ", ".join(f"{dist} {len(report[dist])}" for dist in PACKAGES if report[dist])
    assert not problems, f"{len(problems)} problems ({counts}):\n" + "\n".join(problems)


@pytest.mark.parametrize("dist", PACKAGES)
def test_the_package_page_is_its_readme(dist):
    readme = (ROOT / "packages" / dist / "README.md").read_text()
    first_paragraph = " ".join(words(readme.split("\n\n")[1]).split()[:10])
    assert first_paragraph in page_words(SITE / "packages" / dist / "index.html")


@pytest.mark.parametrize("dist", PACKAGES)
def test_the_changelog_page_shows_every_unreleased_fragment(dist):
    text = page_words(SITE / "packages" / dist / "changelog" / "index.html")
    assert "unreleased" in text
    for fragment in sorted((ROOT / "packages" / dist / "changelog.d").glob("*.md")):
        opening = " ".join(words(fragment.read_text()).split()[:10])
        assert opening in text, f"{fragment.name} is not on the changelog page"
