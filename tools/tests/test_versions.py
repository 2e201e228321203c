"""Every package's ``__version__`` constant equals its ``project.version``.

``src/<module>/_version.py`` holds ``__version__ = "X.Y.Z"`` (issue 19: no
``importlib.metadata`` at import time); ``tools/release.py`` rewrites both on a release.
"""

import pytest
from release import ROOT, current_version, version_file, version_file_version

PACKAGES = sorted(p.parent.name for p in (ROOT / "packages").glob("*/pyproject.toml"))


@pytest.mark.parametrize("package", PACKAGES)
def test_version_constant_equals_project_version(package):
    path = version_file(package)
    assert version_file_version(path) == current_version(package), path


@pytest.mark.parametrize("package", PACKAGES)
def test_init_takes_the_version_from_the_constant(package):
    init = (version_file(package).parent / "__init__.py").read_text()
    assert "importlib.metadata" not in init
    assert "_version import __version__" in init
