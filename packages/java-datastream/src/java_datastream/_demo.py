"""``python -m java_datastream demo``: write every type, read it back, let the JDK check it."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from java_datastream import _arrays
from java_datastream._input import DataInputStream
from java_datastream._output import DataOutputStream

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["DEMO_VALUES", "java_verifier", "run_demo"]

#: (type, value) pairs the demo writes with ``write_<type>`` and reads with ``read_<type>``.
DEMO_VALUES: list[tuple[str, object]] = [
    ("boolean", True),
    ("byte", -128),
    ("short", -2),
    ("char", "Ω"),
    ("int", 42),
    ("long", -(2**63)),
    ("float", 1.5),
    ("float", math.inf - math.inf),
    ("double", math.pi),
    ("double", -0.0),
    ("utf", "hello, 世界 \0 😀"),
    ("chars", "A中😀"),
    ("bytes", "Latin-1 é"),
    ("ints", [1, -1, 2**31 - 1]),
    ("doubles", [0.5, math.inf, math.nan]),
]


def _bits(kind: str, value: float) -> int:
    """The bits Java's floatToIntBits/doubleToLongBits give, as a signed int."""
    packed = _arrays.pack_float(value) if kind == "float" else _arrays.pack_double(value)
    return int.from_bytes(packed, "big", signed=True)


def _units(text: str) -> list[int]:
    data = text.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def _java_check(kind: str, value: object) -> str:
    """A Java boolean expression that reads `value` from ``in`` and compares it."""
    if kind == "utf":
        assert isinstance(value, str)
        chars = ", ".join(f"(char) 0x{unit:x}" for unit in _units(value))
        return f"in.readUTF().equals(new String(new char[] {{{chars}}}))"
    if kind in ("chars", "bytes", "ints", "doubles"):
        single = {"chars": "char", "bytes": "ubyte", "ints": "int", "doubles": "double"}[kind]
        if isinstance(value, str):
            items = _units(value) if kind == "chars" else list(value.encode("latin-1"))
        else:
            assert isinstance(value, list)
            items = value
        return " & ".join(f"({_java_check(single, item)})" for item in items)
    if kind in ("float", "double"):
        assert isinstance(value, float)
        read = "Float.floatToIntBits(in.readFloat())"
        if kind == "double":
            read = "Double.doubleToLongBits(in.readDouble())"
        return f"{read} == {_bits(kind, value)}{'L' if kind == 'double' else ''}"
    if kind == "char":
        code = ord(value) if isinstance(value, str) else value
        return f"in.readChar() == (char) 0x{code:x}"
    read = {
        "boolean": "in.readBoolean()",
        "byte": "in.readByte()",
        "ubyte": "in.readUnsignedByte()",
        "short": "in.readShort()",
        "int": "in.readInt()",
        "long": "in.readLong()",
    }[kind]
    literal = str(value).lower() + ("L" if kind == "long" else "")
    return f"{read} == {literal}"


def java_verifier(values: Sequence[tuple[str, object]]) -> str:
    """Java source of a ``Verify`` program that reads `values` from the file in ``args[0]``."""
    checks = "\n".join(
        f"            check({_java_check(kind, value)}, {_java_string(kind, value)});"
        for kind, value in values
    )
    return f"""import java.io.*;

public class Verify {{
    static int checked = 0;

    static void check(boolean ok, String what) {{
        System.out.println((ok ? "  ok        " : "  MISMATCH  ") + what);
        if (!ok) System.exit(1);
        checked++;
    }}

    public static void main(String[] args) throws IOException {{
        try (DataInputStream in = new DataInputStream(
                new BufferedInputStream(new FileInputStream(args[0])))) {{
{checks}
            check(in.read() == -1, "end of stream");
        }}
        System.out.println("JDK " + System.getProperty("java.version") + ": " + checked
            + " checks passed with java.io.DataInputStream");
    }}
}}
"""


def _java_string(kind: str, value: object) -> str:
    """A Java string literal describing a check (doubled backslashes defuse \\u escapes)."""
    text = f"{kind} {value!a}".replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _write(out: DataOutputStream, kind: str, value: object) -> None:
    writer: Callable[[object], None] = getattr(out, f"write_{kind}")
    writer(value)


def _same(kind: str, wrote: object, read: object) -> bool:
    if kind in ("float", "double"):
        assert isinstance(wrote, float)
        assert isinstance(read, float)
        return _bits(kind, wrote) == _bits(kind, read)
    if kind == "doubles":
        assert isinstance(wrote, list)
        assert isinstance(read, list)
        return [_bits("double", v) for v in wrote] == [_bits("double", v) for v in read]
    return wrote == read


def _read(inp: DataInputStream, kind: str, value: object) -> object:
    if kind == "chars":
        assert isinstance(value, str)
        return (
            "".join(inp.read_char() for _ in _units(value))
            .encode("utf-16", "surrogatepass")
            .decode("utf-16")
        )
    if kind == "bytes":
        assert isinstance(value, str)
        return inp.read_fully(len(value)).decode("latin-1")
    if kind in ("ints", "doubles"):
        assert isinstance(value, list)
        return list(getattr(inp, f"read_{kind}")(len(value)))
    return getattr(inp, f"read_{kind}")()


def run_demo(
    out: str = "java-datastream-demo.bin",
    *,
    as_json: bool = False,
    print_line: Callable[[str], None] = print,
) -> int:
    """Write `DEMO_VALUES` to `out` (kept), read them back, have the JDK verify them.

    Returns the exit code. With `as_json`, prints one JSON object instead of the report:
    ``{"file", "bytes", "values", "jdk"}`` where ``jdk`` is ``"verified"``, ``"failed"``
    or ``"skipped"`` (no ``java`` on PATH).
    """
    say = (lambda line: None) if as_json else print_line
    path = Path(out).resolve()
    with path.open("wb") as sink:
        writer = DataOutputStream(sink)
        for kind, value in DEMO_VALUES:
            _write(writer, kind, value)
    size = writer.size()
    say(f"wrote {size} bytes with DataOutputStream to {path} (kept)")

    def report(code: int, jdk: str) -> int:
        if as_json:
            summary = {"file": str(path), "bytes": size, "values": len(DEMO_VALUES), "jdk": jdk}
            print_line(json.dumps(summary))
        return code

    with path.open("rb") as source:
        inp = DataInputStream(source)
        for kind, value in DEMO_VALUES:
            got = _read(inp, kind, value)
            if not _same(kind, value, got):
                say(f"  MISMATCH  read_{kind}: wrote {value!r}, read {got!r}")
                return report(1, "skipped")
            say(f"  read_{kind:<8} {got!r}")
        if inp.read(1):
            say("  MISMATCH  bytes left after the last value")
            return report(1, "skipped")
    say(f"read back all {len(DEMO_VALUES)} values with DataInputStream")
    java = shutil.which("java")
    if java is None:
        say("java is not on PATH: the JDK check was skipped")
        return report(0, "skipped")
    with tempfile.TemporaryDirectory(prefix="java-datastream-demo-") as tmp:
        source_file = Path(tmp) / "Verify.java"
        source_file.write_text(java_verifier(DEMO_VALUES), encoding="utf-8")
        say(f"the JDK reads {path.name} with java.io.DataInputStream ({java}):")
        result = subprocess.run(
            [java, str(source_file), str(path)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    for line in (result.stdout + result.stderr).splitlines():
        say(line)
    return report(result.returncode, "verified" if result.returncode == 0 else "failed")
