"""RiskMetrics EWMA volatility of a portfolio: ``σ²_t = λ σ²_{t−1} + (1 − λ) r_{p,t}²``.

Because the EWMA covariance is linear in ``r rᵀ``, ``wᵀ Σ_t w`` is the same recursion on
the portfolio return ``r_p = R w``: O(T·N), no N × N matrix. The recursion is unrolled into
scaled cumulative sums, a block at a time so that ``λ^(−k)`` never overflows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._inputs import (
    FloatArray,
    apply_nan_policy,
    as_table,
    as_weights,
    check_nan_policy,
    frame,
    lam_from,
    series,
)
from ._inputs import (
    portfolio_returns as portfolio_returns_of,
)
from .exceptions import InsufficientDataError

__all__ = ["ewma_volatility"]

# Largest exponent k with λ^(−k) kept below e^300 inside one block.
_MAX_LOG_SCALE = 300.0


def _ewma_filter(values: FloatArray, lam: float) -> FloatArray:
    """``s_0 = z_0``, ``s_t = λ s_{t−1} + (1 − λ) z_t`` down axis 0 of (T, K), vectorised."""
    n_rows = values.shape[0]
    out = np.empty_like(values)
    out[0] = values[0]
    block = max(1, int(_MAX_LOG_SCALE / -math.log(lam)))
    start = 1
    while start < n_rows:
        stop = min(start + block, n_rows)
        steps = np.arange(stop - start, dtype=np.float64)[:, np.newaxis]
        # s_t = λ^(t−b+1) s_{b−1} + (1 − λ) λ^(t−b) Σ_{s=b..t} λ^(−(s−b)) z_s
        growth = lam**-steps
        decay = lam**steps
        sums = np.cumsum(values[start:stop] * growth, axis=0)
        out[start:stop] = lam * decay * out[start - 1] + (1.0 - lam) * decay * sums
        start = stop
    return out


def ewma_volatility(
    returns: Any,
    weights: Any,
    *,
    lam: float = 0.94,
    halflife: float | None = None,
    nan_policy: str = "raise",
) -> Any:
    """The portfolio's RiskMetrics (zero-mean EWMA) volatility at every date.

    Value t equals ``portfolio_volatility(w, covariance(returns[:t + 1], method="ewma"))``
    but costs O(T·N) for the whole series. Use it for a volatility that reacts to recent
    moves; :func:`rolling_volatility` weighs a fixed window equally.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    lam : float, default=0.94
        Decay λ in (0, 1) (RiskMetrics daily).
    halflife : float or None, default=None
        When given, sets ``lam = 0.5 ** (1 / halflife)``.
    nan_policy : {"raise", "drop"}, default="raise"

    Returns
    -------
    ndarray of shape (T,) or (T, K), or pandas Series / DataFrame
        The recursion starts at ``σ²_0 = r_{p,0}²``, so early values rest on few returns.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import ewma_volatility
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(250, 3))
    >>> vol = ewma_volatility(returns, [0.3, 0.5, 0.2])
    >>> vol.shape, bool(abs(vol[0]) == abs(returns[0] @ [0.3, 0.5, 0.2]))
    ((250,), True)
    """
    check_nan_policy(nan_policy, pairwise=False)
    decay = lam_from(lam, halflife)
    table = apply_nan_policy(as_table(returns, "returns"), nan_policy, "returns")
    if table.values.shape[0] == 0:
        raise InsufficientDataError("`returns` has no rows")
    checked = as_weights(weights, table.columns, table.values.shape[1])
    portfolio_returns = portfolio_returns_of(table.values, checked.values)
    volatility = np.sqrt(_ewma_filter(portfolio_returns * portfolio_returns, decay))
    if checked.single:
        if table.labelled:
            return series(volatility[:, 0], table.index, "volatility")
        return volatility[:, 0]
    if table.labelled:
        return frame(volatility, table.index, checked.portfolios)
    return volatility
