"""mkdocs hook: a package's changelog page shows what is not released yet.

``docs/content/packages/<dist>/changelog.md`` holds the line ``<!-- changelog -->``. The
hook puts there the package's ``CHANGELOG.md`` (without its title) with an "Unreleased"
section on top of the released ones: the fragments waiting in ``changelog.d/``, rendered
by ``towncrier build --draft`` with the same settings a release uses.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- changelog -->"
RELEASES_START = "<!-- towncrier release notes start -->"
NO_FRAGMENTS = "No unreleased changes."


def unreleased(dist: str, root: Path = ROOT) -> str:
    """The pending fragments as Markdown (``### Added``...), or a line saying there are none."""
    package = root / "packages" / dist
    if not any(p.is_file() and p.name != ".gitkeep" for p in (package / "changelog.d").glob("*")):
        return NO_FRAGMENTS
    command = [sys.executable, "-m", "towncrier", "build", "--draft"]
    command += ["--config", str(root / "tools" / "towncrier.toml"), "--dir", str(package)]
    command += ["--name", dist, "--version", "unreleased"]
    draft = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout
    # towncrier titles the draft like a release ("## [unreleased](...tag link...) - date").
    lines = draft.strip().splitlines()
    if lines and lines[0].startswith("## "):
        lines = lines[1:]
    return "\n".join(lines).strip() or NO_FRAGMENTS


def changelog_page(dist: str, root: Path = ROOT) -> str:
    """CHANGELOG.md after its title, with the "Unreleased" section before the first release."""
    text = (root / "packages" / dist / "CHANGELOG.md").read_text()
    intro, marker, releases = text.partition(RELEASES_START)
    if not marker:
        raise ValueError(f"packages/{dist}/CHANGELOG.md lacks the line {RELEASES_START!r}")
    intro_lines = intro.strip().splitlines()
    if intro_lines and intro_lines[0].startswith("# "):
        intro_lines = intro_lines[1:]
    parts = ["\n".join(intro_lines).strip(), f"## Unreleased\n\n{unreleased(dist, root)}"]
    parts.append(releases.strip())
    return "\n\n".join(part for part in parts if part) + "\n"


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if MARKER not in markdown:
        return markdown
    parts = Path(page.file.src_uri).parts
    if len(parts) != 3 or parts[0] != "packages":
        raise ValueError(f"{page.file.src_uri}: {MARKER} belongs in packages/<dist>/changelog.md")
    return markdown.replace(MARKER, changelog_page(parts[1]))
