"""``python -m java_datastream dump`` and ``demo``."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from java_datastream import DataOutputStream
from java_datastream.__main__ import main
from java_datastream._demo import DEMO_VALUES, java_verifier

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Jdk


@pytest.fixture
def stream(tmp_path: Path) -> Path:
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    out.write_int(42)
    out.write_utf("hi")
    out.write_double(2.5)
    out.write_ints([1, 2, 3])
    out.write_utf("a")
    out.write_utf("b\0")
    path = tmp_path / "stream.bin"
    path.write_bytes(sink.getvalue())
    return path


def test_dump_prints_offset_type_and_value(
    stream: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dump", str(stream), "--format", "int,utf,double,int*3,utf*"]) == 0
    lines = [line.split(None, 2) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        ["0", "int", "42"],
        ["4", "utf", "'hi'"],
        ["8", "double", "2.5"],
        ["16", "int", "1"],
        ["20", "int", "2"],
        ["24", "int", "3"],
        ["28", "utf", "'a'"],
        ["31", "utf", "'b\\x00'"],
    ]


def test_dump_sized_items_and_leftover_bytes(
    stream: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dump", str(stream), "--format", "skip:4,bytes:4"]) == 0
    captured = capsys.readouterr()
    assert captured.out.split() == ["0", "skip", "4", "4", "bytes", "00026869"]
    assert "# 28 more bytes after the format" in captured.err


def test_dump_reports_a_stream_that_ends_inside_a_value(
    stream: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dump", str(stream), "--format", "long*5"]) == 1
    assert "needed 8 bytes from byte 32, got 4" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("data", "spec", "message"),
    [
        # 'a', 'bc', then a length of 5 and no payload
        ("000161 00026263 0005", "utf*", "needed 7 bytes from byte 7, got 2"),
        # 1, 2, then a marker for a 2-byte magnitude and no magnitude
        ("0102 8e", "vlong*", "needed 2 bytes from byte 3, got 0"),
    ],
)
def test_dump_to_the_end_reports_a_value_cut_after_its_first_part(
    tmp_path: Path, data: str, spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.bin"
    path.write_bytes(bytes.fromhex(data))
    assert main(["dump", str(path), "--format", spec]) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("int,quux", "format item 'quux' is not understood"),
        ("utf*,int", "only the last item may repeat to the end"),
        ("bytes", "need a size N >= 1"),
        ("int:3", "need a size N >= 1"),
        ("skip:0", "need a size N >= 1"),
    ],
)
def test_dump_names_the_bad_format_item(
    stream: Path, spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dump", str(stream), "--format", spec]) == 2
    assert message in capsys.readouterr().err


def test_dump_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dump", str(tmp_path / "nope"), "--format", "int"]) == 1
    assert "No such file" in capsys.readouterr().err


@pytest.mark.java
def test_demo_is_verified_by_the_jdk(jdk: Jdk) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "java_datastream", "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"read back all {len(DEMO_VALUES)} values" in result.stdout
    assert f"{len(DEMO_VALUES) + 1} checks passed with java.io.DataInputStream" in result.stdout


@pytest.mark.java
def test_the_demo_verifier_catches_a_wrong_value(jdk: Jdk, tmp_path: Path) -> None:
    (tmp_path / "Verify.java").write_text(java_verifier([("int", 42), ("utf", "é\0")]))
    sink = io.BytesIO()
    out = DataOutputStream(sink)
    out.write_int(42)
    out.write_utf("e\0")
    (tmp_path / "wrong.bin").write_bytes(sink.getvalue())
    result = subprocess.run(
        [jdk.java, str(tmp_path / "Verify.java"), str(tmp_path / "wrong.bin")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "ok        int 42" in result.stdout
    assert "MISMATCH  utf" in result.stdout
