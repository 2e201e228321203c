"""java-datastream against its anchors, for the pure-Python and the compiled build, in one run.

| work                                | anchor                              | goal (compiled)  |
|-------------------------------------|-------------------------------------|------------------|
| read_utf x 1M, ASCII                | JDK readUTF from a byte[], warm     | <= 3x            |
| read_utf x 1M, non-ASCII            | same                                | <= 5x (pure 10x) |
| write_utf x 1M                      | JDK writeUTF to ByteArrayOutputStream | <= 3x          |
| read_int x 1M                       | a pre-bound Struct.unpack_from loop | <= 1.0x          |
| read_ints(10M), write_ints(10M)     | JDK readInt / writeInt loop         | <= 0.25x         |
| read_records 1M (int, long, double) | np.frombuffer(...).astype(native)   | <= 1.5x          |
|                                     | JDK readInt/readLong/readDouble     | <= 0.05x         |
| read_records 1M (int, utf)          | JDK readInt/readUTF                 | <= 2x            |
| import java_datastream              | its heaviest import alone           | <= 1.5x          |

Beside the JDK rows, the CPython floor: the same work as a bare inline loop (no method
call), what no Python-level reader can beat; beside the fixed-width records, a plain copy of
their bytes (``bytearray(data)``, a memcpy), what no conversion into a new array can beat.

Every anchor and every build is timed in this run, interleaved round by round so that load
spikes hit all of them; each figure is the best of ``--repeats`` passes, in CPU time (the
thread's, and for the JVM its collectors' pauses too): on a shared machine, wall time would
also count the time other processes hold the CPU, more of it in a long pass than a short
one. The JDK runs benchmarks/java/Anchor.java (compiled here) in one JVM that serves the
whole run, so its best pass is JIT-compiled (warm); it reads from and writes to memory, as
Python does here.
Before timing, the bytes each side reads or writes are compared (SHA-256).

Each build runs in its own worker process: the installed wheel, and the same wheel with
``JAVA_DATASTREAM_PURE_PYTHON=1`` (its Python source). With only the pure wheel
installed, the compiled column is left out.
Run: ``nox -s "bench(package='java-datastream')"`` (needs javac and java on PATH).
"""

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

CALLS = 1_000_000  # per-value calls and records
BULK = 10_000_000  # values of a bulk call
ASCII = "hello, world"
NON_ASCII = "héllo, wörld"


# -- the Python side: one worker process per build ----------------------------------------


@functools.cache
def make_data(work: str, count: int) -> bytes:
    """The bytes Anchor.java's data() makes for `work`, written without the package."""
    import numpy as np

    if work.endswith("-ascii"):
        return (struct.pack(">H", len(ASCII)) + ASCII.encode()) * count
    if work.endswith("-nonascii"):
        encoded = NON_ASCII.encode()
        return (struct.pack(">H", len(encoded)) + encoded) * count
    if work.endswith("-ild"):
        rows = np.empty(count, dtype=[("i", ">i4"), ("l", ">i8"), ("d", ">f8")])
        index = np.arange(count)
        rows["i"], rows["l"], rows["d"] = index, 3 * index, 0.5 * index
        return rows.tobytes()
    if work.endswith("-iu"):
        names = [f"name-{k}".encode() for k in range(1000)]
        return b"".join(
            struct.pack(">iH", i, len(names[i % 1000])) + names[i % 1000] for i in range(count)
        )
    ints = array("i", range(count))
    if sys.byteorder == "little":
        ints.byteswap()
    return ints.tobytes()


