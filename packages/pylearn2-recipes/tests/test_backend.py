"""PyTensor loads on first use, and what is read before agrees with what it reads."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes._backend import SharedVariable, float_x, pt, pytensor

PROBE = textwrap.dedent(
    """
    import sys
    import pylearn2_recipes.recipes, pylearn2_recipes.registry
    from pylearn2_recipes._backend import float_x
    before = float_x()
    loaded_early = "pytensor" in sys.modules
    import pytensor
    print(before, pytensor.config.floatX, loaded_early)
    """
)


def probe(tmp_path: Path, flags: str, rc_text: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTENSOR_FLAGS", "PYTENSORRC")}
    env["PYTENSOR_FLAGS"] = flags
    if rc_text is not None:
        rc = tmp_path / "rc"
        rc.write_text(rc_text)
        env["PYTENSORRC"] = f"{tmp_path / 'missing'}{os.pathsep}{rc}"
    else:
        env["PYTENSORRC"] = str(tmp_path / "none")
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


@pytest.mark.parametrize(
    ("flags", "rc_text", "expected"),
    [
        ("", None, "float64"),
        ("floatX=float32", None, "float32"),
        ("device=cpu,floatX=float32,mode=FAST_RUN", None, "float32"),
        ("", "[global]\nfloatX = float32\n", "float32"),
        ("floatX=float64", "[global]\nfloatX = float32\n", "float64"),
        ("", "[numba]\nfastmath = True\n", "float64"),
    ],
)
def test_float_x_read_before_pytensor_is_what_pytensor_reads(
    tmp_path: Path, flags: str, rc_text: str | None, expected: str
) -> None:
    cache = f"base_compiledir={tmp_path / 'cache'}"
    before, after, loaded_early = probe(tmp_path, f"{flags},{cache}" if flags else cache, rc_text)
    assert loaded_early == "False"  # importing the package's modules leaves PyTensor alone
    assert before == after == expected


def test_stand_ins_behave_as_pytensor() -> None:
    shared = pytensor.shared(np.zeros(2), name="w")
    assert isinstance(shared, SharedVariable)
    assert not isinstance(np.zeros(2), SharedVariable)
    assert issubclass(type(shared), SharedVariable)
    assert float_x() == pytensor.config.floatX
    x = pt.dvector("x")
    assert pytensor.function([x], pt.exp(x), mode="FAST_COMPILE")(np.zeros(1))[0] == 1.0
