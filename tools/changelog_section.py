"""Print one version's section of a towncrier-rendered CHANGELOG.md (the release notes).

Usage::

    python tools/changelog_section.py packages/locker-room/CHANGELOG.md 1.2.0
"""

from __future__ import annotations

import sys
from pathlib import Path


def section(text: str, version: str) -> str:
    """The lines under ``## [version]`` up to the next ``## `` heading."""
    lines = text.splitlines()
    heading = f"## [{version}]"
    starts = [i for i, line in enumerate(lines) if line.startswith(heading)]
    if not starts:
        raise ValueError(f"no section {heading!r} in the changelog")
    body = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith("## "):
            break
        body.append(line)
    return "\n".join(body).strip() + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, version = argv
    try:
        print(section(Path(path).read_text(), version), end="")
    except ValueError as error:
        print(f"error: {path}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
