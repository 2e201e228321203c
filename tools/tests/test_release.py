import shutil
import subprocess
import sys

import pytest
from release import (
    ROOT,
    Command,
    WriteVersion,
    check_tag,
    plan,
    split_tag,
    version_file_version,
)

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


@pytest.fixture
def repo(tmp_path):
    """A scratch monorepo with one package, alpha-lib 0.1.0, and its _version.py."""
    package = tmp_path / "packages" / "alpha-lib"
    (package / "src" / "alpha_lib").mkdir(parents=True)
    (package / "pyproject.toml").write_text(
        '[project]\nname = "alpha-lib"\nversion = "0.1.0"\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/alpha_lib"]\n'
    )
    (package / "src" / "alpha_lib" / "_version.py").write_text(
        '"""The version, set by tools/release.py."""\n\n__version__ = "0.1.0"\n'
    )
    return tmp_path


def test_plan_bumps_writes_the_version_file_renders_commits_and_tags_in_that_order(repo):
    steps = plan("alpha-lib", "99.0.0", root=repo)
    assert steps[0] == Command(["hatch", "version", "99.0.0"], repo / "packages" / "alpha-lib")
    version_file = repo / "packages" / "alpha-lib" / "src" / "alpha_lib" / "_version.py"
    assert steps[1] == WriteVersion(version_file, "99.0.0")
    commands = [step.argv for step in steps[2:]]
    assert commands[0][:2] == ["towncrier", "build"]
    assert commands[0][commands[0].index("--dir") :][:2] == ["--dir", "packages/alpha-lib"]
    assert commands[-2][:2] == ["git", "commit"]
    assert commands[-1][:3] == ["git", "tag", "-a"]
    assert "alpha-lib-v99.0.0" in commands[-1]


def test_writing_the_version_file_changes_only_the_version_line(repo):
    version_file = repo / "packages" / "alpha-lib" / "src" / "alpha_lib" / "_version.py"
    WriteVersion(version_file, "1.2.0").run()
    assert version_file.read_text() == (
        '"""The version, set by tools/release.py."""\n\n__version__ = "1.2.0"\n'
    )
    assert version_file_version(version_file) == "1.2.0"


def test_plan_refuses_a_package_without_its_version_file(repo):
    (repo / "packages" / "alpha-lib" / "src" / "alpha_lib" / "_version.py").unlink()
    with pytest.raises(ValueError, match=r"_version\.py does not exist"):
        plan("alpha-lib", "1.0.0", root=repo)


@pytest.mark.parametrize(
    ("version", "message"),
    [("0.0.1a", "is not X.Y.Z"), ("v1.0.0", "is not X.Y.Z"), ("0.0.0", "not newer")],
)
def test_plan_refuses_bad_versions(repo, version, message):
    with pytest.raises(ValueError, match=message):
        plan("alpha-lib", version, root=repo)


def test_plan_refuses_an_unknown_package():
    with pytest.raises(ValueError, match="no package 'nope'"):
        plan("nope", "1.0.0")


def test_dry_run_prints_every_step_and_changes_nothing(repo):
    (repo / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "release.py", repo / "tools")
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    result = subprocess.run(
        [sys.executable, str(repo / "tools" / "release.py"), "alpha-lib", "99.0.0", "--dry-run"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "would run (in packages/alpha-lib): hatch version 99.0.0"
    assert lines[1] == (
        'would write (in packages/alpha-lib/src/alpha_lib/_version.py): __version__ = "99.0.0"'
    )
    assert lines[-1].endswith("git tag -a alpha-lib-v99.0.0 -m 'alpha-lib 99.0.0'")
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


def test_cli_exits_2_with_a_message_on_bad_input():
    result = subprocess.run([*RELEASE, "nope", "1.0.0"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "error: no package 'nope'" in result.stderr
