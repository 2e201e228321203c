import doctest
import importlib
import pkgutil
import subprocess
import sys

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
    "ZeroVarianceError",
    "__version__",
    "annualize",
    "covariance",
    "diversification_ratio",
    "ewma_volatility",
    "naive_volatility",
    "parametric_es",
    "parametric_var",
    "portfolio_volatility",
    "returns_from_prices",
    "risk_contributions",
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


def test_version_comes_from_the_distribution():
    assert portfolio_vol.__version__ == importlib.metadata.version("portfolio-vol")


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


def test_import_needs_numpy_only():
    code = (
        "import sys, portfolio_vol, portfolio_vol.__main__;"
        "heavy = {'pandas', 'sklearn', 'matplotlib', 'scipy'} & set(sys.modules);"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
