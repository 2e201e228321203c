"""Cut a release of one package: bump, render its changelog, commit, tag.

Usage::

    python tools/release.py java-datastream 0.2.0 [--dry-run]

Steps, each printed before it runs (``--dry-run`` prints them and changes nothing):

1. ``hatch version 0.2.0`` in ``packages/java-datastream`` (rewrites ``project.version``);
2. ``__version__ = "0.2.0"`` written into ``src/java_datastream/_version.py``, the constant
   the package's ``__init__`` imports (no ``importlib.metadata`` at import time);
3. ``towncrier build`` from the repository root, rendering ``changelog.d/`` fragments into
   that package's ``CHANGELOG.md``;
4. ``git commit`` of the package directory;
5. ``git tag java-datastream-v0.2.0`` — pushing it triggers ``.github/workflows/release.yml``.

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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = re.compile(r"^\d+\.\d+\.\d+((a|b|rc)\d+)?$")
TAG = re.compile(r"^(?P<package>.+)-v(?P<version>\d[^/]*)$")
VERSION_LINE = re.compile(r'^__version__ = "[^"]*"$', re.MULTILINE)


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


def _pyproject(package: str, root: Path = ROOT) -> dict:
    pyproject = root / "packages" / package / "pyproject.toml"
    if not pyproject.is_file():
        raise ValueError(f"no package {package!r}: {pyproject} does not exist")
    return tomllib.loads(pyproject.read_text())


def current_version(package: str, root: Path = ROOT) -> str:
    return str(_pyproject(package, root)["project"]["version"])


def version_file(package: str, root: Path = ROOT) -> Path:
    """``src/<module>/_version.py`` of the wheel's one import package."""
    wheel = _pyproject(package, root).get("tool", {}).get("hatch", {}).get("build", {})
    sources = wheel.get("targets", {}).get("wheel", {}).get("packages", [])
    module_dir = sources[0] if len(sources) == 1 else f"src/{package.replace('-', '_')}"
    return root / "packages" / package / module_dir / "_version.py"


def version_file_version(path: Path) -> str:
    """The X.Y.Z that ``__version__ = "X.Y.Z"`` in `path` says."""
    if not path.is_file():
        raise ValueError(f'{path} does not exist: it must hold __version__ = "X.Y.Z"')
    match = VERSION_LINE.search(path.read_text())
    if not match:
        raise ValueError(f'{path} has no line __version__ = "X.Y.Z"')
    return match[0].split('"')[1]


@dataclass(frozen=True)
class Command:
    """A step that runs `argv` in `cwd`."""

    argv: list[str]
    cwd: Path

    def describe(self, root: Path = ROOT) -> str:
        return f"(in {self.cwd.relative_to(root).as_posix() or '.'}): {shlex.join(self.argv)}"

    def run(self) -> None:
        subprocess.run(self.argv, cwd=self.cwd, check=True)


@dataclass(frozen=True)
class WriteVersion:
    """A step that sets ``__version__`` in a package's ``_version.py``, leaving the rest."""

    path: Path
    version: str

    def describe(self, root: Path = ROOT) -> str:
        where = self.path.relative_to(root).as_posix()
        return f'(in {where}): __version__ = "{self.version}"'

    def run(self) -> None:
        text = self.path.read_text()
        self.path.write_text(VERSION_LINE.sub(f'__version__ = "{self.version}"', text, count=1))


def _as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def plan(package: str, version: str, root: Path = ROOT) -> list[Command | WriteVersion]:
    """The steps that release `package` at `version`, in order."""
    if not VERSION.match(version):
        raise ValueError(f"version {version!r} is not X.Y.Z (optionally aN, bN or rcN)")
    old = current_version(package, root)
    if _as_tuple(version) <= _as_tuple(old) and version != old:
        raise ValueError(f"version {version} is not newer than the current {old}")
    version_file_version(version_file(package, root))  # refuse a package without one
    pkg_dir = root / "packages" / package
    steps: list[Command | WriteVersion] = []
    if version != old:
        steps.append(Command(["hatch", "version", version], pkg_dir))
    steps.append(WriteVersion(version_file(package, root), version))
    towncrier = ["towncrier", "build", "--yes", "--config", "tools/towncrier.toml"]
    towncrier += ["--dir", f"packages/{package}", "--name", package, "--version", version]
    steps.append(Command(towncrier, root))
    tag = f"{package}-v{version}"
    steps.append(Command(["git", "add", f"packages/{package}"], root))
    steps.append(Command(["git", "commit", "-m", f"Release {package} {version}"], root))
    steps.append(Command(["git", "tag", "-a", tag, "-m", f"{package} {version}"], root))
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
    for step in steps:
        verb = "write" if isinstance(step, WriteVersion) else "run"
        print(f"{'would ' + verb if args.dry_run else verb} {step.describe()}")
        if not args.dry_run:
            step.run()
    if not args.dry_run:
        print(f"now push: git push origin HEAD {args.package}-v{args.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
