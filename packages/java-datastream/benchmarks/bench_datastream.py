"""java-datastream against its anchors, all measured in this run.

| work                              | anchor                                           | goal     |
| read 10M ints in bulk             | JDK DataInputStream over BufferedInputStream     | <= 0.25x |
| write 10M ints in bulk            | JDK DataOutputStream over BufferedOutputStream   | <= 0.25x |
| read_int per value, 1M calls      | a bare struct.unpack_from loop on the same bytes | <= 1.3x  |
|                                   | (offset kept by hand, as read_int keeps it)      |          |
| read_utf / write_utf x 1M strings | JDK readUTF / writeUTF                           | <= 3x    |

Java runs benchmarks/java/Anchor.java (compiled here), timed with System.nanoTime inside the
JVM. Each side is timed REPEATS times: "1st" compares the first runs (for Java a fresh JVM,
JIT warm-up included: what a program doing the job once sees), "warm" the best runs. The
goal is judged on the warm ratio, the stricter one for the JDK anchors.
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
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from java_datastream import DataInputStream, DataOutputStream

if TYPE_CHECKING:
    from collections.abc import Callable

INTS = 10_000_000
CALLS = 1_000_000
REPEATS = 5
TEXT = "hello, world"


class Row(NamedTuple):
    work: str
    python: tuple[float, float]  # (first run, best run) in ms
    anchor: str
    java: tuple[float, float]
    goal: float


def times_ms(*works: Callable[[], object]) -> list[tuple[float, float]]:
    """(first run, best run) in ms of each of `works`, run in turn so load spikes hit all."""
    times: list[list[float]] = [[] for _ in works]
    for _ in range(REPEATS):
        for work, record in zip(works, times, strict=True):
            start = time.perf_counter()
            work()
            record.append((time.perf_counter() - start) * 1000)
    return [(record[0], min(record)) for record in times]


class Java:
    def __init__(self, workdir: Path) -> None:
        javac, java = shutil.which("javac"), shutil.which("java")
        if javac is None or java is None:
            sys.exit("the benchmark needs javac and java (JDK 17+) on PATH for its anchors")
        self.java = java
        source = Path(__file__).parent / "java" / "Anchor.java"
        subprocess.run([javac, "-d", str(workdir), str(source)], check=True)
        self.classes = workdir

    def times_ms(self, mode: str, path: Path, count: int) -> tuple[float, float]:
        """(first run, best run) of `mode` in a fresh JVM."""
        result = subprocess.run(
            [self.java, "-cp", str(self.classes), "Anchor", mode, str(path), str(count),
             str(REPEATS)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        first, best, _ = result.stdout.split()
        return float(first), float(best)


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
    """The anchor: what one writes without the library, keeping the offset by hand."""
    offset = 0
    for _ in range(CALLS):
        struct.unpack_from(">i", data, offset)[0]
        offset += 4


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


def same_bytes(ours: Path, java: Path) -> None:
    if not filecmp.cmp(ours, java, shallow=False):
        sys.exit(
            f"{ours.name} differs from Java's {java.name}: the benchmark would be meaningless"
        )


def measure(work: Path) -> list[Row]:
    java = Java(work)
    rows = []
    java_ints, py_ints = work / "java-ints.bin", work / "py-ints.bin"

    jdk = java.times_ms("writeInt", java_ints, INTS)
    values = array("i", range(INTS))
    (ours,) = times_ms(lambda: python_write_ints(py_ints, values))
    same_bytes(py_ints, java_ints)
    rows.append(Row("write 10M ints, array.array", ours, "JDK writeInt", jdk, 0.25))
    numbers = np.arange(INTS, dtype=np.int32)
    (ours,) = times_ms(lambda: python_write_ints(py_ints, numbers))
    same_bytes(py_ints, java_ints)
    rows.append(Row("write 10M ints, numpy", ours, "JDK writeInt", jdk, 0.25))

    jdk = java.times_ms("readInt", java_ints, INTS)
    (ours,) = times_ms(lambda: python_read_ints(java_ints, use_numpy=False))
    rows.append(Row("read 10M ints, array.array", ours, "JDK readInt", jdk, 0.25))
    (ours,) = times_ms(lambda: python_read_ints(java_ints, use_numpy=True))
    rows.append(Row("read 10M ints, numpy=True", ours, "JDK readInt", jdk, 0.25))

    data = java_ints.read_bytes()[: 4 * CALLS]
    ours, bare = times_ms(lambda: per_value_read_int(data), lambda: bare_unpack_from(data))
    rows.append(Row("read_int x 1M, from bytes", ours, "unpack_from loop", bare, 1.3))

    java_utf, py_utf = work / "java-utf.bin", work / "py-utf.bin"
    jdk = java.times_ms("writeUTF", java_utf, CALLS)
    (ours,) = times_ms(lambda: python_write_utf(py_utf))
    same_bytes(py_utf, java_utf)
    rows.append(Row("write_utf x 1M", ours, "JDK writeUTF", jdk, 3.0))
    jdk = java.times_ms("readUTF", java_utf, CALLS)
    (ours,) = times_ms(lambda: python_read_utf(java_utf))
    rows.append(Row("read_utf x 1M", ours, "JDK readUTF", jdk, 3.0))
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-java-datastream-") as tmp:
        rows = measure(Path(tmp))
    print(f"java-datastream benchmark, Python {sys.version.split()[0]}, {REPEATS} runs each")
    print(
        f"{'work':<28} {'python 1st/warm':>16}  {'anchor':<17} {'1st/warm':>16}"
        f" {'ratio 1st':>9} {'ratio warm':>10}  goal (on warm)"
    )
    for row in rows:
        to_first, to_warm = row.python[0] / row.java[0], row.python[1] / row.java[1]
        verdict = "met" if to_warm <= row.goal else "NOT met"
        print(
            f"{row.work:<28} {row.python[0]:>7.1f}/{row.python[1]:>6.1f}ms  {row.anchor:<17}"
            f" {row.java[0]:>7.1f}/{row.java[1]:>6.1f}ms {to_first:>8.2f}x {to_warm:>9.2f}x"
            f"  <= {row.goal}x {verdict}"
        )


if __name__ == "__main__":
    main()
