"""Cut a release of one package: bump, render its changelog, commit, tag.

Usage::

    python tools/release.py java-datastream 0.2.0 [--dry-run]

Steps, each printed before it runs (``--dry-run`` prints them and changes nothing):

1. ``hatch version 0.2.0`` in ``packages/java-datastream`` (rewrites ``project.version``);
2. ``towncrier build`` from the repository root, rendering ``changelog.d/`` fragments into
   that package's ``CHANGELOG.md``;
3. ``git commit`` of the package directory;
4. ``git tag java-datastream-v0.2.0`` — pushing it triggers ``.github/workflows/release.yml``.

The release workflow refuses a tag whose version differs from ``project.version``
(:func:`check_tag`).
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.compile(r"^\d+\.\d+\.\d+((a|b|rc)\d+)?$")
TAG = re.compile(r"^(?P<package>.+)-v(?P<version>\d[^/]*)$")


def split_tag(tag: str) -> tuple[str, str]:
    """``"portfolio-vol-v1.2.3"`` -> ``("portfolio-vol", "1.2.3")``."""
    match = TAG.match(tag)
    if not match:
        raise ValueError(f"tag {tag!r} is not of the form <dist-name>-vX.Y.Z")
    return match["package"], match["version"]


def check_tag(tag: str, package: str, version: str) -> None:
    """Raise ValueError unless `tag` is exactly ``<package>-v<version>``."""
    tag_package, tag_version = split_tag(tag)
    if tag_package != package:
        raise ValueError(f"tag {tag!r} names package {tag_package!r}, not {package!r}")
    if tag_version != version:
        raise ValueError(
            f"tag {tag!r} says version {tag_version} but packages/{package}/pyproject.toml "
            f"says {version}: bump with tools/release.py, then tag"
        )


def current_version(package: str) -> str:
    pyproject = ROOT / "packages" / package / "pyproject.toml"
    if not pyproject.is_file():
        raise ValueError(f"no package {package!r}: {pyproject} does not exist")
    return str(tomllib.loads(pyproject.read_text())["project"]["version"])


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def plan(package: str, version: str) -> list[tuple[list[str], Path]]:
    """The commands that release `package` at `version`, each with its working directory."""
    if not VERSION.match(version):
        raise ValueError(f"version {version!r} is not X.Y.Z (optionally aN, bN or rcN)")
    old = current_version(package)
    if _as_tuple(version) <= _as_tuple(old) and version != old:
        raise ValueError(f"version {version} is not newer than the current {old}")
    pkg_dir = ROOT / "packages" / package
    steps: list[tuple[list[str], Path]] = []
    if version != old:
        steps.append((["hatch", "version", version], pkg_dir))
    towncrier = ["towncrier", "build", "--yes", "--config", "tools/towncrier.toml"]
    towncrier += ["--dir", f"packages/{package}", "--name", package, "--version", version]
    steps.append((towncrier, ROOT))
    tag = f"{package}-v{version}"
    steps.append((["git", "add", f"packages/{package}"], ROOT))
    steps.append((["git", "commit", "-m", f"Release {package} {version}"], ROOT))
    steps.append((["git", "tag", "-a", tag, "-m", f"{package} {version}"], ROOT))
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package")
    parser.add_argument("version")
    parser.add_argument("--dry-run", action="store_true", help="print the steps, change nothing")
    args = parser.parse_args(argv)
    try:
        steps = plan(args.package, args.version)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for command, cwd in steps:
        where = cwd.relative_to(ROOT).as_posix() or "."
        print(f"{'would run' if args.dry_run else 'run'} (in {where}): {shlex.join(command)}")
        if not args.dry_run:
            subprocess.run(command, cwd=cwd, check=True)
    if not args.dry_run:
        print(f"now push: git push origin HEAD {args.package}-v{args.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
