"""Euler risk contributions: `σ_p = Σᵢ wᵢ (Σw)ᵢ / σ_p`, in closed form.

marginal `∂σ_p/∂wᵢ = (Σw)ᵢ / σ_p`; component `cᵢ = wᵢ · marginalᵢ` (they sum to σ_p);
percent `cᵢ / σ_p` (they sum to 1).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .volatility import portfolios

__all__ = ["RiskContributions", "risk_contributions"]


class RiskContributions(NamedTuple):
    """The result of `risk_contributions`.

    Attributes
    ----------
    volatility : float or ndarray of shape (K,)
        σ_p of each portfolio.
    marginal : ndarray of shape (N,) or (K, N)
        ∂σ_p/∂wᵢ = (Σw)ᵢ / σ_p.
    component : ndarray of shape (N,) or (K, N)
        wᵢ · marginalᵢ; sums to `volatility`.
    percent : ndarray of shape (N,) or (K, N)
        component / σ_p; sums to 1.
    """

    volatility: Any
    marginal: Any
    component: Any
    percent: Any


def risk_contributions(weights: Any, cov: Any) -> RiskContributions:
    """How much each asset contributes to the portfolio's volatility.

    Closed form (no finite differences): `marginal = Σw / σ_p`, `component = w ∘ marginal`,
    `percent = component / σ_p`. The components add up to σ_p (Euler's theorem: σ_p is
    homogeneous of degree one in w); a negative component is a hedge.

    Parameters
    ----------
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    cov : array-like of shape (N, N) or pandas DataFrame

    Returns
    -------
    RiskContributions
        `(volatility, marginal, component, percent)`; per-asset fields are pandas Series
        (DataFrames for K portfolios) when an input was pandas.

    Raises
    ------
    ZeroVarianceError
        A portfolio has zero volatility, so the ratios are undefined.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import risk_contributions
    >>> cov = np.array([[0.04, 0.006], [0.006, 0.01]])
    >>> result = risk_contributions([0.5, 0.5], cov)
    >>> result.percent.round(4)
    array([0.7419, 0.2581])
    >>> bool(np.isclose(result.component.sum(), result.volatility))
    True
    """
    checked = portfolios(weights, cov)
    volatilities = checked.nonzero_volatilities()
    w = checked.weights.values
    marginal = (w @ checked.cov) / volatilities[:, np.newaxis]
    component = w * marginal
    percent = component / volatilities[:, np.newaxis]
    return RiskContributions(
        checked.per_portfolio(volatilities, "volatility"),
        checked.per_asset(marginal),
        checked.per_asset(component),
        checked.per_asset(percent),
    )
