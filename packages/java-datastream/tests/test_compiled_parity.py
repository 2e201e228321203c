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
from typing import Any

import pytest
from parity_calls import outcomes

import java_datastream

TESTS = Path(__file__).parent


def _child(code: str, **env: str) -> dict[str, Any]:
    """What `code` prints as JSON, run by this Python with the tests importable."""
    env = {**os.environ, **env}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


_OUTCOMES = "import json, parity_calls; print(json.dumps(parity_calls.outcomes()))"
# Taking the C accelerator away: importing it then raises ImportError, as on a platform
# whose compiled wheel lacks it.
_NO_SPEEDUPS = 'import sys; sys.modules["java_datastream._speedups"] = None\n'


def _pure_outcomes() -> dict[str, Any]:
    return _child(_OUTCOMES, JAVA_DATASTREAM_PURE_PYTHON="1")


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


# What the public API makes of inputs the C accelerator would otherwise handle: ASCII,
# non-ASCII, NUL, supplementary characters, malformed bytes, records with and without strings.
_STRINGS = r"""
import io, json, struct
import java_datastream
from java_datastream import DataInputStream, DataOutputStream, RecordFormat, UTFDataFormatError
from java_datastream import _input, _output, _records, modified_utf8
from java_datastream._build import speedups
texts = ["", "hello", "h\u00e9llo, w\u00f6rld", "nul\x00here", "\u20ac" * 300, "\U0001f600 smile"]
sink = io.BytesIO()
out = DataOutputStream(sink)
for text in texts:
    out.write_utf(text)
out.write_records(RecordFormat("int utf"), [(i, t) for i, t in enumerate(texts)])
out.write_records(RecordFormat("int long double"), [(1, -2, 0.5), (-3, 4, 1e300)])
data = sink.getvalue()
inp = DataInputStream(data)
read = [inp.read_utf() for _ in texts]
columns = inp.read_records(RecordFormat("int utf"), len(texts))
fixed = inp.read_records(RecordFormat("int long double"), 2)
modules = (_input, _output, _records, modified_utf8)
listed = [c.tolist() if hasattr(c, "tolist") else c for c in columns.values()]
encoded = [modified_utf8.encode(t) for t in texts]
errors = []
for raw in (b"\xc0", b"\xe0\x80", b"\xf0\x9f\x98\x80", b"ok\xc0\x80", b"\xed\xa0\x80"):
    try:
        errors.append(["ok", DataInputStream(struct.pack(">H", len(raw)) + raw).read_utf()])
    except UTFDataFormatError as error:
        errors.append(["error", str(error)])
print(json.dumps({
    "compiled": java_datastream.compiled,
    "accelerated": [speedups(m.__file__) is not None for m in modules],
    "bytes": data.hex(),
    "read": read,
    "columns": listed,
    "fixed": fixed.tolist(),
    "errors": errors,
    "codec": [e.hex() for e in encoded] + [modified_utf8.decode(e) for e in encoded],
}))
"""


@pytest.mark.skipif(not java_datastream.compiled, reason="takes the compiled build's C away")
def test_a_compiled_build_without_its_accelerator_falls_back_to_the_same_results() -> None:
    """The compiled modules run their Python code where ``_speedups`` cannot be imported."""
    with_c, without_c = _child(_STRINGS), _child(_NO_SPEEDUPS + _STRINGS)
    assert with_c["accelerated"] == [True] * 4
    assert without_c["accelerated"] == [False] * 4
    assert with_c["compiled"] is without_c["compiled"] is True
    for key in ("bytes", "read", "columns", "fixed", "errors", "codec"):
        assert without_c[key] == with_c[key], key
    assert with_c["read"] == with_c["codec"][6:]  # every string read back as written


@pytest.mark.skipif(not java_datastream.compiled, reason="takes the compiled build's C away")
def test_without_its_accelerator_the_compiled_build_answers_every_call_alike() -> None:
    fallback = _child(_NO_SPEEDUPS + _OUTCOMES)
    assert fallback["compiled"] is True
    assert _stable(fallback["calls"]) == _stable(outcomes()["calls"])