def python_works(count: int) -> dict[str, Callable[[], object]]:
    """Each work as a function that does one pass; a write returns the bytes it wrote."""
    import numpy as np

    from java_datastream import DataInputStream, DataOutputStream, RecordFormat

    def data(work: str) -> bytes:
        return make_data(work, count)

    def reads(work: str, method: str) -> Callable[[], object]:
        def run() -> None:
            read = getattr(DataInputStream(data(work)), method)
            for _ in range(count):
                read()

        return run

    def floor_utf(work: str, encoding: str) -> Callable[[], object]:
        def run() -> None:  # the length, the slice, the decode: no method call
            source, pos = data(work), 0
            for _ in range(count):
                end = pos + 2 + ((source[pos] << 8) | source[pos + 1])
                source[pos + 2 : end].decode(encoding)
                pos = end

        return run

    def write_utf() -> bytes:
        sink = io.BytesIO()
        write = DataOutputStream(sink).write_utf
        for _ in range(count):
            write(ASCII)
        return sink.getvalue()

    def floor_write_utf() -> bytes:
        sink = io.BytesIO()
        write = sink.write
        for _ in range(count):
            encoded = ASCII.encode()
            write(len(encoded).to_bytes(2, "big") + encoded)
        return sink.getvalue()

    def unpack_from_loop() -> None:  # what one writes without the package
        source, unpack, offset = data("readInt"), struct.Struct(">i").unpack_from, 0
        for _ in range(count):
            unpack(source, offset)[0]
            offset += 4

    ints = functools.cache(lambda: array("i", range(count)))

    def write_ints() -> bytes:
        sink = io.BytesIO()
        DataOutputStream(sink).write_ints(ints())
        return sink.getvalue()

    ild = RecordFormat(id="int", ts="long", price="double")
    native = np.dtype([("id", "i4"), ("ts", "i8"), ("price", "f8")])
    wire = np.dtype([("id", ">i4"), ("ts", ">i8"), ("price", ">f8")])
    return {
        "read_utf-ascii": reads("readUTF-ascii", "read_utf"),
        "floor-ascii": floor_utf("readUTF-ascii", "ascii"),
        "read_utf-nonascii": reads("readUTF-nonascii", "read_utf"),
        "floor-nonascii": floor_utf("readUTF-nonascii", "utf-8"),
        "write_utf": write_utf,
        "floor-write_utf": floor_write_utf,
        "read_int": reads("readInt", "read_int"),
        "unpack_from-loop": unpack_from_loop,
        "read_ints": lambda: DataInputStream(data("readInt")).read_ints(count),
        "read_ints-numpy": lambda: DataInputStream(data("readInt")).read_ints(count, numpy=True),
        "write_ints": write_ints,
        "read_records-ild": lambda: DataInputStream(data("records-ild")).read_records(ild),
        "frombuffer-ild": lambda: np.frombuffer(data("records-ild"), wire).astype(native),
        # Any native copy of the records writes as many fresh bytes as it reads: its floor.
        "floor-copy-ild": lambda: bytearray(data("records-ild")),
        "read_records-iu": lambda: DataInputStream(data("records-iu")).read_records(
            RecordFormat(id="int", name="utf")
        ),
    }


# The JVM work that reads or writes the same bytes as each Python work (checked by SHA-256).
SAME_BYTES = {"read_utf-ascii": "readUTF-ascii", "floor-ascii": "readUTF-ascii",
              "read_utf-nonascii": "readUTF-nonascii", "floor-nonascii": "readUTF-nonascii",
              "write_utf": "writeUTF", "floor-write_utf": "writeUTF", "read_int": "readInt",
              "unpack_from-loop": "readInt", "read_ints": "readInt", "read_ints-numpy": "readInt",
              "write_ints": "writeInt", "read_records-ild": "records-ild",
              "frombuffer-ild": "records-ild", "floor-copy-ild": "records-ild",
              "read_records-iu": "records-iu"}  # fmt: skip


def serve() -> None:
    """Worker: answer ``build``, ``sha WORK COUNT`` and ``time WORK COUNT`` on stdin."""
    import java_datastream

    works: dict[int, dict[str, Callable[[], object]]] = {}
    for line in sys.stdin:
        command, *args = line.split()
        if command == "build":
            print("compiled" if java_datastream.compiled else "pure", flush=True)
            continue
        work, count = args[0], int(args[1])
        if count not in works:
            works[count] = python_works(count)
        run = works[count]
        if command == "sha":
            written = run[work]()
            data = written if isinstance(written, bytes) else make_data(SAME_BYTES[work], count)
            print(hashlib.sha256(data).hexdigest(), flush=True)
            continue
        gc.collect()
        gc.disable()  # as timeit does: the cycle collector frees nothing here
        start = time.thread_time()
        run[work]()
        elapsed = time.thread_time() - start
        gc.enable()
        print(f"{elapsed * 1000:.3f}", flush=True)


# -- the orchestra --------------------------------------------------------------------------


