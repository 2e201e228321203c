"""How long each crafted untrusted input of issue 17 takes to be refused (goal: 2 s each).

Each case runs in a fresh process; the first time printed is the `load` call alone, the
second the whole process, imports included, as a user sees it. A refused file is refused
before PyTensor is imported (the runner says when it was not); building a model imports
it. The anchor is loading a legitimate model file of the same size class, timed the same
way in the same run. The load average is printed before and after: on the shared 2-core
machine every time grows with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

RUNNER = textwrap.dedent(
    """
    import sys, time
    from pylearn2_recipes.config import yaml_parse
    from pylearn2_recipes.utils import serial
    kind, target = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    try:
        serial.load(target) if kind == "model" else yaml_parse.load(open(target).read())
        outcome = "loaded"
    except Exception as error:
        outcome = type(error).__name__
    print(outcome, time.perf_counter() - start, "pytensor" in sys.modules)
    """
)


def architecture(nvis: int, dim: int, n_classes: int = 2, sparse_init: int | None = None) -> dict:
    hidden = {"dim": dim, "layer_name": "h0", "irange": None if sparse_init else 0.1}
    hidden["sparse_init"] = sparse_init
    return {
        "class": "MLP",
        "nvis": nvis,
        "seed": [2013, 1, 4],
        "layers": [
            {"class": "Sigmoid", "args": hidden},
            {
                "class": "Softmax",
                "args": {"n_classes": n_classes, "layer_name": "y", "irange": 0.1},
            },
        ],
    }


def model_file(path: Path, arch: dict, arrays: list[np.ndarray]) -> Path:
    header = {
        "format": "pylearn2-recipes-model",
        "version": 1,
        "architecture": arch,
        "params": [str(i) for i in range(len(arrays))],
        "tag": {},
    }
    with open(path, "wb") as handle:
        np.savez_compressed(
            handle,
            __model__=np.array(json.dumps(header)),
            **{f"param_{i}": a for i, a in enumerate(arrays)},
        )
    return path


#: Python may write bytecode, as after a `pip install`: with PYTHONDONTWRITEBYTECODE set
#: and no .pyc files installed (uv, `pip --no-compile`), each process first recompiles
#: PyTensor's modules from source, which alone takes 1-2 s here.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run(kind: str, target: Path) -> tuple[str, float, float, bool]:
    """(outcome, seconds in load, whole process, PyTensor imported?), best of 3."""
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", RUNNER, kind, str(target)],
            env=ENV,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        runs.append((out[0], float(out[1]), time.perf_counter() - start, out[2] == "True"))
    return min(runs, key=lambda run: run[2])


def main() -> None:
    small = [np.zeros((2, 2)), np.zeros(2), np.zeros(2), np.zeros((2, 2))]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        cases = {
            "model: Sigmoid(3000, sparse_init 3000) header": (
                "model",
                model_file(root / "a.pkl", architecture(3000, 3000, sparse_init=3000), small),
            ),
            "model: nvis 10**10": (
                "model",
                model_file(root / "b.pkl", architecture(10**10, 2), small),
            ),
            "model: n_classes 10**10": (
                "model",
                model_file(root / "c.pkl", architecture(2, 2, n_classes=10**10), small),
            ),
            "yaml: numpy.ones 74.5 GiB": ("yaml", root / "d.yaml"),
            "yaml: numpy.linspace 74.5 GiB": ("yaml", root / "e.yaml"),
            "yaml: [ x 100000": ("yaml", root / "f.yaml"),
            "yaml: Sigmoid(3000, sparse_init 3000) builds": ("yaml", root / "g.yaml"),
        }
        (root / "d.yaml").write_text("!obj:numpy.ones {shape: [100000, 100000]}")
        (root / "e.yaml").write_text("!obj:numpy.linspace {start: 0, stop: 1, num: 10000000000}")
        (root / "f.yaml").write_text("[" * 100_000)
        (root / "g.yaml").write_text(
            "!obj:pylearn2.models.mlp.MLP {nvis: 3000, layers: ["
            "!obj:pylearn2.models.mlp.Sigmoid {dim: 3000, sparse_init: 3000, layer_name: h},"
            "!obj:pylearn2.models.mlp.Softmax {n_classes: 2, layer_name: y, irange: .1}]}"
        )
        anchor = model_file(root / "ok.pkl", architecture(2, 2), small)
        _, anchor_time, anchor_process, _ = run("model", anchor)
        print(f"Crafted inputs (fresh process each, best of 3; goal: ends within 2 s); {_load()}")
        print(
            f"  anchor: a valid 2-2-2 model file loads in {anchor_time:.3f} s "
            f"(whole process {anchor_process:.2f} s)"
        )
        for name, (kind, path) in cases.items():
            outcome, seconds, process, imported = run(kind, path)
            verdict = "met" if process <= 2.0 else "NOT met"
            print(
                f"  {name:48s} {outcome:16s} {seconds:6.3f} s, whole process {process:5.2f} s "
                f"({process / anchor_process:4.1f}x anchor)  goal <= 2 s: {verdict}"
                f"{'' if imported else '  (PyTensor not imported)'}"
            )
        print(f"  ({_load()} at the end)")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


if __name__ == "__main__":
    main()
