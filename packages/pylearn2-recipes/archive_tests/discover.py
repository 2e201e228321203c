"""Print each archive file's outcome (to write EXPECTED): python discover.py DATA_DIR."""

import os
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
warnings.simplefilter("ignore")

import test_yaml_archive as harness  # noqa: E402

data = Path(sys.argv[1])
import pytest  # noqa: E402

patcher = pytest.MonkeyPatch()
harness.cap_mnist(patcher)
results = {}
for name in harness.FILES:
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        try:
            outcome = harness.run(name, data, Path(work))
        except Exception as error:
            outcome = f"error {type(error).__name__}: {str(error)[:150]}"
    results[name] = outcome
    print(f"{name}: {outcome}", flush=True)
