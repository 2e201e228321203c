"""The hadoop module against Hadoop's own Text and WritableUtils, run in the JDK.

tests/java/hadoop holds Apache Hadoop's source of both classes (Apache-2.0, trimmed to
compile alone, as each file's header says); HadoopOracle.java drives them. Every vector
below comes from that code at test time, none from a transcription.
"""

from __future__ import annotations

import hashlib
import io
import random
from typing import TYPE_CHECKING

import pytest

import java_datastream
from java_datastream import (
    DataInputStream,
    DataOutputStream,
    MalformedInputError,
    TruncatedDataError,
    VIntRangeError,
    hadoop,
)

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Jdk

pytestmark = pytest.mark.java

SEED = 20261203

# The decoder's rules tell apart these classes of bytes (research note; Text.java's
# validateUTF8): ASCII, continuation bytes 80-8F, 90-9F, A0-BF (E0, ED, F0 and F4 accept only
# part of them), C0-C1, C2-DF, E0, E1-EC, ED, EE-EF, F0, F1-F3, F4, F5-FF. The compiled build
# decodes every input of 3 bytes; the pure-Python one, the same code run by the interpreter,
# every combination of the first and last byte of each class.
CLASS_BYTES = [0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
               0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]  # fmt: skip


def units(text: str) -> str:
    data = text.encode("utf-16-be", "surrogatepass")
    return data.hex()


def _digest(texts: list[str]) -> str:
    # HadoopOracle's record(): each text, then U+D800 (no decoded text holds a lone one).
    joined = "\ud800".join(texts) + "\ud800"
    return hashlib.sha256(joined.encode("utf-16-be", "surrogatepass")).hexdigest()


def _short_inputs() -> list[bytes]:
    pairs = [bytes((a, b)) for a in range(256) for b in range(256)]
    return [b"", *(bytes((a,)) for a in range(256)), *pairs]


def _block(first: int, tails: list[bytes]) -> list[bytes]:
    head = bytes((first,))
    return [head + tail for tail in tails]


def test_read_text_replaces_malformed_input_as_the_jdk_on_every_input_up_to_3_bytes(
    jdk: Jdk, tmp_path: Path
) -> None:
    values = list(range(256)) if java_datastream.compiled else CLASS_BYTES
    argument = "all" if java_datastream.compiled else ",".join(f"{v:02x}" for v in values)
    java = jdk.start("sweep", argument, main="HadoopOracle")  # runs while Python does its half
    try:
        tails = [bytes((b, c)) for b in values for c in values]
        ours = {"short": _digest([hadoop.decode_text(raw) for raw in _short_inputs()])}
        for first in values:
            block = _block(first, tails)
            ours[f"{first:02x}"] = _digest([hadoop.decode_text(raw) for raw in block])
        stdout, stderr = java.communicate(timeout=600)
    finally:
        java.kill()
        java.wait()
    assert java.returncode == 0, stderr
    theirs = dict(line.split() for line in stdout.splitlines())
    assert len(theirs) == 1 + len(values)
    differing = [label for label, digest in ours.items() if theirs[label] != digest]
    if differing:  # name the first inputs that differ, from Java's answers for that block
        label = differing[0]
        inputs = _short_inputs() if label == "short" else _block(int(label, 16), tails)
        answers = _java_text(jdk, tmp_path, inputs)
        wrong = [
            (raw.hex(), units(hadoop.decode_text(raw)), java[0])
            for raw, java in zip(inputs, answers, strict=True)
            if "s:" + units(hadoop.decode_text(raw)) != java[0]
        ]
        pytest.fail(f"blocks {differing} differ from the JDK; first inputs: {wrong[:5]}")
    assert len(ours) == 1 + len(values)


def _java_text(jdk: Jdk, tmp_path: Path, inputs: list[bytes]) -> list[list[str]]:
    path = tmp_path / "text.txt"
    path.write_text("".join(raw.hex() + "\n" for raw in inputs), encoding="ascii")
    result = jdk.oracle("text", str(path), main="HadoopOracle")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")[:-1]
    assert len(lines) == len(inputs)
    return [line.split("\t") for line in lines]


def _fuzz_inputs(count: int) -> list[bytes]:
    rng = random.Random(SEED)
    atoms = [b"a", b"\x00", b"\x7f", b"\xc3\xa9", b"\xe4\xb8\xad", b"\xf0\x9f\x98\x80",
             b"\xed\xa0\xbd", b"\xed\xb8\x80", b"\xed\x9f\xbf", b"\xc0\x80", b"\xe0\x80\x80",
             b"\xf4\x90\x80\x80", b"\xf8", b"\xff", b"\x80", b"\xbf"]  # fmt: skip
    inputs = []
    for _ in range(count):
        raw = bytearray()
        for _ in range(rng.randrange(0, 8)):
            if rng.random() < 0.6:
                raw += rng.choice(atoms)
            else:
                raw.append(rng.randrange(256))
        if raw and rng.random() < 0.3:
            del raw[rng.randrange(len(raw)) :]  # cut inside a sequence
        inputs.append(bytes(raw))
    return inputs


