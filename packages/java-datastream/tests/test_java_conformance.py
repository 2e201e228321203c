"""Both directions against the real JDK, from one case table (tests/java_cases.py).

Java writes the table with DataOutputStream; Python must write the same bytes and read
Java's bytes back to the table's values; Java's DataInputStream must read Python's stream
back to the same values. Then raw inputs (edge cases and 20,000 fuzzed readUTF payloads)
go through both readers, which must agree on every value, exception class and message.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest
from java_cases import (
    READ_CASES,
    WRITE_OPS,
    fuzz_cases,
    java_table,
    python_read_check,
    python_read_tokens,
    python_write,
)

from java_datastream import DataInputStream, DataOutputStream

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Jdk

pytestmark = pytest.mark.java

FUZZ_CASES = fuzz_cases(20_000)


@pytest.fixture(scope="module")
def java_written(jdk: Jdk, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str]]:
    """The bytes Java writes for WRITE_OPS and its per-op results ("ok"/"EXC:...", size)."""
    workdir = tmp_path_factory.mktemp("java-write")
    (workdir / "ops.tsv").write_text(java_table(WRITE_OPS), encoding="ascii")
    result = jdk.oracle("write", str(workdir / "ops.tsv"), str(workdir / "java.bin"))
    assert result.returncode == 0, result.stderr
    return (workdir / "java.bin").read_bytes(), result.stdout.splitlines()


@pytest.fixture(scope="module")
def java_reads(jdk: Jdk, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    """What Java's DataInputStream returns or throws for every read case and fuzz payload."""
    cases = READ_CASES + FUZZ_CASES
    path = tmp_path_factory.mktemp("java-read") / "cases.tsv"
    path.write_text("".join(f"{ops}\t{data}\n" for ops, data in cases), encoding="ascii")
    result = jdk.oracle("read", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")[:-1]
    assert len(lines) == len(cases)
    return dict(zip(cases, lines, strict=True))


def _first_difference(ours: bytes, theirs: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), None)
    if at is None:
        return f"lengths differ: {len(ours)} vs Java's {len(theirs)}"
    return f"byte {at}: {ours[at : at + 8].hex()} vs Java's {theirs[at : at + 8].hex()}"


@pytest.mark.parametrize("how", ["loop", "list", "array", "numpy"])
def test_python_writes_the_bytes_java_writes(
    java_written: tuple[bytes, list[str]], how: str
) -> None:
    java_bytes, java_results = java_written
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    results = [python_write(out, op, how) for op in WRITE_OPS]
    assert [*results, f"size:{out.size()}"] == java_results
    ours = sink.getvalue()
    assert ours == java_bytes, _first_difference(ours, java_bytes)


def test_the_table_reaches_the_refusals_and_boundaries(
    java_written: tuple[bytes, list[str]],
) -> None:
    _, java_results = java_written
    refusals = [r for r in java_results if r.startswith("EXC:UTFDataFormatException:")]
    assert len(refusals) == 8  # 65536 a, 21846 U+0800, ... each with an excerpt
    assert len(java_results) == len(WRITE_OPS) + 1


def test_java_reads_what_python_writes(jdk: Jdk, tmp_path: Path) -> None:
    (tmp_path / "ops.tsv").write_text(java_table(WRITE_OPS), encoding="ascii")
    with (tmp_path / "python.bin").open("wb") as sink:
        out = DataOutputStream(sink)
        for op in WRITE_OPS:
            python_write(out, op, "array")
    result = jdk.oracle("verify", str(tmp_path / "ops.tsv"), str(tmp_path / "python.bin"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"verified {len(WRITE_OPS)} ops"


@pytest.mark.parametrize("source", ["bytes", "file"])
def test_python_reads_what_java_writes(
    java_written: tuple[bytes, list[str]], source: str, tmp_path: Path
) -> None:
    java_bytes, _ = java_written
    (tmp_path / "java.bin").write_bytes(java_bytes)
    with (tmp_path / "java.bin").open("rb") as file:
        inp = DataInputStream(java_bytes if source == "bytes" else file)
        problems = [
            (i, op.type, p) for i, op in enumerate(WRITE_OPS) if (p := python_read_check(inp, op))
        ]
        assert problems[:5] == []
        assert inp.read(1) == b""


@pytest.mark.parametrize(("ops", "data"), READ_CASES, ids=[f"{o}:{d[:20]}" for o, d in READ_CASES])
def test_reads_agree_with_java(
    java_reads: dict[tuple[str, str], str], ops: str, data: str
) -> None:
    assert python_read_tokens(ops, data) == java_reads[ops, data]


def test_read_utf_agrees_with_java_on_20000_fuzzed_payloads(
    java_reads: dict[tuple[str, str], str],
) -> None:
    mismatches = [
        (data, ours, java_reads[ops, data])
        for ops, data in FUZZ_CASES
        if (ours := python_read_tokens(ops, data)) != java_reads[ops, data]
    ]
    assert mismatches[:5] == []
    # The fuzz is only worth something if it reaches every outcome often.
    outcomes = [java_reads[case].split("\t")[0].split(":")[:2] for case in FUZZ_CASES]
    accepted = sum(kind == "s" for kind, *_ in outcomes)
    malformed = sum(o == ["EXC", "UTFDataFormatException"] for o in outcomes)
    truncated = sum(o == ["EXC", "EOFException"] for o in outcomes)
    assert accepted > 4000
    assert malformed > 4000
    assert truncated > 200