class Process:
    """A worker that answers one line per command."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def ask(self, command: str) -> str:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            sys.exit(f"the worker {self.proc.args!r} stopped at {command!r}")
        return answer.strip()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def start_jvm(workdir: Path) -> Process:
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac is None or java is None:
        sys.exit("the benchmark needs javac and java (JDK 17+) on PATH for its anchors")
    source = Path(__file__).parent / "java" / "Anchor.java"
    subprocess.run([javac, "-d", str(workdir), str(source)], check=True)
    return Process([java, "-cp", str(workdir), "Anchor"])


def start_python(pure: bool) -> Process:
    env = dict(os.environ)
    env.pop("JAVA_DATASTREAM_PURE_PYTHON", None)
    if pure:
        env["JAVA_DATASTREAM_PURE_PYTHON"] = "1"
    return Process([sys.executable, __file__, "--serve"], env=env)


class Job(NamedTuple):
    side: str  # "jdk", "pure", "compiled" or "floor" (Python, independent of the build)
    work: str
    count: int


class Row(NamedTuple):
    label: str
    python: str | None  # the package's work, timed on each build
    anchor_label: str
    anchor: Job
    goal_compiled: float | None
    goal_pure: float | None = None


def rows(scale: float) -> list[Row]:
    calls, bulk = max(1, int(CALLS * scale)), max(1, int(BULK * scale))
    k, m = f"{calls // 1000}k" if calls < 10**6 else f"{calls // 10**6}M", f"{bulk // 10**6}M"

    def jdk(work: str, count: int = calls) -> Job:
        return Job("jdk", work, count)

    floor = "  CPython floor: bare loop"
    return [
        Row(f"read_utf x{k}, ASCII", "read_utf-ascii", "JDK readUTF", jdk("readUTF-ascii"), 3.0),
        Row(floor, "floor-ascii", "JDK readUTF", jdk("readUTF-ascii"), None),
        Row(f"read_utf x{k}, non-ASCII", "read_utf-nonascii", "JDK readUTF",
            jdk("readUTF-nonascii"), 5.0, 10.0),
        Row(floor, "floor-nonascii", "JDK readUTF", jdk("readUTF-nonascii"), None),
        Row(f"write_utf x{k}", "write_utf", "JDK writeUTF", jdk("writeUTF"), 3.0),
        Row(floor, "floor-write_utf", "JDK writeUTF", jdk("writeUTF"), None),
        Row(f"read_int x{k}", "read_int", "Struct.unpack_from loop",
            Job("floor", "unpack_from-loop", calls), 1.0),
        Row(f"read_int x{k}", "read_int", "JDK readInt", jdk("readInt"), None),
        Row(f"read_ints({m}) -> array", "read_ints", "JDK readInt", jdk("readInt", bulk), 0.25),
        Row(f"read_ints({m}, numpy=True)", "read_ints-numpy", "JDK readInt", jdk("readInt", bulk),
            0.25),
        Row(f"write_ints({m}) from array", "write_ints", "JDK writeInt", jdk("writeInt", bulk),
            0.25),
        Row(f"read_records {k} (int,long,double)", "read_records-ild", "np.frombuffer+astype",
            Job("floor", "frombuffer-ild", calls), 1.5),
        Row(f"read_records {k} (int,long,double)", "read_records-ild", "JDK per field",
            jdk("records-ild"), 0.05),
        Row("  floor: a copy of the bytes", "floor-copy-ild", "JDK per field", jdk("records-ild"),
            None),
        Row(f"read_records {k} (int,utf)", "read_records-iu", "JDK per field", jdk("records-iu"),
            2.0),
    ]  # fmt: skip


def jobs_of(row: Row, builds: list[str]) -> list[Job]:
    if row.python is None:
        return [row.anchor]
    if row.python.startswith("floor-"):  # the floor does not depend on the build
        return [row.anchor, Job("floor", row.python, row.anchor.count)]
    return [row.anchor, *(Job(build, row.python, row.anchor.count) for build in builds)]


def check_same_bytes(workers: dict[str, Process], jobs: list[Job]) -> None:
    """Every side reads or writes the very bytes the JVM does, or the run is meaningless."""
    for job in jobs:
        if job.side == "jdk":
            continue
        theirs = workers["jdk"].ask(f"sha {SAME_BYTES[job.work]} {job.count}")
        ours = workers[job.side].ask(f"sha {job.work} {job.count}")
        if ours != theirs:
            sys.exit(f"{job.side} {job.work} x{job.count}: not the JDK's bytes; no benchmark")


def measure(workers: dict[str, Process], jobs: list[Job], repeats: int) -> dict[Job, float]:
    best: dict[Job, float] = {}
    for _ in range(repeats):
        for job in jobs:
            answer = workers[job.side].ask(f"time {job.work} {job.count}")
            best[job] = min(best.get(job, float("inf")), float(answer.split()[0]))
    return best


# -- import time ------------------------------------------------------------------------------


def import_times(module: str, pure: bool) -> dict[str, int]:
    """Cumulative µs of every module `python -X importtime -c "import MODULE"` imports."""
    # Bytecode is written and reused, as after an ordinary install.
    drop = ("JAVA_DATASTREAM_PURE_PYTHON", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if pure:
        env["JAVA_DATASTREAM_PURE_PYTHON"] = "1"
    # From an empty directory: the first import lists the current one (sys.path[0]), and
    # charges that to whichever module comes first.
    with tempfile.TemporaryDirectory(prefix="bench-import-") as empty:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True, text=True, env=env, check=True, cwd=empty,
        )  # fmt: skip
    times = {}
    for line in result.stderr.splitlines():
        match = re.fullmatch(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            times[match[3]] = int(match[1])
    return times


def import_rows(builds: list[str], repeats: int) -> list[tuple[str, str, int, int]]:
    """(build, heaviest import, µs of the package, µs of that import alone), best of runs.

    Each round imports the package on every build and the heaviest import alone, one after
    the other, so that a load spike hits them all.
    """
    heaviest: dict[str, str] = {}
    for build in builds:
        times = import_times("java_datastream", build == "pure")  # also writes the bytecode
        others = {k: v for k, v in times.items() if not k.startswith("java_datastream")}
        heaviest[build] = max(others, key=others.__getitem__)
    package = dict.fromkeys(builds, float("inf"))
    alone = dict.fromkeys(heaviest.values(), float("inf"))
    for _ in range(max(repeats, 10)):  # a few ms each: more rounds cost little
        for build in builds:
            times = import_times("java_datastream", build == "pure")
            package[build] = min(package[build], times["java_datastream"])
        for name in alone:
            alone[name] = min(alone[name], import_times(name, False)[name])
    return [
        (build, heaviest[build], int(package[build]), int(alone[heaviest[build]]))
        for build in builds
    ]


# -- report ------------------------------------------------------------------------------------


def verdict(ratio: float, goal: float | None) -> str:
    if goal is None:
        return ""
    return f"<= {goal:g}x {'met' if ratio <= goal else 'NOT met'}"


def report(table: list[Row], best: dict[Job, float], builds: list[str]) -> None:
    print(
        f"{'work':<34} {'pure':>9} {'compiled':>9}  {'anchor':<24} {'anchor':>9}"
        f" {'pure':>7} {'compiled':>8}  goal (compiled; pure)"
    )
    for row in table:
        anchor = best[row.anchor]
        cells, ratios, goals = [], [], []
        if row.python is not None and row.python.startswith("floor-"):
            floor = best[Job("floor", row.python, row.anchor.count)]
            cells = [f"{floor:>9.1f}", f"{'':>9}"]
            ratios = [f"{floor / anchor:>6.2f}x", f"{'':>8}"]
        else:
            for build in ("pure", "compiled"):
                job = Job(build, row.python or "", row.anchor.count)
                if build in builds and job in best:
                    cells.append(f"{best[job]:>9.1f}")
                    ratios.append(f"{best[job] / anchor:>{6 if build == 'pure' else 7}.2f}x")
                else:
                    cells.append(f"{'-':>9}")
                    ratios.append(f"{'-':>{7 if build == 'pure' else 8}}")
            if "compiled" in builds:
                ratio = best[Job("compiled", row.python or "", row.anchor.count)] / anchor
                goals.append(verdict(ratio, row.goal_compiled))
            if row.goal_pure is not None:
                ratio = best[Job("pure", row.python or "", row.anchor.count)] / anchor
                goals.append("pure " + verdict(ratio, row.goal_pure))
        print(
            f"{row.label:<34} {cells[0]} {cells[1]}  {row.anchor_label:<24} {anchor:>9.1f}"
            f" {ratios[0]} {ratios[1]}  {'; '.join(g for g in goals if g)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="passes of each work (best kept)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    parser.add_argument("--only", default="", help="only the rows whose work contains this")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    with tempfile.TemporaryDirectory(prefix="bench-java-datastream-") as tmp:
        workers = {"jdk": start_jvm(Path(tmp)), "pure": start_python(pure=True)}
        workers["floor"] = workers["pure"]
        compiled = start_python(pure=False)
        builds = ["pure"]
        if compiled.ask("build") == "compiled":
            workers["compiled"] = compiled
            builds.append("compiled")
        else:
            compiled.close()
        try:
            table = [row for row in rows(args.scale) if args.only in row.label]
            jobs = list(dict.fromkeys(job for row in table for job in jobs_of(row, builds)))
            check_same_bytes(workers, jobs)
            best = measure(workers, jobs, args.repeats)
        finally:
            for name, worker in workers.items():
                if name != "floor":
                    worker.close()
    print(
        f"java-datastream benchmark: Python {sys.version.split()[0]}, builds {'+'.join(builds)},"
        f" best of {args.repeats} interleaved passes; times in ms, ratios to the anchor"
    )
    report(table, best, builds)
    if args.only:
        return
    print()
    for build, heaviest, package, alone in import_rows(builds, args.repeats):
        print(
            f"import java_datastream ({build}): {package} us; {heaviest} alone: {alone} us;"
            f" {package / alone:.2f}x  {verdict(package / alone, 1.5)}"
        )


if __name__ == "__main__":
    main()
