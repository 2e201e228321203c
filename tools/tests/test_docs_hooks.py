"""docs/hooks.py: each changelog page shows the unreleased fragments before the releases."""

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs"))
from hooks import NO_FRAGMENTS, changelog_page  # noqa: E402

CHANGELOG = """\
# Changelog

The format follows Keep a Changelog.

<!-- towncrier release notes start -->

## [0.1.0](https://example.invalid) - 2026-01-01

### Added

- The first thing.
"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "towncrier.toml", tmp_path / "tools")
    package = tmp_path / "packages" / "alpha-lib"
    (package / "changelog.d").mkdir(parents=True)
    (package / "CHANGELOG.md").write_text(CHANGELOG)
    return tmp_path


def test_fragments_come_under_unreleased_before_the_releases(repo):
    fragments = repo / "packages" / "alpha-lib" / "changelog.d"
    (fragments / "12.fixed.md").write_text("A bug nobody saw.\n")
    (fragments / "12.added.md").write_text("A second thing.\n")
    page = changelog_page("alpha-lib", repo)
    assert page.startswith("The format follows Keep a Changelog.\n\n## Unreleased\n")
    unreleased = page[page.index("## Unreleased") : page.index("## [0.1.0]")]
    assert "### Added\n\n- A second thing." in unreleased
    assert "### Fixed\n\n- A bug nobody saw." in unreleased
    assert "[unreleased]" not in page  # towncrier's own release title is dropped
    assert page.rstrip().endswith("- The first thing.")


def test_without_fragments_the_page_says_so(repo):
    (repo / "packages" / "alpha-lib" / "changelog.d" / ".gitkeep").write_text("")
    page = changelog_page("alpha-lib", repo)
    assert f"## Unreleased\n\n{NO_FRAGMENTS}\n\n## [0.1.0]" in page


def test_a_changelog_without_the_towncrier_marker_is_an_error(repo):
    (repo / "packages" / "alpha-lib" / "CHANGELOG.md").write_text("# Changelog\n")
    with pytest.raises(ValueError, match="lacks the line"):
        changelog_page("alpha-lib", repo)
