"""The noxfile run on a scratch monorepo: discovery, and tests of the built wheel only."""

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.32"]
build-backend = "hatchling.build"

[project]
name = "alpha-lib"
version = "0.1.0"
requires-python = ">=3.10"

[project.optional-dependencies]
test = ["pytest>=8"]

[tool.hatch.build.targets.wheel]
packages = ["src/alpha_lib"]
{exclude}
"""


def nox(repo, *args):
    return subprocess.run(
        [sys.executable, "-m", "nox", "-f", str(repo / "noxfile.py"), *args],
        cwd=repo,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def scratch(tmp_path):
    """A copy of this noxfile and tools/ beside one small package, alpha-lib."""
    shutil.copy(ROOT / "noxfile.py", tmp_path)
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "release.py", tmp_path / "tools")
    src = tmp_path / "packages" / "alpha-lib" / "src" / "alpha_lib"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("from alpha_lib.extra import ANSWER\n")
    (src / "extra.py").write_text("ANSWER = 42\n")
    tests = tmp_path / "packages" / "alpha-lib" / "tests"
    tests.mkdir()
    (tests / "test_alpha.py").write_text(
        textwrap.dedent(
            """
            import alpha_lib

            def test_answer():
                assert alpha_lib.ANSWER == 42
                assert "site-packages" in alpha_lib.__file__
            """
        )
    )
    return tmp_path


def write_pyproject(repo, exclude=""):
    (repo / "packages" / "alpha-lib" / "pyproject.toml").write_text(
        PYPROJECT.format(exclude=exclude)
    )


def test_sessions_are_listed_for_every_discovered_package(scratch):
    write_pyproject(scratch)
    result = nox(scratch, "-l")
    assert result.returncode == 0, result.stderr
    # Listed either selected by default (*) or opt-in (-), as bench and release are.
    listed = set(re.findall(r"^[*-] (\S+)", result.stdout, flags=re.M))
    for name in ("tests", "typecheck", "build", "demo", "bench", "release"):
        assert f"{name}(package='alpha-lib')" in listed


def test_tests_run_against_the_built_wheel_and_catch_a_missing_file(scratch):
    write_pyproject(scratch)
    good = nox(scratch, "-s", "tests(package='alpha-lib')")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "1 passed" in good.stdout + good.stderr
    # Built once: the next session (or Python) reuses the wheel of the same files.
    again = nox(scratch, "-s", "tests(package='alpha-lib')")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing dist/alpha-lib/" in again.stdout + again.stderr

    # The same source, but the wheel leaves extra.py out: an editable install or a
    # src/ on sys.path would still pass; a test of the wheel must not.
    write_pyproject(scratch, exclude='exclude = ["src/alpha_lib/extra.py"]')
    bad = nox(scratch, "-s", "tests(package='alpha-lib')")
    assert bad.returncode != 0
    assert "No module named 'alpha_lib.extra'" in bad.stdout + bad.stderr


def test_a_build_with_hooks_enabled_is_not_reused_without_them(scratch, monkeypatch):
    # HATCH_BUILD_HOOKS_ENABLE=1 builds a package's compiled wheel: a later session without
    # it must build the pure wheel again, not test the compiled one as if it were pure.
    write_pyproject(scratch)
    monkeypatch.setenv("HATCH_BUILD_HOOKS_ENABLE", "1")
    hooked = nox(scratch, "-s", "tests(package='alpha-lib')")
    assert hooked.returncode == 0, hooked.stdout + hooked.stderr
    monkeypatch.delenv("HATCH_BUILD_HOOKS_ENABLE")
    plain = nox(scratch, "-s", "tests(package='alpha-lib')")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "reusing dist/alpha-lib/" not in plain.stdout + plain.stderr


def test_a_package_with_no_tests_fails(scratch):
    write_pyproject(scratch)
    for test in (scratch / "packages" / "alpha-lib" / "tests").iterdir():
        test.unlink()
    result = nox(scratch, "-s", "tests(package='alpha-lib')")
    assert result.returncode != 0
    assert "no tests ran" in result.stdout + result.stderr


def test_release_refuses_a_tag_that_differs_from_the_version(scratch):
    write_pyproject(scratch)
    result = nox(
        scratch,
        "-s",
        "release(package='alpha-lib')",
        "--",
        "--tag",
        "alpha-lib-v0.2.0",
        "--dry-run",
    )
    assert result.returncode != 0
    assert "says version 0.2.0 but" in result.stdout + result.stderr
    ok = nox(
        scratch,
        "-s",
        "release(package='alpha-lib')",
        "--",
        "--tag",
        "alpha-lib-v0.1.0",
        "--dry-run",
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
