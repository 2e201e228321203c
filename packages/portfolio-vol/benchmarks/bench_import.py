"""Import time: `import portfolio_vol` against importing numpy, its one dependency, alone.

Each is `python -X importtime -c "import X"` in a fresh interpreter; the cumulative
microseconds of the top-level module are summed over the best of several runs.
"""

from __future__ import annotations

import subprocess
import sys

from _common import machine

GOAL = 1.5


def import_microseconds(module: str, *, repeat: int = 7) -> int:
    best = None
    for _ in range(repeat):
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
        )
        line = next(
            row
            for row in reversed(result.stderr.splitlines())
            if row.rstrip().endswith(f"| {module}")
        )
        cumulative = int(line.split("|")[1])
        best = cumulative if best is None else min(best, cumulative)
    assert best is not None
    return best


def main() -> None:
    machine()
    ours, numpy = import_microseconds("portfolio_vol"), import_microseconds("numpy")
    value = ours / numpy
    verdict = "met" if value <= GOAL else "NOT met"
    print('import time, python -X importtime -c "import X" (cumulative)')
    print(f"  anchor  import numpy          {numpy:8d} us")
    print(f"  ours    import portfolio_vol  {ours:8d} us")
    print(f"  ratio ours/anchor {value:.2f} (goal <= {GOAL:g}: {verdict})")


if __name__ == "__main__":
    main()
