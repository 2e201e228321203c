"""Turn a git diff into the CI matrix: which packages a change touches.

Usage::

    python tools/changed_packages.py --base origin/main      # JSON matrix for the changed packages
    python tools/changed_packages.py --all                   # every package
    python tools/changed_packages.py --base origin/main --names --published   # one name a line
    python tools/changed_packages.py --all --edge-pythons --except 3.11   # "3.10 alpha beta" lines

A file under ``packages/<dist>/`` or under a dev-only peer ``tools/<peer>/`` touches
that project and every package naming it in ``[tool.monorepo] test-peers``; docs and
top-level prose touch none; anything else (noxfile.py, tools/*.py, .github/, .ci/,
LICENSE) is shared and touches them all.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
NO_PACKAGE = ("docs/", "README.md", "CODEOWNERS", ".gitignore")


def _pyproject(project_dir: Path) -> dict[str, Any]:
    return tomllib.loads((project_dir / "pyproject.toml").read_text())


def test_peers(project_dir: Path) -> list[str]:
    """The peers named in ``[tool.monorepo] test-peers``."""
    return list(_pyproject(project_dir).get("tool", {}).get("monorepo", {}).get("test-peers", []))


def pythons(project_dir: Path) -> list[str]:
    """The CPython versions a project's classifiers claim, in CI's range."""
    prefix = "Programming Language :: Python :: "
    claimed = {c.removeprefix(prefix) for c in _pyproject(project_dir)["project"]["classifiers"]}
    return [version for version in PYTHONS if version in claimed]


def discover(root: Path = ROOT) -> tuple[dict[str, Path], dict[str, Path]]:
    """Published packages and test peers, each name mapped to its directory."""
    published = {
        p.parent.name: p.parent for p in sorted((root / "packages").glob("*/pyproject.toml"))
    }
    peers = {p.parent.name: p.parent for p in sorted((root / "tools").glob("*/pyproject.toml"))}
    return published, peers


def affected(paths: Iterable[str], root: Path = ROOT) -> list[str]:
    """Packages and peers touched by the changed `paths` (repository-relative)."""
    published, peers = discover(root)
    everything = [*published, *peers]
    hit: set[str] = set()
    for path in paths:
        parts = path.split("/")
        home = {"packages": published, "tools": peers}.get(parts[0], {})
        if len(parts) > 2 and parts[1] in home:
            # A package can be another's test peer too (mongosim is published): its users count.
            hit.add(parts[1])
            hit.update(name for name, path in published.items() if parts[1] in test_peers(path))
        elif path.startswith(NO_PACKAGE) or (len(parts) == 1 and path.endswith(".md")):
            continue
        else:
            return everything
    return [name for name in everything if name in hit]


def matrix(names: Iterable[str], root: Path = ROOT) -> dict[str, list[dict[str, object]]]:
    """GitHub's ``strategy.matrix``: one row per package and Python its classifiers claim."""
    published, peers = discover(root)
    projects = {**published, **peers}
    return {
        "include": [
            {
                "package": name,
                "python": python,
                "published": name in published,
                "mongo": name == "mongosim" or "mongosim" in test_peers(projects[name]),
            }
            for name in names
            for python in pythons(projects[name])
        ]
    }


def edge_pythons(names: Iterable[str], root: Path = ROOT) -> dict[str, list[str]]:
    """Each Python that is the oldest or the newest some of `names` claim, with those names."""
    published, peers = discover(root)
    projects = {**published, **peers}
    by_python: dict[str, list[str]] = {}
    for name in names:
        claimed = pythons(projects[name])
        for python in dict.fromkeys([claimed[0], claimed[-1]]) if claimed else ():
            by_python.setdefault(python, []).append(name)
    return dict(sorted(by_python.items()))


def changed_files(base: str) -> list[str]:
    out = subprocess.run(
        ["git", "diff", "--name-only", f"{base}...HEAD"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", help="compare HEAD with this revision")
    which.add_argument("--all", action="store_true", help="every package")
    parser.add_argument("--names", action="store_true", help="print names, not a matrix")
    parser.add_argument("--published", action="store_true", help="leave out test peers")
    parser.add_argument(
        "--edge-pythons",
        action="store_true",
        help="print '<python> <name>...' lines: the oldest and newest Python of each package",
    )
    parser.add_argument("--except", dest="skip", action="append", default=[], metavar="PYTHON")
    args = parser.parse_args(argv)
    published, peers = discover()
    names = [*published, *peers] if args.all else affected(changed_files(args.base))
    if args.published:
        names = [name for name in names if name in published]
    if args.edge_pythons:
        edges = edge_pythons(names)
        print("\n".join(" ".join([py, *edges[py]]) for py in edges if py not in args.skip))
    else:
        print("\n".join(names) if args.names else json.dumps(matrix(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
