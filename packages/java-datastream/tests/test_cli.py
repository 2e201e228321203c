"""``python -m java_datastream dump`` and ``demo``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from java_datastream import DataOutputStream, RecordFormat
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
def test_demo_is_verified_by_the_jdk_and_keeps_its_file(jdk: Jdk, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "java_datastream", "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"read back all {len(DEMO_VALUES)} values" in result.stdout
    assert f"{len(DEMO_VALUES) + 1} checks passed with java.io.DataInputStream" in result.stdout
    kept = tmp_path / "java-datastream-demo.bin"
    assert f"to {kept} (kept)" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept.name]  # nothing else left


@pytest.mark.java
def test_demo_json_says_what_it_wrote(jdk: Jdk, tmp_path: Path) -> None:
    out = tmp_path / "d.bin"
    result = subprocess.run(
        [sys.executable, "-m", "java_datastream", "--json", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    size = out.stat().st_size
    assert summary == {
        "file": str(out),
        "bytes": size,
        "values": len(DEMO_VALUES),
        "jdk": "verified",
    }


@pytest.mark.parametrize(
    "argv",
    [
        ["dump", "{f}", "--json", "--format", "int,utf"],
        ["--json", "dump", "{f}", "--format", "int,utf"],
        ["dump", "--format", "int,utf", "{f}", "--json"],
    ],
)
def test_dump_json_with_options_before_or_after_the_subcommand(
    stream: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main([a.format(f=stream) for a in argv]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {"offset": 0, "type": "int", "value": 42},
        {"offset": 4, "type": "utf", "value": "hi"},
    ]


def test_dump_records_prints_rows_and_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sink = io.BytesIO()
    DataOutputStream(sink).write_records(
        RecordFormat("int utf double"), [(1, "a", 0.5), (2, "b\0", float("nan"))]
    )
    (tmp_path / "r.bin").write_bytes(sink.getvalue())
    assert main(["dump", str(tmp_path / "r.bin"), "--records", "id:int name:utf x:double"]) == 0
    assert [line.split() for line in capsys.readouterr().out.splitlines()] == [
        ["0", "0", "1", "'a'", "0.5"],
        ["1", "15", "2", "'b\\x00'", "nan"],
    ]
    assert main(["dump", str(tmp_path / "r.bin"), "--records", "int utf double", "--json"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [
        {"offset": 0, "f0": 1, "f1": "a", "f2": 0.5},
        {"offset": 15, "f0": 2, "f1": "b\0", "f2": "nan"},
    ]
    (tmp_path / "cut.bin").write_bytes(sink.getvalue()[:-1])
    assert main(["dump", str(tmp_path / "cut.bin"), "--records", "int utf double"]) == 1
    assert "needed 17 bytes from byte 15, got 16" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dump"], "error: the following arguments are required: FILE"),
        (["dump", "x"], "one of the arguments --format --records is required"),
        (["dump", "x", "--records", "int lnog"], "has type 'lnog'"),
        (["nope"], "invalid choice: 'nope'"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code  # argparse's own errors exit; ours return the code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


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