CESU8 = [
    "eda080", "edb080", "eda0bdedb880", "61eda0bdedb88062", "edafbfedbfbf", "eda080eda080",
    "eda0", "ed", "eda0bd", "eda0bded", "eda0bdedb8", "edbfbfeda080", "c080", "e08080",
    "f09f9880", "f09f98", "f09f", "f0", "f48fbfbf", "f4908080", "f5808080", "f880808080",
    "e0a041", "e09f80", "c3", "c341", "80", "fe", "41c3a9e4b8ad",
]  # fmt: skip


def _strict_token(raw: bytes) -> str:
    try:
        hadoop.decode_text(raw, strict=True)
    except MalformedInputError as error:
        return f"EXC:{error.length}@{error.offset}"
    return "ok"


def _validate_token(raw: bytes) -> str:
    try:
        hadoop.validate_utf8(raw)
    except MalformedInputError as error:
        return f"EXC:{error.offset}"
    return "ok"


def test_cesu8_and_fuzzed_text_agree_with_hadoop_decoding_strict_and_validate(
    jdk: Jdk, tmp_path: Path
) -> None:
    inputs = [bytes.fromhex(h) for h in CESU8] + _fuzz_inputs(5000)
    answers = _java_text(jdk, tmp_path, inputs)
    ours = [
        ["s:" + units(hadoop.decode_text(raw)), _strict_token(raw), _validate_token(raw)]
        for raw in inputs
    ]
    mismatches = [
        (raw.hex(), mine, theirs)
        for raw, mine, theirs in zip(inputs, ours, answers, strict=True)
        if mine != theirs
    ]
    assert mismatches[:5] == []
    # The fuzz reaches every outcome of both checks.
    assert {a[1] == "ok" for a in answers} == {True, False}
    assert {a[2] == "ok" for a in answers} == {True, False}
    assert any(a[1] != "ok" and a[2] == "ok" for a in answers)  # a cut-off end, for one


def test_the_issues_cesu8_examples() -> None:
    assert hadoop.read_text(DataInputStream(bytes.fromhex("03eda080"))) == "\ufffd"
    text = hadoop.read_text(DataInputStream(bytes.fromhex("06eda0bdedb880")))
    assert text == "\ufffd\ufffd"


def _random_units(rng: random.Random) -> str:
    pools = [(0x20, 0x7E), (0, 0), (0x80, 0x7FF), (0x800, 0xFFFF), (0xD800, 0xDBFF),
             (0xDC00, 0xDFFF), (0x10000, 0x10FFFF)]  # fmt: skip
    return "".join(chr(rng.randint(*rng.choice(pools))) for _ in range(rng.randrange(0, 8)))


