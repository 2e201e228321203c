import doctest
import importlib
import importlib.metadata
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import portfolio_vol

PUBLIC = {
    "ESTIMATORS",
    "CovarianceEstimator",
    "CovarianceRepairWarning",
    "EWMACovariance",
    "InsufficientDataError",
    "InvalidCovarianceError",
    "InvalidParameterError",
    "LedoitWolfCovariance",
    "MissingDataError",
    "MissingExtraError",
    "NonPositivePriceError",
    "OASCovariance",
    "PortfolioVolError",
    "RiskContributions",
    "SampleCovariance",
    "ShapeMismatchError",
    "UnsortedIndexError",
    "ZeroVarianceError",
    "__version__",
    "annualize",
    "cornish_fisher_var",
    "covariance",
    "diversification_ratio",
    "es_contributions",
    "ewma_volatility",
    "historical_es",
    "historical_var",
    "naive_volatility",
    "parametric_es",
    "parametric_var",
    "portfolio_volatility",
    "returns_from_prices",
    "risk_contributions",
    "rolling_cornish_fisher_var",
    "rolling_es_contributions",
    "rolling_historical_es",
    "rolling_historical_var",
    "rolling_risk_contributions",
    "rolling_volatility",
}

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(portfolio_vol.__path__, "portfolio_vol.")
    if name != "portfolio_vol.__main__"
)


def test_all_is_exactly_the_public_names():
    assert set(portfolio_vol.__all__) == PUBLIC
    assert len(portfolio_vol.__all__) == len(PUBLIC)
    for name in PUBLIC:
        assert hasattr(portfolio_vol, name)


def test_version_is_the_constant_and_the_distribution_version():
    from portfolio_vol._version import __version__

    assert portfolio_vol.__version__ == __version__
    assert __version__ == importlib.metadata.version("portfolio-vol")
    pyproject = Path(__file__).parent.parent / "pyproject.toml"
    assert f'version = "{__version__}"' in pyproject.read_text()


def test_every_public_name_has_a_docstring_without_sphinx_roles():
    for name in portfolio_vol.__all__:
        if name in ("__version__", "ESTIMATORS"):
            continue
        doc = getattr(portfolio_vol, name).__doc__
        assert doc, name
        assert doc.strip(), name
    for path in Path(portfolio_vol.__file__).parent.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r":(func|class|meth|attr|mod|data):`", text), path
        assert "doctest: +SKIP" not in text, path


def test_covariance_is_the_function_not_a_module():
    """A submodule named `covariance` would shadow the function in the API reference."""
    assert callable(portfolio_vol.covariance)
    assert not (Path(portfolio_vol.__file__).parent / "covariance.py").exists()


def test_every_error_is_a_package_error_and_a_builtin():
    for name in portfolio_vol.__all__:
        obj = getattr(portfolio_vol, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            if obj is portfolio_vol.PortfolioVolError or issubclass(obj, Warning):
                continue
            assert issubclass(obj, portfolio_vol.PortfolioVolError)
            assert issubclass(obj, (ValueError, ImportError))


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_import_needs_numpy_only_and_no_metadata():
    code = (
        "import sys, portfolio_vol, portfolio_vol.__main__;"
        "heavy = {'pandas', 'sklearn', 'matplotlib', 'scipy', 'skfolio', 'asyncio',"
        " 'importlib.metadata'} & set(sys.modules);"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
