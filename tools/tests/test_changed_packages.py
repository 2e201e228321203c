import json
import subprocess
import sys

import pytest
from changed_packages import ROOT, affected, discover, edge_pythons, matrix, pythons


@pytest.fixture
def monorepo(tmp_path):
    """A tree with two packages, one using the mongosim peer."""
    for path, peers, versions in [
        ("packages/alpha", [], ["3.10", "3.11", "3.12", "3.13"]),
        ("packages/beta", ["mongosim"], ["3.11", "3.12"]),
        ("tools/mongosim", [], ["3.10", "3.11", "3.12", "3.13"]),
    ]:
        project = tmp_path / path
        project.mkdir(parents=True)
        classifiers = [f"Programming Language :: Python :: {v}" for v in versions]
        table = f"[tool.monorepo]\ntest-peers = {json.dumps(peers)}\n" if peers else ""
        (project / "pyproject.toml").write_text(
            f'[project]\nname = "{project.name}"\nclassifiers = {json.dumps(classifiers)}\n{table}'
        )
    return tmp_path


def test_a_package_file_touches_only_that_package(monorepo):
    assert affected(["packages/alpha/src/alpha/x.py"], monorepo) == ["alpha"]


def test_a_peer_change_touches_the_peer_and_its_users(monorepo):
    assert affected(["tools/mongosim/src/mongosim/server.py"], monorepo) == ["beta", "mongosim"]


def test_a_published_package_used_as_a_peer_touches_its_users(monorepo):
    gamma = monorepo / "packages" / "gamma"
    gamma.mkdir()
    (gamma / "pyproject.toml").write_text('[project]\nname = "gamma"\nclassifiers = []\n')
    (monorepo / "packages" / "alpha" / "pyproject.toml").write_text(
        '[project]\nname = "alpha"\nclassifiers = []\n[tool.monorepo]\ntest-peers = ["gamma"]\n'
    )
    assert affected(["packages/gamma/src/gamma/x.py"], monorepo) == ["alpha", "gamma"]


@pytest.mark.parametrize("path", ["noxfile.py", "tools/release.py", ".github/workflows/ci.yml"])
def test_a_shared_file_touches_everything(monorepo, path):
    assert affected(["packages/alpha/README.md", path], monorepo) == ["alpha", "beta", "mongosim"]


@pytest.mark.parametrize("path", ["README.md", "docs/content/index.md", "CODEOWNERS"])
def test_docs_and_prose_touch_nothing(monorepo, path):
    assert affected([path], monorepo) == []


def test_matrix_marks_mongo_users_and_published_packages(monorepo):
    rows = matrix(["alpha", "beta", "mongosim"], monorepo)["include"]
    assert all(r["mongo"] == (r["package"] != "alpha") for r in rows)
    assert all(r["published"] == (r["package"] != "mongosim") for r in rows)


def test_matrix_follows_each_packages_python_classifiers(monorepo):
    rows = matrix(["alpha", "beta"], monorepo)["include"]
    assert [r["python"] for r in rows if r["package"] == "alpha"] == [
        "3.10",
        "3.11",
        "3.12",
        "3.13",
    ]
    assert [r["python"] for r in rows if r["package"] == "beta"] == ["3.11", "3.12"]


def test_discover_reads_this_repository():
    published, peers = discover()
    assert published, "no packages found under packages/"
    assert all(path == ROOT / "packages" / name for name, path in published.items())
    assert all(path == ROOT / "tools" / name for name, path in peers.items())


def test_cli_all_prints_a_matrix_for_every_package():
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "changed_packages.py"), "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    published, peers = discover()
    names = {row["package"] for row in json.loads(out)["include"]}
    assert names == set(published) | set(peers)


def test_edge_pythons_are_each_package_s_oldest_and_newest(monorepo):
    assert edge_pythons(["alpha", "beta", "mongosim"], monorepo) == {
        "3.10": ["alpha", "mongosim"],
        "3.11": ["beta"],
        "3.12": ["beta"],
        "3.13": ["alpha", "mongosim"],
    }


def test_edge_pythons_cli_prints_one_line_per_python_leaving_out_the_default():
    script = str(ROOT / "tools" / "changed_packages.py")
    result = subprocess.run(
        [sys.executable, script, "--all", "--edge-pythons", "--except", "3.11"],
        capture_output=True,
        text=True,
        check=True,
    )
    by_python = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()}
    assert "3.11" not in by_python
    published, peers = discover()
    for name, home in {**published, **peers}.items():
        claimed = pythons(home)
        for python in {claimed[0], claimed[-1]} - {"3.11"}:
            assert name in by_python[python]
