"""The JDK oracle: Oracle.java compiled once per run; each call is one JVM for a whole table."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis' per-example deadline is a timing assertion; shared CI machines are too noisy.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

JAVA_SOURCES = Path(__file__).parent / "java"


@dataclass(frozen=True)
class Jdk:
    """Run ``Oracle`` (see tests/java/Oracle.java) on the compiled classes."""

    java: str
    classes: Path

    def oracle(self, *args: str, main: str = "Oracle") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            # C1 only: these runs are short, so a quick start beats peak speed.
            [self.java, "-XX:TieredStopAtLevel=1", "-cp", str(self.classes), main, *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def start(self, *args: str, main: str) -> subprocess.Popen[str]:
        """Start a long oracle run in the background (the caller waits for it)."""
        return subprocess.Popen(
            [self.java, "-cp", str(self.classes), main, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture(scope="session")
def jdk(tmp_path_factory: pytest.TempPathFactory) -> Jdk:
    """Compile the oracle, or skip when there is no JDK (fail instead when CI=true)."""
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac is None or java is None:
        message = "javac and java (JDK 17+) must be on PATH for the JDK conformance tests"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    classes = tmp_path_factory.mktemp("oracle-classes")
    # Hadoop's own Text and WritableUtils (tests/java/hadoop, Apache-2.0, trimmed to compile
    # alone) are compiled beside the oracles: HadoopOracle calls them.
    sources = [
        JAVA_SOURCES / "Oracle.java",
        JAVA_SOURCES / "HadoopOracle.java",
        *sorted((JAVA_SOURCES / "hadoop").rglob("*.java")),
    ]
    subprocess.run(
        [javac, "-d", str(classes), *map(str, sources)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return Jdk(java, classes)