def test_write_text_writes_what_hadoop_writes(jdk: Jdk, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    texts = [
        "", "héllo", "😀", "\ud83d\ude00", "\ud83d", "\ude00", "\ude00\ud83d", "a\ud800b",
        "\ud800\ud800\udc00", "\udbff\udfff", "\0", "\uffff", "\ufeff",
    ] + [_random_units(rng) for _ in range(2000)]  # fmt: skip
    path = tmp_path / "encode.txt"
    path.write_text("".join(units(t) + "\n" for t in texts), encoding="ascii")
    result = jdk.oracle("encode", str(path), main="HadoopOracle")
    assert result.returncode == 0, result.stderr
    theirs = result.stdout.split("\n")[:-1]
    ours = []
    for text in texts:
        sink = io.BytesIO()
        hadoop.write_text(DataOutputStream(sink), text)
        ours.append(sink.getvalue().hex())
    mismatches = [(t, o, j) for t, o, j in zip(texts, ours, theirs, strict=True) if o != j]
    assert mismatches[:5] == []
    assert theirs[3] == "04f09f9880"  # the issue's pair held as two code points


def _vlong_values() -> list[int]:
    rng = random.Random(SEED)
    values = {0, 1, -1, 127, 128, -112, -113, -120, -121, 255, 256, -256, -257}
    for bits in range(1, 64):
        for base in (1 << bits, -(1 << bits)):
            values |= {base - 1, base, base + 1}
    values |= {rng.randint(-(2**63), 2**63 - 1) for _ in range(500)}
    return sorted(v for v in values if -(2**63) <= v < 2**63)


def test_vlong_vint_and_get_vint_size_agree_with_writable_utils(jdk: Jdk, tmp_path: Path) -> None:
    values = _vlong_values()
    path = tmp_path / "vlongs.txt"
    path.write_text("".join(f"{v}\n" for v in values), encoding="ascii")
    result = jdk.oracle("vlongs", str(path), main="HadoopOracle")
    assert result.returncode == 0, result.stderr
    for value, line in zip(values, result.stdout.split("\n")[:-1], strict=True):
        encoded, size, *as_int = line.split("\t")
        sink = io.BytesIO()
        hadoop.write_vlong(DataOutputStream(sink), value)
        assert (sink.getvalue().hex(), hadoop.get_vint_size(value)) == (encoded, int(size))
        assert hadoop.read_vlong(DataInputStream(bytes.fromhex(encoded))) == value
        if as_int:
            sink = io.BytesIO()
            hadoop.write_vint(DataOutputStream(sink), value)
            assert sink.getvalue().hex() == as_int[0]


def test_decode_vint_size_and_is_negative_vint_for_every_first_byte(jdk: Jdk) -> None:
    result = jdk.oracle("bytes", main="HadoopOracle")
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        first, size, negative = line.split("\t")
        for byte in (int(first), int(first) & 0xFF):  # Java's signed byte, and data[0]
            assert hadoop.decode_vint_size(byte) == int(size)
            assert hadoop.is_negative_vint(byte) == (negative == "true")


def _utf8_vint(length: int) -> str:
    sink = io.BytesIO()
    hadoop.write_vint(DataOutputStream(sink), length)
    return sink.getvalue().hex()


READ_CASES = [
    ("vlong,left", "8f05"),
    ("vint,left", "8b0100000000"),
    ("vint", "8c7fffffff"),
    ("vint", "847fffffff"),
    ("vint", "8c"),
    ("vlong", ""),
    ("range:0:10,left", "05ff"),
    ("range:0:10,left", "0bff"),
    ("range:0:10,left", "ff"),
    ("range:-5:10", "f0"),
    ("range:-5:10", "fb"),
    ("range:-5:-1", "00"),
    ("range:1:1", "01"),
    ("text,left", "0568656c6c6f"),
    ("text,left", "03eda080"),
    ("text,left", "06eda0bdedb880"),
    ("text", "ff"),
    ("text", "056865"),
    ("text", "8c00010000"),  # (a length of 2**31-1: Hadoop allocates it and fails)
    ("textmax:5,left", "0568656c6c6f"),
    ("textmax:4,left", "0568656c6c6f"),
    ("textmax:0,left", "00"),
    ("strict,left", "0568656c6c6f"),
    ("strict,vint", "03eda080" + "07"),
    ("strict", "0261ff"),
    ("skip,vint", "0568656c6c6f07"),
    ("skip,left", "0568"),
    ("skip,skip,left", "00" + _utf8_vint(300) + "61" * 300),
    ("text,text,left", "02c3a9" + "03e4b8ad"),
]


def _read_token(inp: DataInputStream, op: str) -> str:
    name, *args = op.split(":")
    if name == "vlong":
        return str(hadoop.read_vlong(inp))
    if name == "vint":
        return str(hadoop.read_vint(inp))
    if name == "range":
        return str(hadoop.read_vint_in_range(inp, int(args[0]), int(args[1])))
    if name in ("text", "textmax", "strict"):
        max_length = int(args[0]) if args else None
        return "s:" + units(hadoop.read_text(inp, max_length=max_length, strict=name == "strict"))
    if name == "skip":
        hadoop.skip_text(inp)
        return "skipped"
    raise ValueError(op)


def python_read(ops: str, data: bytes) -> str:
    inp = DataInputStream(data)
    tokens = []
    for op in ops.split(","):
        if op == "left":
            tokens.append(f"left:{len(data) - inp.tell()}")
            continue
        try:
            tokens.append(_read_token(inp, op))
        except TruncatedDataError as error:
            if op == "skip":  # WritableUtils.skipFully's IOException
                message = f"Not able to skip {error.needed} bytes, possibly due to end of input."
                tokens.append(f"EXC:IOException:{message}")
            else:
                tokens.append("EXC:EOFException:null")
            tokens.append(f"left:{len(data) - inp.tell()}")
            break
        except VIntRangeError as error:
            # Hadoop's readVInt message is ours without the value we add after a colon.
            message = str(error).split(": ")[0] if "too long" in str(error) else str(error)
            tokens += [f"EXC:IOException:{message}", f"left:{len(data) - inp.tell()}"]
            break
        except MalformedInputError as error:
            tokens.append(f"EXC:MalformedInputException:Input length = {error.length}")
            tokens.append(f"left:{len(data) - inp.tell()}")
            break
    return "\t".join(tokens)


def test_reads_agree_with_hadoop(jdk: Jdk, tmp_path: Path) -> None:
    path = tmp_path / "read.txt"
    path.write_text("".join(f"{ops}\t{data}\n" for ops, data in READ_CASES), encoding="ascii")
    result = jdk.oracle("read", str(path), main="HadoopOracle")
    assert result.returncode == 0, result.stderr
    theirs = result.stdout.split("\n")[:-1]
    ours = [python_read(ops, bytes.fromhex(data)) for ops, data in READ_CASES]
    assert list(zip(READ_CASES, ours, strict=True)) == list(zip(READ_CASES, theirs, strict=True))
