import subprocess
import sys

import pytest
from release import ROOT, check_tag, plan, split_tag

RELEASE = [sys.executable, str(ROOT / "tools" / "release.py")]


def test_split_tag_handles_dashes_and_v_inside_the_name():
    assert split_tag("portfolio-vol-v1.2.3") == ("portfolio-vol", "1.2.3")
    assert split_tag("java-datastream-v2.3.1rc1") == ("java-datastream", "2.3.1rc1")


def test_split_tag_rejects_a_tag_without_version():
    with pytest.raises(ValueError, match="not of the form"):
        split_tag("locker-room")


def test_check_tag_accepts_the_matching_version():
    check_tag("locker-room-v1.2.0", "locker-room", "1.2.0")


def test_check_tag_refuses_a_version_mismatch():
    with pytest.raises(ValueError, match=r"says version 1\.2\.1 but .* says 1\.2\.0"):
        check_tag("locker-room-v1.2.1", "locker-room", "1.2.0")


def test_check_tag_refuses_another_package():
    with pytest.raises(ValueError, match="names package 'locker-room'"):
        check_tag("locker-room-v1.2.0", "portfolio-vol", "1.2.0")


def _a_package() -> str:
    return sorted(p.parent.name for p in (ROOT / "packages").glob("*/pyproject.toml"))[0]


def test_plan_bumps_renders_commits_and_tags_in_that_order():
    package = _a_package()
    steps = [command for command, _ in plan(package, "99.0.0")]
    assert steps[0] == ["hatch", "version", "99.0.0"]
    assert steps[1][:2] == ["towncrier", "build"]
    assert ["--dir", f"packages/{package}"] == steps[1][steps[1].index("--dir") :][:2]
    assert steps[-2][:2] == ["git", "commit"]
    assert steps[-1][:3] == ["git", "tag", "-a"]
    assert f"{package}-v99.0.0" in steps[-1]


@pytest.mark.parametrize(
    ("version", "message"),
    [("0.0.1a", "is not X.Y.Z"), ("v1.0.0", "is not X.Y.Z"), ("0.0.0", "not newer")],
)
def test_plan_refuses_bad_versions(version, message):
    with pytest.raises(ValueError, match=message):
        plan(_a_package(), version)


def test_plan_refuses_an_unknown_package():
    with pytest.raises(ValueError, match="no package 'nope'"):
        plan("nope", "1.0.0")


def test_dry_run_prints_every_step_and_changes_nothing():
    package = _a_package()
    before = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    result = subprocess.run(
        [*RELEASE, package, "99.0.0", "--dry-run"], capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()
    assert lines[0] == f"would run (in packages/{package}): hatch version 99.0.0"
    assert lines[-1].endswith(f"git tag -a {package}-v99.0.0 -m '{package} 99.0.0'")
    after = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert after == before


def test_cli_exits_2_with_a_message_on_bad_input():
    result = subprocess.run([*RELEASE, "nope", "1.0.0"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "error: no package 'nope'" in result.stderr
