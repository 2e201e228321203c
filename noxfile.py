"""Build, test and release each package of the monorepo on its own.

Packages are discovered, never listed: every ``packages/<dist>/pyproject.toml`` is a
published distribution, every ``tools/<name>/pyproject.toml`` a dev-only peer (tested
and type-checked like a package, never built for PyPI). A package may name the peers
its tests and demo need in ``[tool.monorepo] test-peers = ["mongosim"]``.

Tests install the freshly built wheel (never ``src/``) into a new venv, so a file left
out of the wheel fails its package's tests.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_external_run = True

ROOT = Path(__file__).parent
DIST = ROOT / "dist"
sys.path.insert(0, str(ROOT / "tools"))
from release import check_tag  # noqa: E402

LINT_TOOLS = ("ruff==0.17.6",)
TYPECHECK_TOOLS = ("mypy==2.4.1",)
BUILD_CHECK_TOOLS = ("twine", "check-wheel-contents")


def _discover(parent: str) -> dict[str, Path]:
    return {p.parent.name: p.parent for p in sorted((ROOT / parent).glob("*/pyproject.toml"))}


PUBLISHED = _discover("packages")
PEERS = _discover("tools")
ALL = {**PUBLISHED, **PEERS}


def _pyproject(package: str) -> dict:
    return tomllib.loads((ALL[package] / "pyproject.toml").read_text())


def _min_python(package: str) -> str:
    """The oldest Python a package supports, from ``requires-python = ">=3.X"``."""
    requires = _pyproject(package)["project"]["requires-python"]
    match = re.fullmatch(r">=\s*(3\.\d+)", requires.strip())
    if not match:
        raise ValueError(f"{package}: requires-python must read '>=3.X', not {requires!r}")
    return match[1]


def _import_name(package: str) -> str:
    return package.replace("-", "_")


def _peers(package: str) -> list[str]:
    names = _pyproject(package).get("tool", {}).get("monorepo", {}).get("test-peers", [])
    unknown = sorted(set(names) - PEERS.keys())
    if unknown:
        raise ValueError(f"{package}: unknown test-peers {unknown}; peers live in tools/<name>/")
    return [str(PEERS[name]) for name in names]


def _build_wheel(session: nox.Session, package: str) -> Path:
    out = DIST / package
    shutil.rmtree(out, ignore_errors=True)
    session.run("uv", "build", "--wheel", "--out-dir", str(out), str(ALL[package]), external=True)
    (wheel,) = out.glob("*.whl")
    return wheel


def _install_built(session: nox.Session, package: str, extra: str) -> None:
    """Install the package's wheel (with `extra`) and its test peers into the session venv."""
    wheel = _build_wheel(session, package)
    session.install(f"{wheel}[{extra}]", *_peers(package))
    # The installed copy must be the one under test: fail if src/ could shadow it.
    session.run(
        "python",
        "-c",
        "import sys, importlib; m = importlib.import_module(sys.argv[1]);"
        " assert 'site-packages' in m.__file__, m.__file__",
        _import_name(package),
    )


def _pytest(session: nox.Session, package: str) -> None:
    tests = ALL[package] / "tests"
    session.run("pytest", str(tests), "-p", "no:cacheprovider", *session.posargs)


@nox.session(tags=["tests"])
@nox.parametrize("package", list(ALL))
def tests(session: nox.Session, package: str) -> None:
    """Build the wheel, install it with its `test` extra in a fresh venv, run pytest."""
    _install_built(session, package, "test")
    _pytest(session, package)


@nox.session(name="tools-tests", tags=["tests"])
def tools_tests(session: nox.Session) -> None:
    """Test the monorepo's own machinery: noxfile, release script, workflows."""
    session.install("pytest", "pyyaml", "nox", "uv", "check-jsonschema", "towncrier")
    session.run(
        "pytest", str(ROOT / "tools" / "tests"), "-p", "no:cacheprovider", *session.posargs
    )


@nox.session(tags=["lint"])
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole repository, one config."""
    session.install(*LINT_TOOLS)
    config = str(ROOT / "tools" / "ruff.toml")
    session.run("ruff", "check", "--config", config, str(ROOT))
    session.run("ruff", "format", "--check", "--config", config, str(ROOT))


@nox.session(tags=["typecheck"])
@nox.parametrize("package", list(ALL))
def typecheck(session: nox.Session, package: str) -> None:
    """mypy --strict on the package's src/, for the oldest Python it supports."""
    session.install(*TYPECHECK_TOOLS, "-e", f"{ALL[package]}[test]", *_peers(package))
    config = ("--config-file", str(ROOT / "tools" / "mypy.ini"))
    target = ("--python-version", _min_python(package))
    session.run("mypy", *config, *target, str(ALL[package] / "src"))


