"""Shared fixtures: the Pima data as a UCI-layout CSV, and PyTensor's compile cache.

Every test that trains the blog's networks uses PyTensor's default (Numba) mode, so a
handful of distinct graphs are compiled once per session and reused from the on-disk
cache; odd variants (other activations, costs) compile in FAST_COMPILE.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import load_pima

FAST = "FAST_COMPILE"


@pytest.fixture(scope="session")
def pima_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 768 Pima rows from the faraway package, written without a header."""
    X, y = load_pima()
    path = tmp_path_factory.mktemp("pima") / "pima-indians-diabetes.data"
    rows = [
        ",".join(f"{v:g}" for v in features) + f",{label}"
        for features, label in zip(X, y, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def rng() -> np.random.RandomState:
    return np.random.RandomState(1234)
