"""RiskMetrics EWMA volatility of a portfolio: `σ²_t = λ σ²_{t−1} + (1 − λ) r_{p,t}²`.

Because the EWMA covariance is linear in `r rᵀ`, `wᵀ Σ_t w` is the same recursion on
the portfolio return `r_p = R w`: O(T·N), no N × N matrix. With missing returns
(`nan_policy="pairwise"`) each pair of assets is updated on the dates both have returns;
see `_ewma_recursions`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._ewma_recursions import ewma_filter, pairwise_ewma_variances
from ._inputs import (
    COVARIANCE_RTOL,
    FloatArray,
    Table,
    apply_nan_policy,
    as_table,
    as_weights,
    check_nan_policy,
    frame,
    held_columns,
    lam_from,
    refuse_weights_by_date,
    series,
)
from ._inputs import (
    portfolio_returns as portfolio_returns_of,
)
from .exceptions import CovarianceRepairWarning, InsufficientDataError

__all__ = ["ewma_volatility"]


def _pairwise_volatility(variances: FloatArray, scales: FloatArray, table: Table) -> FloatArray:
    """√ of the pairwise variances: NaN, with a warning, where one is negative beyond
    round-off (the pairwise estimate is not PSD there), instead of a silent 0."""
    negative = variances < -COVARIANCE_RTOL * scales
    if negative.any():
        row = table.row_name(int(np.argmax(negative.any(axis=1))))
        warnings.warn(
            f"the pairwise EWMA covariance is not positive semi-definite at {negative.sum()} "
            f"dates, where the portfolio variance wᵀΣw is negative (first at row {row!r}); "
            "the volatility is NaN there",
            CovarianceRepairWarning,
            stacklevel=3,
        )
    volatility: FloatArray = np.sqrt(np.maximum(variances, 0.0))
    volatility[negative] = np.nan
    return volatility


def ewma_volatility(
    returns: Any,
    weights: Any,
    *,
    lam: float = 0.94,
    halflife: float | None = None,
    nan_policy: str = "raise",
) -> Any:
    """The portfolio's RiskMetrics (zero-mean EWMA) volatility at every date.

    Value t equals `portfolio_volatility(w, covariance(returns[:t + 1], method="ewma"))`
    but costs O(T·N) for the whole series. Use it for a volatility that reacts to recent
    moves; `rolling_volatility` weighs a fixed window equally.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    lam : float, default=0.94
        Decay λ in (0, 1) (RiskMetrics daily).
    halflife : float or None, default=None
        When given, sets `lam = 0.5 ** (1 / halflife)`.
    nan_policy : {"raise", "drop", "pairwise"}, default="raise"
        `"drop"` removes the rows where a held asset has no return. `"pairwise"` keeps
        every row and gives `wᵀ Σ_t w` with the NaN-aware EWMA covariance of
        `covariance(..., method="ewma", nan_policy="pairwise")` at each date (before its
        PSD repair): NaN until every pair of held assets has shared a date, and NaN with a
        `CovarianceRepairWarning` on a date where that estimate, which need not be PSD,
        gives `wᵀ Σ_t w < 0`. Assets of weight 0 are ignored
        under every policy, so a delisted one never cuts the series short.

    Returns
    -------
    ndarray of shape (T,) or (T, K), or pandas Series / DataFrame
        The recursion starts at `σ²_0 = r_{p,0}²`, so early values rest on few returns.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import ewma_volatility
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(250, 3))
    >>> vol = ewma_volatility(returns, [0.3, 0.5, 0.2])
    >>> vol.shape, bool(abs(vol[0]) == abs(returns[0] @ [0.3, 0.5, 0.2]))
    ((250,), True)
    """
    check_nan_policy(nan_policy, pairwise=True)
    decay = lam_from(lam, halflife)
    refuse_weights_by_date(weights)
    table = as_table(returns, "returns")
    checked = as_weights(weights, table.columns, table.values.shape[1])
    table, held = held_columns(table, checked)
    table = apply_nan_policy(table, nan_policy, "returns")
    if table.values.shape[0] == 0:
        raise InsufficientDataError("`returns` has no rows")
    if nan_policy == "pairwise" and np.isnan(table.values).any():
        variances, scales = pairwise_ewma_variances(table.values, decay, held.values)
        volatility = _pairwise_volatility(variances, scales, table)
    else:
        portfolio_returns = portfolio_returns_of(table.values, held.values)
        volatility = np.sqrt(ewma_filter(portfolio_returns * portfolio_returns, decay))
    if checked.single:
        if table.labelled:
            return series(volatility[:, 0], table.index, "volatility")
        return volatility[:, 0]
    if table.labelled:
        return frame(volatility, table.index, checked.portfolios)
    return volatility