def _build_and_check(session: nox.Session, package: str) -> Path:
    out = DIST / package
    shutil.rmtree(out, ignore_errors=True)
    session.install(*BUILD_CHECK_TOOLS)
    session.run("uv", "build", "--out-dir", str(out), str(ALL[package]), external=True)
    # uv writes dist/<pkg>/.gitignore, which twine would reject: name the artifacts.
    artifacts = sorted(str(p) for p in out.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    session.run("twine", "check", "--strict", *artifacts)
    session.run("check-wheel-contents", *(a for a in artifacts if a.endswith(".whl")))
    return out


@nox.session(tags=["build"])
@nox.parametrize("package", list(PUBLISHED))
def build(session: nox.Session, package: str) -> None:
    """sdist + wheel into dist/<package>/, checked by twine and check-wheel-contents."""
    _build_and_check(session, package)


@nox.session(tags=["demo"])
@nox.parametrize("package", list(PUBLISHED))
def demo(session: nox.Session, package: str) -> None:
    """`python -m <module> demo` from the installed wheel."""
    _install_built(session, package, "demo")
    session.run("python", "-m", _import_name(package), "demo")


@nox.session(tags=["bench"], default=False)
@nox.parametrize("package", list(ALL))
def bench(session: nox.Session, package: str) -> None:
    """Run benchmarks/bench_*.py; each prints its ratio to an anchor timed in the same run."""
    _install_built(session, package, "bench")
    scripts = sorted((ALL[package] / "benchmarks").glob("bench_*.py"))
    if not scripts:
        session.error(f"{package} has no benchmarks/bench_*.py")
    for script in scripts:
        session.run("python", str(script), *session.posargs)


@nox.session(default=False)
def docs(session: nox.Session) -> None:
    """mkdocs build --strict: one site, a section per package."""
    session.install("-r", str(ROOT / "docs" / "requirements.txt"))
    # mkdocs-material prints its end-of-life notice (May 2027) on every build; it is known.
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run("mkdocs", "build", "--strict", "-f", str(ROOT / "docs" / "mkdocs.yml"), env=env)


@nox.session(default=False)
@nox.parametrize("package", list(PUBLISHED))
def release(session: nox.Session, package: str) -> None:
    """What CI runs on a tag: tag equals version, build, test the built wheel.

    The tag comes from ``--tag TAG`` or ``$GITHUB_REF_NAME``. ``--dry-run`` checks the tag
    and prints the remaining steps. Publishing is the release workflow's job (PyPI
    trusted publishing only works from the workflow itself).
    """
    args = list(session.posargs)
    dry_run = "--dry-run" in args
    tag = args[args.index("--tag") + 1] if "--tag" in args else os.environ.get("GITHUB_REF_NAME")
    if not tag:
        session.error("release needs a tag: --tag <dist>-vX.Y.Z or GITHUB_REF_NAME")
    version = _pyproject(package)["project"]["version"]
    try:
        check_tag(tag, package, version)
    except ValueError as error:
        session.error(str(error))
    if dry_run:
        session.log(f"dry run: would build and check dist/{package}/, then test its wheel")
        return
    out = _build_and_check(session, package)
    (wheel,) = out.glob("*.whl")
    session.install(f"{wheel}[test]", *_peers(package))
    _pytest(session, package)


@nox.session(name="prepare-release", default=False)
@nox.parametrize("package", list(PUBLISHED))
def prepare_release(session: nox.Session, package: str) -> None:
    """Bump, render the changelog, commit and tag: ``-s "prepare-release(package=P)" -- 1.2.0``."""
    session.install("hatch", "towncrier")
    session.run("python", str(ROOT / "tools" / "release.py"), package, *session.posargs)


# --- pylearn2-recipes: pylearn2's own YAML archive (issue 16); CI runs it once --------
@nox.session(name="pylearn2-archive", tags=["archive"])
def pylearn2_archive(session: nox.Session) -> None:
    """pylearn2's 70 YAML experiments, 2 epochs each on stand-in data, from the wheel."""
    _install_built(session, "pylearn2-recipes", "test")
    tests = ALL["pylearn2-recipes"] / "archive_tests"
    session.run("pytest", str(tests), "-p", "no:cacheprovider", *session.posargs)
