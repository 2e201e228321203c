"""The shared towncrier config renders a package's fragments into Keep a Changelog sections."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEADER = "# Changelog\n\n<!-- towncrier release notes start -->\n"


def test_fragments_render_under_keep_a_changelog_headings(tmp_path):
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "towncrier.toml", tmp_path / "tools")
    package = tmp_path / "packages" / "alpha-lib"
    (package / "changelog.d").mkdir(parents=True)
    (package / "CHANGELOG.md").write_text(HEADER)
    (package / "changelog.d" / "6.added.md").write_text("Leases renew themselves.\n")
    (package / "changelog.d" / "7.fixed.md").write_text("Release checks the owner.\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(
        [
            *(sys.executable, "-m", "towncrier", "build", "--yes"),
            *("--config", "tools/towncrier.toml", "--dir", "packages/alpha-lib"),
            *("--name", "alpha-lib", "--version", "1.0.0", "--date", "2026-11-28"),
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    text = (package / "CHANGELOG.md").read_text()
    release = text.split("<!-- towncrier release notes start -->\n", 1)[1]
    assert release.lstrip().startswith(
        "## [1.0.0](https://github.com/sixpack-dev/sixpack/releases/tag/alpha-lib-v1.0.0)"
        " - 2026-11-28"
    )
    assert release.index("### Added") < release.index("Leases renew") < release.index("### Fixed")
    assert "Release checks the owner. ([#7]" in release
    assert not list((package / "changelog.d").glob("*.md"))
