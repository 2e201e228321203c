import pytest
from changelog_section import section

CHANGELOG = """# Changelog

<!-- towncrier release notes start -->

## [1.1.0](https://example.invalid/x-v1.1.0) - 2026-11-28

### Added

- Renewal.

## [1.0.0](https://example.invalid/x-v1.0.0) - 2026-10-01

### Fixed

- A bug.
"""


def test_section_stops_at_the_next_version():
    assert section(CHANGELOG, "1.1.0") == "### Added\n\n- Renewal.\n"


def test_section_of_the_oldest_version_runs_to_the_end():
    assert section(CHANGELOG, "1.0.0") == "### Fixed\n\n- A bug.\n"


def test_missing_version_is_an_error():
    with pytest.raises(ValueError, match=r"no section '## \[2\.0\.0\]'"):
        section(CHANGELOG, "2.0.0")
