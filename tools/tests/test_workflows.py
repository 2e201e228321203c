"""The GitHub workflows: valid against the published workflow schema, and wired as documented."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name):
    # PyYAML reads the key `on:` as True; the workflow syntax means the string.
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True)
    return data


@pytest.mark.parametrize("name", ["ci.yml", "release.yml"])
def test_workflow_matches_the_github_schema(name):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOWS / name),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_runs_on_package_tags_and_is_not_reusable():
    release = load("release.yml")
    assert release["on"] == {"push": {"tags": ["*-v[0-9]*"]}}
    assert "workflow_call" not in release["on"]


def test_only_the_publish_job_may_mint_an_oidc_token():
    jobs = load("release.yml")["jobs"]
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert any(
        s.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for s in publish["steps"]
    )
    others = [job for name, job in jobs.items() if name != "publish"]
    assert all("id-token" not in job.get("permissions", {}) for job in others)
    assert jobs["github-release"]["needs"] == ["build", "publish"]


def _tag_split_script():
    step = next(s for s in load("release.yml")["jobs"]["build"]["steps"] if s.get("id") == "tag")
    return step["run"]


@pytest.mark.parametrize(
    ("tag", "package", "version"),
    [
        ("portfolio-vol-v1.2.3", "portfolio-vol", "1.2.3"),
        ("java-datastream-v0.1.0", "java-datastream", "0.1.0"),
    ],
)
def test_release_tag_split(tmp_path, tag, package, version):
    (tmp_path / "packages" / package).mkdir(parents=True)
    (tmp_path / "packages" / package / "pyproject.toml").write_text("")
    out = tmp_path / "out"
    env = {"GITHUB_REF_NAME": tag, "GITHUB_OUTPUT": str(out), "PATH": "/usr/bin:/bin"}
    subprocess.run(["bash", "-c", _tag_split_script()], cwd=tmp_path, env=env, check=True)
    assert out.read_text().splitlines() == [f"package={package}", f"version={version}"]


@pytest.mark.parametrize("tag", ["locker-room", "no-such-package-v1.0.0"])
def test_release_tag_split_refuses_bad_tags(tmp_path, tag):
    env = {"GITHUB_REF_NAME": tag, "GITHUB_OUTPUT": str(tmp_path / "out"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(["bash", "-c", _tag_split_script()], cwd=tmp_path, env=env)
    assert result.returncode != 0


def test_all_green_waits_for_every_other_ci_job():
    jobs = load("ci.yml")["jobs"]
    assert set(jobs["all-green"]["needs"]) == set(jobs) - {"all-green"}
    assert jobs["all-green"]["if"] == "always()"


def test_ci_matrix_comes_from_the_change_detector():
    jobs = load("ci.yml")["jobs"]
    assert "tools/changed_packages.py" in "".join(s.get("run", "") for s in jobs["plan"]["steps"])
    assert jobs["package"]["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"


def _sessions_named(text):
    """Session names after `nox ... -s` on each workflow line (`"tests(package=...)"` -> tests)."""
    names = set()
    for line in text.splitlines():
        if "nox " not in line or " -s " not in line:
            continue
        words = shlex.split(line.split(" -s ", 1)[1].replace("${{", "").replace("}}", ""))
        for word in words:
            if word.startswith("-"):
                break
            names.add(word.split("(", 1)[0])
    return names


def test_every_nox_session_the_workflows_name_exists():
    wanted = set()
    for name in ("ci.yml", "release.yml"):
        wanted |= _sessions_named((WORKFLOWS / name).read_text())
    listed = subprocess.run(
        [sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py"), "-l"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    available = set(re.findall(r"^[*-] ([\w-]+)", listed, flags=re.M))
    assert {"lint", "tests", "typecheck", "build", "release"} <= wanted
    assert wanted <= available, wanted - available


def test_mongodb_packages_run_on_the_simulator_and_on_a_real_server():
    steps = load("ci.yml")["jobs"]["package"]["steps"]
    test_steps = [s for s in steps if "tests(package=" in s.get("run", "")]
    simulator = [s for s in test_steps if "MONGODB_URI" not in s.get("env", {})]
    real = [s for s in test_steps if "MONGODB_URI" in s.get("env", {})]
    assert len(simulator) == 1
    assert "if" not in simulator[0], "the simulator suite (with fault injection) must always run"
    assert len(real) == 1
    assert real[0]["if"] == "matrix.mongo"
    assert real[0]["env"]["MONGODB_URI"].startswith("mongodb://localhost:27017/")


def test_ci_and_the_local_ci_script_rehearse_the_release():
    assert "release-rehearsal" in _sessions_named((WORKFLOWS / "ci.yml").read_text())
    script = (ROOT / ".ci" / "run").read_text().replace("\\\n", " ")  # join continued lines
    assert "release-rehearsal" in _sessions_named(script)
