"""Portfolio volatility done right: σ_p = √(wᵀ Σ w), risk contributions, rolling and EWMA
volatility in O(T·N), parametric VaR/ES. numpy in → numpy out, pandas in → pandas out."""

from ._version import __version__
from .contributions import RiskContributions, risk_contributions
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
    UnsortedIndexError,
    ZeroVarianceError,
)
from .returns import returns_from_prices
from .rolling import rolling_risk_contributions, rolling_volatility
from .rolling_tail_risk import (
    rolling_cornish_fisher_var,
    rolling_es_contributions,
    rolling_historical_es,
    rolling_historical_var,
)
from .tail_risk import cornish_fisher_var, es_contributions, historical_es, historical_var
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
]
