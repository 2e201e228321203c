"""Rolling portfolio volatility and risk contributions without any N × N matrix.

For fixed weights ``wᵀ Σ_window w = Var_window(R w)`` and ``Σ_window w = Cov_window(R, r_p)``,
so both need only the portfolio return ``r_p = R w`` (O(T·N)) and rolling co-moments
(O(T) per column). The identity needs the same rows for Σ and r_p, hence no pairwise NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._inputs import (
    FloatArray,
    Table,
    Weights,
    apply_nan_policy,
    as_table,
    as_weights,
    check_nan_policy,
    frame,
    positive_int,
    series,
)
from ._inputs import (
    portfolio_returns as portfolio_returns_of,
)
from ._rolling import rolling_comoment
from .exceptions import InsufficientDataError, InvalidParameterError, ZeroVarianceError

__all__ = ["rolling_risk_contributions", "rolling_volatility"]

# A window whose portfolio variance is below this fraction of its mean square is constant.
ZERO_VARIANCE_RTOL = 1e-14


def _prepare(
    returns: Any, weights: Any, window: int, nan_policy: str
) -> tuple[Table, Weights, int]:
    check_nan_policy(nan_policy, pairwise=False)
    window = positive_int(window, "window", minimum=2)
    table = apply_nan_policy(as_table(returns, "returns"), nan_policy, "returns")
    checked = as_weights(weights, table.columns, table.values.shape[1])
    if window > table.values.shape[0]:
        raise InsufficientDataError(
            f"`window` ({window}) is longer than the data ({table.values.shape[0]} rows)"
        )
    return table, checked, window


def rolling_volatility(
    returns: Any,
    weights: Any,
    window: int,
    *,
    min_periods: int | None = None,
    nan_policy: str = "raise",
) -> Any:
    """Volatility of a fixed-weight portfolio over a rolling window, in O(T·N).

    Computed as the rolling standard deviation (``ddof=1``) of ``r_p = R w``, which equals
    ``√(wᵀ Σ_window w)`` with the sample covariance of each window, without forming Σ.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
        K portfolios give K columns at the cost of one.
    window : int
        Rows per window (≥ 2, at most T).
    min_periods : int or None, default=None
        Fewest rows for a value while the window is still filling (2 ≤ min_periods ≤
        window); ``None`` means ``window``, so the first ``window - 1`` values are NaN.
    nan_policy : {"raise", "drop"}, default="raise"
        ``"drop"`` removes rows with any NaN first; the result then has the kept rows.

    Returns
    -------
    ndarray of shape (T,) or (T, K), or pandas Series / DataFrame
        Indexed like ``returns`` when it is a DataFrame.

    Raises
    ------
    InsufficientDataError
        ``window`` is longer than the data.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import rolling_volatility
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(100, 3))
    >>> vol = rolling_volatility(returns, [0.3, 0.5, 0.2], 20)
    >>> vol.shape, bool(np.isnan(vol[:19]).all())
    ((100,), True)
    >>> r_p = returns[-20:] @ [0.3, 0.5, 0.2]
    >>> bool(np.isclose(vol[-1], r_p.std(ddof=1)))
    True
    """
    table, checked, window = _prepare(returns, weights, window, nan_policy)
    minimum = window if min_periods is None else min_periods
    if (
        isinstance(minimum, bool)
        or not isinstance(minimum, (int, np.integer))
        or not 2 <= minimum <= window
    ):
        raise InvalidParameterError(
            f"`min_periods` must be an integer in [2, window={window}], got {min_periods!r}"
        )
    portfolio_returns = portfolio_returns_of(table.values, checked.values)
    comoment, count = rolling_comoment(portfolio_returns, portfolio_returns, window)
    divisor = np.maximum(count - 1, 1.0)[:, np.newaxis]
    volatility = np.sqrt(np.maximum(comoment, 0.0) / divisor)
    volatility[count < minimum] = np.nan
    return _per_portfolio(volatility, table, checked)


def _per_portfolio(values: FloatArray, table: Table, checked: Weights) -> Any:
    if checked.single:
        return series(values[:, 0], table.index, "volatility") if table.labelled else values[:, 0]
    if table.labelled:
        return frame(values, table.index, checked.portfolios)
    return values


def rolling_risk_contributions(
    returns: Any, weights: Any, window: int, *, nan_policy: str = "raise"
) -> Any:
    """Component risk contributions over a rolling window, in O(T·N).

    ``cᵢ(t) = wᵢ · Cov_t(rᵢ, r_p) / σ_p(t)``: each row sums to the rolling volatility of
    :func:`rolling_volatility` (Euler), and ``Cov_t(R, r_p) = Σ_t w`` means no N × N matrix
    is ever formed.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,), mapping or pandas Series
        One portfolio.
    window : int
        Rows per window (≥ 2, at most T).
    nan_policy : {"raise", "drop"}, default="raise"

    Returns
    -------
    ndarray of shape (T, N) or pandas DataFrame
        NaN before the first full window; labelled like ``returns`` when it is a DataFrame.

    Raises
    ------
    ZeroVarianceError
        The portfolio is constant over some window, so the ratio is undefined there.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import rolling_risk_contributions, rolling_volatility
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(100, 3))
    >>> w = [0.3, 0.5, 0.2]
    >>> contributions = rolling_risk_contributions(returns, w, 20)
    >>> bool(np.allclose(contributions.sum(axis=1)[19:], rolling_volatility(returns, w, 20)[19:]))
    True
    """
    table, checked, window = _prepare(returns, weights, window, nan_policy)
    if not checked.single:
        raise InvalidParameterError("`weights` must be one portfolio (shape (N,))")
    w = checked.values[0]
    column = portfolio_returns_of(table.values, checked.values)
    portfolio_returns = column[:, 0]
    variance, count = rolling_comoment(column, column, window)
    covariance, _ = rolling_comoment(table.values, column, window)
    full = count >= window
    variance = variance[:, 0] / (window - 1)
    mean_square = _rolling_mean_square(portfolio_returns, window)
    zero = full & (variance <= ZERO_VARIANCE_RTOL * mean_square)
    if zero.any():
        row = table.row_name(int(np.argmax(zero)))
        raise ZeroVarianceError(
            f"the portfolio has zero variance in the window ending at row {row!r}, "
            "so its risk contributions are undefined"
        )
    volatility = np.sqrt(np.where(full, variance, 1.0))
    contributions = covariance
    contributions *= w
    contributions /= ((window - 1) * volatility)[:, np.newaxis]
    contributions[~full] = np.nan
    if table.labelled:
        return frame(contributions, table.index, table.columns)
    return contributions


def _rolling_mean_square(values: FloatArray, window: int) -> FloatArray:
    """Mean of r² over each full window (a scale for the zero-variance test; 0 elsewhere).

    Summed window by window, O(T·window) on one series, so no prefix-sum cancellation can
    turn a constant window's scale into noise.
    """
    result = np.zeros(values.shape[0])
    windows = np.lib.stride_tricks.sliding_window_view(values * values, window)
    result[window - 1 :] = windows.mean(axis=1)
    return result
