"""Run pymongo's own specification tests against a 3-member mongosim and print the counts.

pymongo's source distribution on PyPI ships its test suite, with the MongoDB
specifications' unified JSON tests. This script downloads the sdist of the installed
pymongo version (into a temporary directory removed at the end, so each run starts from
PyPI), starts a fresh 3-member `mongosim.ReplicaSet` per module, points pymongo's harness
at it with ``DB_IP``/``DB_PORT`` and runs, with pymongo's own runner, exactly the tests
pymongo's CI runs against a plain server (``-m "default or default_async"``):

- retryable reads, retryable writes, CRUD (unified format), with the issue's goals;
- the change-streams unified tests (reported, no goal).

Nothing is selected or skipped by name: the only filter on test names is ``-k TestUnified``,
which picks the unified change-streams classes out of ``test_change_stream.py``.

    python conformance/pymongo_spec.py [--sdist pymongo-X.tar.gz] [--only crud] [--json]

Exit status: 0 when every goal is met, 1 when one is not, 2 on bad arguments or when the
suite cannot be fetched or started.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass
from pathlib import Path

import mongosim


@dataclass(frozen=True)
class Module:
    key: str
    path: str
    goal: float | None
    select: tuple[str, ...] = ()


MODULES = (
    Module("retryable-reads", "test/test_retryable_reads_unified.py", 0.90),
    Module("retryable-writes", "test/test_retryable_writes_unified.py", 0.90),
    Module("crud", "test/test_crud_unified.py", 0.85),
    Module("change-streams", "test/test_change_stream.py", None, ("-k", "TestUnified")),
)


@dataclass
class Counts:
    module: str
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    xfailed: int = 0
    seconds: float = 0.0
    goal: float | None = None

    @property
    def ran(self) -> int:
        """Tests that ran to a verdict of the simulator (pymongo's own xfails excluded)."""
        return self.passed + self.failed + self.errors

    @property
    def rate(self) -> float:
        return self.passed / self.ran if self.ran else 0.0

    @property
    def met(self) -> bool:
        return self.goal is None or self.rate >= self.goal


def _download(version: str, into: Path) -> Path:
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:"]
    subprocess.run([*pip, "--no-deps", "--dest", str(into), f"pymongo=={version}"], check=True)
    (sdist,) = into.glob("pymongo-*.tar.gz")
    return sdist


def _unpack_tests(sdist: Path, into: Path) -> Path:
    """The sdist's ``test/`` and ``pyproject.toml`` (pytest's markers), not its ``pymongo/``:
    the tests must import the installed pymongo."""
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        members = [
            member
            for member in archive.getmembers()
            if member.name.startswith(f"{top}/test/") or member.name == f"{top}/pyproject.toml"
        ]
        archive.extractall(into, members=members, filter="data")
    return into / top


def _count(report: Path, module: Module, seconds: float) -> Counts:
    counts = Counts(module.key, seconds=seconds, goal=module.goal)
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        outcome = {child.tag: child for child in case}
        if "failure" in outcome:
            counts.failed += 1
        elif "error" in outcome:
            counts.errors += 1
        elif "skipped" in outcome:
            if outcome["skipped"].get("type") == "pytest.xfail":
                counts.xfailed += 1
            else:
                counts.skipped += 1
        else:
            counts.passed += 1
    return counts


def _run(module: Module, root: Path, reports: Path) -> Counts:
    report = reports / f"{module.key}.xml"
    with mongosim.ReplicaSet(members=3) as replica_set:
        host, port = replica_set.hosts[0].rsplit(":", 1)
        environment = {**os.environ, "DB_IP": host, "DB_PORT": port}
        started = time.monotonic()
        pytest = [sys.executable, "-m", "pytest", module.path, *module.select, "-q"]
        options = ["-p", "no:cacheprovider", "-o", "addopts=", "-o", "faulthandler_timeout=0"]
        selection = ["-m", "default or default_async", "--timeout", "60", "--tb=line"]
        subprocess.run(
            [*pytest, *options, *selection, f"--junitxml={report}"],
            cwd=root,
            env=environment,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.monotonic() - started
    if not report.exists():
        raise RuntimeError(f"{module.path} produced no report: pytest could not start")
    return _count(report, module, seconds)


def _table(results: list[Counts], version: str) -> str:
    lines = [
        f"pymongo {version} specification tests against a 3-member mongosim"
        f" {mongosim.__version__}",
        f"{'module':<18}{'passed':>8}{'failed':>8}{'errors':>8}{'skipped':>9}{'xfail':>7}"
        f"{'pass rate':>11}{'goal':>7}{'time':>8}",
    ]
    for counts in results:
        goal = "-" if counts.goal is None else f"{counts.goal:.0%}"
        mark = "" if counts.met else "  BELOW GOAL"
        lines.append(
            f"{counts.module:<18}{counts.passed:>8}{counts.failed:>8}{counts.errors:>8}"
            f"{counts.skipped:>9}{counts.xfailed:>7}{counts.rate:>11.1%}{goal:>7}"
            f"{counts.seconds:>7.0f}s{mark}"
        )
    lines.append(
        "pass rate = passed / (passed + failed + errors); skipped = not for this deployment"
        " (runOnRequirements, auth, features pymongo lacks); xfail = pymongo's own expected"
        " failures"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="a downloaded pymongo sdist to use instead")
    parser.add_argument(
        "--only", action="append", choices=[m.key for m in MODULES], help="run these modules"
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    version = importlib.metadata.version("pymongo")
    modules = [m for m in MODULES if not args.only or m.key in args.only]
    with tempfile.TemporaryDirectory(prefix="mongosim-spec-") as scratch:
        work = Path(scratch)
        try:
            sdist = args.sdist or _download(version, work)
            root = _unpack_tests(sdist, work / "src")
            results = [_run(module, root, work) for module in modules]
        except (subprocess.CalledProcessError, RuntimeError, OSError, tarfile.TarError) as error:
            print(f"pymongo_spec: {error}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps([{**asdict(c), "rate": c.rate, "met": c.met} for c in results]))
    else:
        print(_table(results, version))
    return 0 if all(counts.met for counts in results) else 1


if __name__ == "__main__":
    sys.exit(main())
