"""Which build runs: nox's tests session runs this suite on the pure wheel, then on the
compiled (mypyc) wheel, and says which through SIXPACK_BUILD."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import java_datastream
from java_datastream import _input, _output, _records, hadoop, modified_utf8

if sys.version_info >= (3, 11):
    import tomllib
else:  # tomllib is new in 3.11; tomli is the same parser
    import tomli as tomllib


@pytest.mark.skipif(
    "SIXPACK_BUILD" not in os.environ, reason="run by nox, which sets SIXPACK_BUILD"
)
def test_the_build_under_test_is_the_one_nox_built() -> None:
    compiled = os.environ["SIXPACK_BUILD"] == "compiled"
    assert java_datastream.compiled is compiled
    for module in (_input, _output, _records, hadoop, modified_utf8):
        assert (module.__file__ or "").endswith(".py") is not compiled, module.__file__


def test_compiled_is_a_bool() -> None:
    assert isinstance(java_datastream.compiled, bool)


def test_version_is_the_pyproject_version() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert java_datastream.__version__ == pyproject["project"]["version"]
