"""java-datastream against its anchors, all measured in this run.

| work                              | anchor                                          | goal    |
| read 10M ints in bulk             | JDK DataInputStream over BufferedInputStream    | <= 0.25x |
| write 10M ints in bulk            | JDK DataOutputStream over BufferedOutputStream  | <= 0.25x |
| read_int per value, 1M calls      | a bare struct.unpack_from loop on the same bytes | <= 1.3x |
| read_utf / write_utf x 1M strings | JDK readUTF / writeUTF                          | <= 3x   |

Java times come from System.nanoTime inside the JVM (benchmarks/java/Anchor.java, compiled
here), best of REPEATS runs after JIT warm-up; Python times are the best of REPEATS too.
Run: ``nox -s "bench(package='java-datastream')"`` (needs javac and java on PATH).
"""

from __future__ import annotations

import filecmp
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from java_datastream import DataInputStream, DataOutputStream

if TYPE_CHECKING:
    from collections.abc import Callable

INTS = 10_000_000
CALLS = 1_000_000
REPEATS = 3
TEXT = "hello, world"


def best_ms(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


class Java:
    def __init__(self, workdir: Path) -> None:
        javac, self.java = shutil.which("javac"), shutil.which("java")
        if javac is None or self.java is None:
            sys.exit("the benchmark needs javac and java (JDK 17+) on PATH for its anchors")
        source = Path(__file__).parent / "java" / "Anchor.java"
        subprocess.run([javac, "-d", str(workdir), str(source)], check=True)
        self.classes = workdir

    def best_ms(self, mode: str, path: Path, count: int) -> float:
        result = subprocess.run(
            [self.java, "-cp", str(self.classes), "Anchor", mode, str(path), str(count),
             str(REPEATS)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return float(result.stdout.split()[0])


def python_write_ints(path: Path, values: object) -> None:
    with path.open("wb") as sink:
        DataOutputStream(sink).write_ints(values)


def python_read_ints(path: Path, use_numpy: bool) -> object:
    with path.open("rb") as source:
        if use_numpy:
            return DataInputStream(source).read_ints(INTS, numpy=True)
        return DataInputStream(source).read_ints(INTS)


def per_value_read_int(data: bytes) -> None:
    read_int = DataInputStream(data).read_int
    for _ in range(CALLS):
        read_int()


def bare_unpack_from(data: bytes) -> None:
    unpack_from = struct.Struct(">i").unpack_from
    for offset in range(0, 4 * CALLS, 4):
        unpack_from(data, offset)[0]


def python_write_utf(path: Path) -> None:
    with path.open("wb") as sink:
        write_utf = DataOutputStream(sink).write_utf
        for _ in range(CALLS):
            write_utf(TEXT)


def python_read_utf(path: Path) -> None:
    with path.open("rb") as source:
        read_utf = DataInputStream(source).read_utf
        for _ in range(CALLS):
            read_utf()


def main() -> None:
    rows: list[tuple[str, float, float, str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-java-datastream-") as tmp:
        work = Path(tmp)
        java = Java(work)
        java_ints, py_ints = work / "java-ints.bin", work / "py-ints.bin"

        java_ms = java.best_ms("writeInt", java_ints, INTS)
        values = array("i", range(INTS))
        rows.append(
            (
                "write 10M ints, array.array",
                best_ms(lambda: python_write_ints(py_ints, values)),
                java_ms,
                "JDK writeInt",
                0.25,
            )
        )
        assert filecmp.cmp(java_ints, py_ints, shallow=False), "Python's bytes differ from Java's"
        numbers = np.arange(INTS, dtype=np.int32)
        rows.append(
            (
                "write 10M ints, numpy",
                best_ms(lambda: python_write_ints(py_ints, numbers)),
                java_ms,
                "JDK writeInt",
                0.25,
            )
        )
        assert filecmp.cmp(java_ints, py_ints, shallow=False), "Python's bytes differ from Java's"

        java_ms = java.best_ms("readInt", java_ints, INTS)
        rows.append(
            (
                "read 10M ints, array.array",
                best_ms(lambda: python_read_ints(java_ints, False)),
                java_ms,
                "JDK readInt",
                0.25,
            )
        )
        rows.append(
            (
                "read 10M ints, numpy=True",
                best_ms(lambda: python_read_ints(java_ints, True)),
                java_ms,
                "JDK readInt",
                0.25,
            )
        )
        assert list(python_read_ints(java_ints, False)[-3:]) == [INTS - 3, INTS - 2, INTS - 1]  # type: ignore[index]

        data = java_ints.read_bytes()[: 4 * CALLS]
        rows.append(
            (
                "read_int x 1M, from bytes",
                best_ms(lambda: per_value_read_int(data)),
                best_ms(lambda: bare_unpack_from(data)),
                "unpack_from loop",
                1.3,
            )
        )

        java_utf, py_utf = work / "java-utf.bin", work / "py-utf.bin"
        java_ms = java.best_ms("writeUTF", java_utf, CALLS)
        rows.append(
            (
                "write_utf x 1M",
                best_ms(lambda: python_write_utf(py_utf)),
                java_ms,
                "JDK writeUTF",
                3.0,
            )
        )
        assert filecmp.cmp(java_utf, py_utf, shallow=False), "Python's bytes differ from Java's"
        java_ms = java.best_ms("readUTF", java_utf, CALLS)
        rows.append(
            (
                "read_utf x 1M",
                best_ms(lambda: python_read_utf(java_utf)),
                java_ms,
                "JDK readUTF",
                3.0,
            )
        )

    print(f"java-datastream benchmark (Python {sys.version.split()[0]}, best of {REPEATS})")
    print(f"{'work':<30} {'python ms':>10} {'anchor ms':>10}  {'anchor':<17} {'ratio':>7}  goal")
    for name, ours, anchor, anchor_name, goal in rows:
        ratio = ours / anchor
        verdict = "met" if ratio <= goal else "NOT met"
        print(f"{name:<30} {ours:>10.1f} {anchor:>10.1f}  {anchor_name:<17} {ratio:>6.2f}x  "
              f"<= {goal}x {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
