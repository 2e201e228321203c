"""The compiled build answers every call as the pure-Python build does.

mypyc checks annotated arguments itself (``int object expected; got numpy.int64``) and
unboxes typed results; the source is written so that it never does where the pure build
would answer differently. parity_calls.py makes a few thousand calls with ordinary and odd
arguments; here they run on the compiled build and, in a child process with
``JAVA_DATASTREAM_PURE_PYTHON=1``, on the Python source of the same installed wheel.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from parity_calls import outcomes

import java_datastream

TESTS = Path(__file__).parent


def _pure_outcomes() -> dict[str, object]:
    env = {**os.environ, "JAVA_DATASTREAM_PURE_PYTHON": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    code = "import json, parity_calls; print(json.dumps(parity_calls.outcomes()))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def _stable(calls: object) -> list[list[str]]:
    """Object addresses in messages differ from process to process."""
    assert isinstance(calls, list)
    return [[re.sub(r" at 0x[0-9a-f]+", " at 0x…", part) for part in call] for call in calls]


def test_the_switch_to_the_pure_build_works() -> None:
    assert _pure_outcomes()["compiled"] is False


@pytest.mark.skipif(not java_datastream.compiled, reason="compares the compiled build")
def test_every_call_answers_as_in_the_pure_build() -> None:
    pure = _stable(_pure_outcomes()["calls"])
    compiled = _stable(outcomes()["calls"])
    assert [call[0] for call in compiled] == [call[0] for call in pure]
    differing = [(c, p) for c, p in zip(compiled, pure, strict=True) if c != p]
    assert differing[:10] == []
    assert len(compiled) > 2000
