"""Issue 19's conventions, per package: runnable examples, bounded tests, light metadata.

Each failing test names the package and what it lacks (the brief's "first hour" list).
"""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p.parent.name for p in (ROOT / "packages").glob("*/pyproject.toml"))


def pyproject(dist):
    return tomllib.loads((ROOT / "packages" / dist / "pyproject.toml").read_text())


@pytest.mark.parametrize("dist", PACKAGES)
def test_every_markdown_example_is_run_by_test_examples(dist):
    test = ROOT / "packages" / dist / "tests" / "test_examples.py"
    assert test.is_file(), f"{dist}: no tests/test_examples.py"
    text = test.read_text()
    assert "pytest_examples" in text, f"{dist}: test_examples.py does not use pytest-examples"
    assert "README.md" in text, f"{dist}: test_examples.py does not read the README"
    assert "docs" in text, f"{dist}: test_examples.py does not read docs/content/packages/{dist}/"


@pytest.mark.parametrize("dist", PACKAGES)
def test_tests_have_a_default_timeout(dist):
    config = pyproject(dist)
    test_extra = config["project"].get("optional-dependencies", {}).get("test", [])
    assert any(req.startswith("pytest-timeout") for req in test_extra), (
        f"{dist}: pytest-timeout is not in the test extra"
    )
    assert any(req.startswith("pytest-examples") for req in test_extra), (
        f"{dist}: pytest-examples is not in the test extra"
    )
    options = config.get("tool", {}).get("pytest", {}).get("ini_options", {})
    assert float(options.get("timeout", 0)) > 0, f"{dist}: no default `timeout` for pytest"
