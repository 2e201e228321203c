"""Portfolio volatility done right: σ_p = √(wᵀ Σ w), risk contributions, rolling and EWMA
volatility in O(T·N), parametric VaR/ES. numpy in → numpy out, pandas in → pandas out."""

from .contributions import RiskContributions, risk_contributions
from ._version import __version__
from .covariance_matrix import covariance
from .estimators import (
    ESTIMATORS,
    CovarianceEstimator,
    EWMACovariance,
    LedoitWolfCovariance,
    OASCovariance,
    SampleCovariance,
)
from .ewma import ewma_volatility
from .exceptions import (
    CovarianceRepairWarning,
    InsufficientDataError,
    InvalidCovarianceError,
    InvalidParameterError,
    MissingDataError,
    MissingExtraError,
    NonPositivePriceError,
    PortfolioVolError,
    ShapeMismatchError,
    ZeroVarianceError,
)
from .returns import returns_from_prices
from .rolling import rolling_risk_contributions, rolling_volatility
from .value_at_risk import parametric_es, parametric_var
from .volatility import annualize, diversification_ratio, naive_volatility, portfolio_volatility

__all__ = [
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
]
