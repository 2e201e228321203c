"""Build, test and release each package of the monorepo on its own.

Packages are discovered, never listed: every ``packages/<dist>/pyproject.toml`` is a
published distribution, every ``tools/<name>/pyproject.toml`` a dev-only peer (tested
and type-checked like a package, never built for PyPI). A package may name the peers
its tests and demo need in ``[tool.monorepo] test-peers = ["mongosim"]``; a peer is any
of them, published or not, and is installed from its wheel built here (so an extra that
depends on a peer not yet on PyPI resolves to the local copy).

Tests install the freshly built wheel (never ``src/``) into a new venv, so a file left
out of the wheel fails its package's tests. Each package is built once (sdist, then the
wheel from the sdist, into ``dist/<dist>/``) and reused by every session and Python until
its files change: a pure wheel serves 3.10 to 3.13 alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import nox

try:
    import fcntl
except ImportError:  # Windows: no lock; run one nox at a time there
    fcntl = None  # type: ignore[assignment]

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


def _peer_names(package: str) -> list[str]:
    names = _pyproject(package).get("tool", {}).get("monorepo", {}).get("test-peers", [])
    unknown = sorted(set(names) - ALL.keys())
    if unknown:
        raise ValueError(f"{package}: unknown test-peers {unknown}; no such package or tool")
    return list(names)


# --- building once, reusing everywhere ---------------------------------------------------

_OUTPUT_DIRS = ("build", "dist")  # at a package's top level only: src/ may hold a `build` module


class Dists(NamedTuple):
    sdist: Path
    wheel: Path


def _fingerprint(package: str) -> str:
    """A hash of every file that goes into the package's sdist (caches and dotfiles aside).

    ``HATCH_BUILD_HOOKS_ENABLE`` counts too: with it set, the wheel built is the compiled
    one, which a later session without it must not reuse as the pure wheel.
    """
    digest = hashlib.sha256()
    digest.update(f"hooks={os.environ.get('HATCH_BUILD_HOOKS_ENABLE', '')}\0".encode())
    home = ALL[package]
    for path in sorted(home.rglob("*")):
        parts = path.relative_to(home).parts
        if parts[0] in _OUTPUT_DIRS or any(
            p.startswith(".") or p == "__pycache__" or p.endswith(".egg-info") for p in parts
        ):
            continue
        if path.is_file():
            digest.update(f"{Path(*parts).as_posix()}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(package: str) -> Iterator[None]:
    """Hold dist/<package>/'s lock: nox runs side by side (one per Python) share dist/."""
    DIST.mkdir(exist_ok=True)
    with (DIST / f".{package}.lock").open("w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _dists(session: nox.Session, package: str) -> Dists:
    """The package's sdist and wheel in dist/<package>/, built only if its files changed."""
    out = DIST / package
    stamp = out / ".fingerprint"
    fingerprint = _fingerprint(package)
    with _locked(package):
        sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
        if stamp.is_file() and stamp.read_text() == fingerprint and len(sdists) == 1 and wheels:
            session.log(f"reusing {out.relative_to(ROOT)}/ (built from these very files)")
        else:
            shutil.rmtree(out, ignore_errors=True)
            session.run("uv", "build", "--out-dir", str(out), str(ALL[package]), external=True)
            stamp.write_text(fingerprint)
            sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
        return Dists(sdists[0], _wheel_for_session(session, out, sdists[0], wheels))


def _wheel_for_session(session: nox.Session, out: Path, sdist: Path, wheels: list[Path]) -> Path:
    """The pure wheel, or else (compiled) the one for the session's Python, built if missing."""
    pure = [w for w in wheels if w.name.endswith("-none-any.whl")]
    if pure:
        return pure[0]
    python = str(Path(session.bin) / "python")
    tag = subprocess.run(
        [python, "-c", "import sys; print('cp%d%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    mine = [w for w in wheels if f"-{tag}-" in w.name]
    if not mine:
        session.run(
            "uv", "build", "--wheel", "--python", python, "--out-dir", str(out), str(sdist),
            external=True,
        )  # fmt: skip
        mine = sorted(out.glob(f"*-{tag}-*.whl"))
    return mine[0]


def _has_compiled_build(package: str) -> bool:
    """Whether the package also builds compiled wheels (a hatch-mypyc hook, off by default)."""
    targets = (
        _pyproject(package).get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
    )
    return "mypyc" in targets.get("wheel", {}).get("hooks", {})


def _test_compiled_build(session: nox.Session, package: str) -> None:
    """Build the compiled wheel (from the sdist: nothing left in src/), reinstall, rerun pytest.

    Built for the session's own Python, in the session's own directory: mypyc output fits
    one interpreter, and the oldest and newest Pythons run side by side in CI.
    """
    out = Path(session.create_tmp()).resolve() / "compiled"
    shutil.rmtree(out, ignore_errors=True)
    sdist = _dists(session, package).sdist
    python = str(Path(session.bin) / "python")
    env = {"HATCH_BUILD_HOOKS_ENABLE": "1"}
    build = ["uv", "build", "--wheel", "--python", python, "--out-dir", str(out), str(sdist)]
    session.run(*build, env=env, external=True)
    (wheel,) = out.glob("*.whl")
    session.install("--reinstall", "--no-deps", str(wheel))
    _pytest(session, package, build="compiled")


def _install_built(session: nox.Session, package: str, extra: str) -> None:
    """Install the package's wheel (with `extra`) and its test peers' wheels into the venv."""
    wheel = _dists(session, package).wheel
    peers = [str(_dists(session, peer).wheel) for peer in _peer_names(package)]
    session.install(f"{wheel}[{extra}]", *peers)
    # The installed copy must be the one under test: fail if src/ could shadow it.
    session.run(
        "python",
        "-c",
        "import sys, importlib; m = importlib.import_module(sys.argv[1]);"
        " assert 'site-packages' in m.__file__, m.__file__",
        _import_name(package),
    )


def _pytest(session: nox.Session, package: str, build: str = "pure") -> None:
    tests = ALL[package] / "tests"
    # SIXPACK_BUILD tells a package with a compiled build which one its tests must find.
    env = {"SIXPACK_BUILD": build}
    session.run("pytest", str(tests), "-p", "no:cacheprovider", *session.posargs, env=env)


@nox.session(tags=["tests"])
@nox.parametrize("package", list(ALL))
def tests(session: nox.Session, package: str) -> None:
    """Build the wheel, install it with its `test` extra in a fresh venv, run pytest.

    A package with a compiled build (hatch-mypyc hook) is then tested again on that wheel.
    """
    _install_built(session, package, "test")
    _pytest(session, package)
    if _has_compiled_build(package):
        _test_compiled_build(session, package)


@nox.session(name="tools-tests", tags=["tests"])
def tools_tests(session: nox.Session) -> None:
    """Test the monorepo's own machinery: noxfile, release script, workflows."""
    session.install("pytest", "pyyaml", "nox", "uv", "check-jsonschema", "towncrier", "griffe")
    # test_strategy_vocabulary.py compares the packages' _strategies.py with tenacity.
    session.install("tenacity")
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
    peers = [str(_dists(session, peer).wheel) for peer in _peer_names(package)]
    session.install(*TYPECHECK_TOOLS, "-e", f"{ALL[package]}[test]", *peers)
    config = ("--config-file", str(ROOT / "tools" / "mypy.ini"))
    target = ("--python-version", _min_python(package))
    session.run("mypy", *config, *target, str(ALL[package] / "src"))


def _build_and_check(session: nox.Session, package: str) -> Dists:
    session.install(*BUILD_CHECK_TOOLS)
    dists = _dists(session, package)
    session.run("twine", "check", "--strict", *dists)
    session.run("check-wheel-contents", str(dists.wheel))
    return dists


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
    """mkdocs build --strict into docs/site, then docs/tests over the built HTML."""
    session.install("-r", str(ROOT / "docs" / "requirements.txt"), "pytest")
    site = ROOT / "docs" / "site"
    # mkdocs-material prints its end-of-life notice (May 2027) on every build; it is known.
    env = {"NO_MKDOCS_2_WARNING": "1", "DOCS_SITE": str(site)}
    config = str(ROOT / "docs" / "mkdocs.yml")
    session.run("mkdocs", "build", "--strict", "-f", config, "-d", str(site), env=env)
    session.run("pytest", str(ROOT / "docs" / "tests"), "-p", "no:cacheprovider", env=env)


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
    _build_and_check(session, package)
    _install_built(session, package, "test")
    _pytest(session, package)


@nox.session(name="prepare-release", default=False)
@nox.parametrize("package", list(PUBLISHED))
def prepare_release(session: nox.Session, package: str) -> None:
    """Bump, render the changelog, commit and tag: ``-s "prepare-release(package=P)" -- 1.2.0``."""
    session.install("hatch", "towncrier")
    session.run("python", str(ROOT / "tools" / "release.py"), package, *session.posargs)


# --- release dress rehearsal -------------------------------------------------------------

PYPI = "https://pypi.org/simple/"
# pip as a user runs it: no config file of this machine (extra indexes, local wheels,
# constraints), the cache and certificates kept.
_PIP_KEEP = ("PIP_CACHE_DIR", "PIP_CERT", "PIP_DEFAULT_TIMEOUT")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the index exited ({server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the index did not answer {url} within 30 s:\n{log.read_text()}")


@nox.session(name="release-rehearsal", default=False)
def release_rehearsal(session: nox.Session) -> None:
    """Publish every package to a local index, then install each by name and run its CLI.

    pypiserver on 127.0.0.1 holds the sdists and wheels that twine uploads and redirects
    every other name to PyPI: ``pip install "locker-room[demo]"`` in a fresh venv takes
    locker-room and mongosim from here and pymongo from PyPI, as it will after a release.
    Then ``python -m <module> --help`` and ``python -m <module> demo`` (in an empty
    directory, at most 5 minutes each).
    """
    session.install("pypiserver", *BUILD_CHECK_TOOLS)
    work = Path(session.create_tmp()).resolve() / "rehearsal"
    shutil.rmtree(work, ignore_errors=True)
    (work / "index").mkdir(parents=True)
    uploads = [str(path) for package in PUBLISHED for path in _dists(session, package)]
    session.run("twine", "check", "--strict", *uploads)  # what `nox -t build` checks, at once
    session.run("check-wheel-contents", *(path for path in uploads if path.endswith(".whl")))

    url = f"http://127.0.0.1:{_free_port()}"
    log = work / "index.log"
    command = [str(Path(session.bin) / "pypi-server"), "run", "-i", "127.0.0.1"]
    command += ["-p", url.rsplit(":", 1)[1], "-a", ".", "-P", ".", "--fallback-url", PYPI]
    with log.open("wb") as out:
        server = subprocess.Popen([*command, str(work / "index")], stdout=out, stderr=out)
    try:
        _wait_until_up(f"{url}/health", server, log)
        session.run(
            "twine", "upload", "--non-interactive", "--disable-progress-bar",
            "--repository-url", f"{url}/", "-u", "rehearsal", "-p", "rehearsal", *uploads,
        )  # fmt: skip
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in _PIP_KEEP}
        env["PIP_CONFIG_FILE"] = os.devnull
        env.pop("VIRTUAL_ENV", None)
        for package in PUBLISHED:
            _rehearse(session, package, f"{url}/simple/", work / package, env)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _rehearse(session: nox.Session, package: str, index: str, home: Path, env: dict) -> None:
    venv, cwd = home / "venv", home / "cwd"
    cwd.mkdir(parents=True)
    run = {"external": True, "env": env, "include_outer_env": False}
    session.run("python", "-m", "venv", str(venv), **run)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    # --no-compile: byte-compiling numpy, scipy and the rest is most of pip's CPU time here,
    # and proves nothing about the metadata.
    install = ["install", "--no-compile", "--index-url", index, f"{package}[demo]"]
    session.run(*pip, *install, **run)
    module = [str(venv / "bin" / "python"), "-m", _import_name(package)]
    with session.chdir(cwd):
        session.run(*module, "--help", **run)
        session.run("timeout", "300", *module, "demo", **run)


@nox.session(name="spec-tests", default=False)
def spec_tests(session: nox.Session) -> None:
    """pymongo's own specification tests (its PyPI sdist) against a 3-member mongosim.

    Retryable reads/writes, CRUD and change streams; prints the counts per module and
    fails below the goals. ``-- --only crud`` runs one module.
    """
    wheel = _dists(session, "mongosim").wheel
    session.install(str(wheel), "pip", "pytest", "pytest-timeout", "pytest-asyncio")
    runner = ALL["mongosim"] / "conformance" / "pymongo_spec.py"
    session.run("python", str(runner), *session.posargs)


@nox.session(name="spec-tests-proxy", default=False)
def spec_tests_proxy(session: nox.Session) -> None:
    """spec-tests' retryable reads and writes again, every operation through the proxy.

    mongo-autoreconnect's ``conformance/proxied_spec.py`` (a pytest plugin) sends each
    operation through ``MongoProxy``, runs the asyncio twin of each module through
    ``AsyncMongoProxy`` and prints what the proxy did with the specified errors.
    """
    wheels = [str(_dists(session, name).wheel) for name in ("mongosim", "mongo-autoreconnect")]
    session.install(*wheels, "pip", "pytest", "pytest-timeout", "pytest-asyncio")
    plugin = ALL["mongo-autoreconnect"] / "conformance"
    report = Path(session.create_tmp()).resolve() / "proxied-spec.jsonl"
    report.unlink(missing_ok=True)
    env = {"PYTHONPATH": str(plugin), "PYTEST_ADDOPTS": "-p proxied_spec"}
    env["MAR_SPEC_REPORT"] = str(report)
    runner = ALL["mongosim"] / "conformance" / "pymongo_spec.py"
    modules = ("--only", "retryable-reads", "--only", "retryable-writes")
    session.run("python", str(runner), *modules, *session.posargs, env=env)
    session.run("python", str(plugin / "proxied_spec.py"), str(report))


# --- pylearn2-recipes: pylearn2's own YAML archive (issue 16); CI runs it once --------
@nox.session(name="pylearn2-archive", tags=["archive"])
def pylearn2_archive(session: nox.Session) -> None:
    """pylearn2's 70 YAML experiments, 2 epochs each on stand-in data, from the wheel."""
    _install_built(session, "pylearn2-recipes", "test")
    tests = ALL["pylearn2-recipes"] / "archive_tests"
    session.run("pytest", str(tests), "-p", "no:cacheprovider", *session.posargs)
