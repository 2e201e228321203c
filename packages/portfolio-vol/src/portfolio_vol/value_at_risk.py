"""Normal (parametric) value at risk and expected shortfall of a portfolio.

With `z = Φ⁻¹(α)` and horizon h periods: `VaR = z σ_p √h − μ h` and
`ES = σ_p √h φ(z) / (1 − α) − μ h`, both as positive losses in return units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Any

import numpy as np

from ._inputs import FloatArray, align_by_label, is_pandas
from .exceptions import InvalidParameterError, ShapeMismatchError
from .volatility import Portfolios, portfolios

__all__ = ["parametric_es", "parametric_var"]


def normal_es_factor(alpha: float) -> float:
    """`φ(Φ⁻¹(α)) / (1 − α)`: the Gaussian ES in units of σ (zero mean)."""
    normal = NormalDist()
    return normal.pdf(normal.inv_cdf(alpha)) / (1.0 - alpha)


def _per_asset_means(mean: Any, assets: Any) -> FloatArray:
    """`mean` as an array; labelled means (mapping or Series) in the order of `assets`."""
    if not (isinstance(mean, Mapping) or is_pandas(mean)):
        return np.asarray(mean, dtype=np.float64)
    if assets is None:
        raise ShapeMismatchError(
            "`mean` given by label need labelled assets (a pandas DataFrame `cov`)"
        )
    return align_by_label(dict(mean), assets, "mean")


def _check(
    weights: Any, cov: Any, alpha: float, horizon: float, mean: Any
) -> tuple[Portfolios, FloatArray, FloatArray]:
    if not 0.0 < alpha < 1.0:
        raise InvalidParameterError(f"`alpha` must be in the open interval (0, 1), got {alpha!r}")
    if isinstance(horizon, bool) or not 0 < horizon < math.inf:
        raise InvalidParameterError(f"`horizon` must be finite and > 0, got {horizon!r}")
    checked = portfolios(weights, cov)
    means = _per_asset_means(mean, checked.assets)
    if means.ndim == 0:
        portfolio_means = np.full(checked.weights.values.shape[0], float(means))
    elif means.shape == (checked.cov.shape[0],):
        portfolio_means = checked.weights.values @ means
    else:
        raise ShapeMismatchError(
            f"`mean` must be a scalar or have one entry per asset ({checked.cov.shape[0]}), "
            f"got shape {means.shape}"
        )
    if not np.isfinite(portfolio_means).all():
        raise InvalidParameterError("`mean` must be finite")
    scaled = np.sqrt(checked.variances()) * math.sqrt(horizon)
    return checked, scaled, portfolio_means * horizon


def parametric_var(
    weights: Any, cov: Any, *, alpha: float = 0.99, horizon: float = 1, mean: Any = 0.0
) -> Any:
    """Gaussian value at risk: the loss exceeded with probability `1 - alpha`.

    Use it for a quick, smooth risk figure; it assumes normal returns, so it understates fat
    tails (a historical VaR on the portfolio's returns does not).

    Parameters
    ----------
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    cov : array-like of shape (N, N) or pandas DataFrame
        Covariance per period.
    alpha : float, default=0.99
        Confidence level in (0, 1).
    horizon : float, default=1
        Horizon in periods; volatility scales with √horizon, the mean with horizon.
    mean : float, array-like of shape (N,), mapping or pandas Series, default=0.0
        Expected return per period, of the portfolio or of each asset; labelled means are
        aligned to the assets of a labelled `cov`.

    Returns
    -------
    float, or ndarray of shape (K,) / pandas Series
        A positive number is a loss, as a fraction of the portfolio's value.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import parametric_var
    >>> round(parametric_var([1.0], np.array([[0.0001]])), 6)
    0.023263
    """
    checked, scaled, drift = _check(weights, cov, alpha, horizon, mean)
    z = NormalDist().inv_cdf(alpha)
    return checked.per_portfolio(z * scaled - drift, "value_at_risk")


def parametric_es(
    weights: Any, cov: Any, *, alpha: float = 0.99, horizon: float = 1, mean: Any = 0.0
) -> Any:
    """Gaussian expected shortfall: the mean loss beyond the VaR at `alpha`.

    Parameters and units are those of `parametric_var`; ES is always ≥ VaR.

    Returns
    -------
    float, or ndarray of shape (K,) / pandas Series

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import parametric_es
    >>> round(parametric_es([1.0], np.array([[0.0001]])), 6)
    0.026652
    """
    checked, scaled, drift = _check(weights, cov, alpha, horizon, mean)
    factor = normal_es_factor(alpha)
    return checked.per_portfolio(scaled * factor - drift, "expected_shortfall")
