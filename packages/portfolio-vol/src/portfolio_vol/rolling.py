"""Rolling portfolio volatility and risk contributions without any N × N matrix.

For fixed weights `wᵀ Σ_window w = Var_window(R w)` and `Σ_window w = Cov_window(R, r_p)`,
so both need only the portfolio return `r_p = R w` (O(T·N)) and rolling co-moments
(O(T) per column). The identity needs the same rows for Σ and r_p, hence no pairwise NaN.
"""

from __future__ import annotations

import itertools
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
    check_window,
    checked_portfolio_returns,
    frame,
    is_weights_by_date,
    per_date,
    refuse_weights_by_date,
    series,
)
from ._rolling import (
    BANDED_MAX_WINDOW,
    rolling_comoment,
    rolling_variance_sums,
    windowed_comoment,
)
from ._weights_by_date import weights_at_every_date
from .exceptions import InvalidParameterError, ZeroVarianceError

__all__ = ["rolling_risk_contributions", "rolling_volatility"]

# A window whose portfolio variance is below this fraction of its mean square is constant.
ZERO_VARIANCE_RTOL = 1e-14


def _prepare(
    returns: Any, weights: Any, window: int, nan_policy: str
) -> tuple[Table, Weights, int, FloatArray]:
    """Checked returns of the held assets, their weights, the window and `R Wᵀ`."""
    table, checked, product = checked_portfolio_returns(returns, weights, nan_policy)
    return table, checked, check_window(window, table.values.shape[0]), product


def rolling_volatility(
    returns: Any,
    weights: Any,
    window: int,
    *,
    min_periods: int | None = None,
    nan_policy: str = "raise",
    drift: bool = False,
) -> Any:
    """Volatility of a portfolio over a rolling window, in O(T·N) for fixed weights.

    Computed as the rolling standard deviation (`ddof=1`) of `r_p = R w`, which equals
    `√(wᵀ Σ_window w)` with the sample covariance of each window, without forming Σ.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
        K portfolios give K columns at the cost of one. A DataFrame indexed by dates
        (dates of `returns`, one column per asset) gives weights that change over time:
        the value at date t is then `√(w_tᵀ Σ_t w_t)`, the risk of the portfolio held at
        t over the window ending at t, NaN before the first date of `weights`.
    window : int
        Rows per window (≥ 2, at most T).
    min_periods : int or None, default=None
        Fewest rows for a value while the window is still filling (2 ≤ min_periods ≤
        window); `None` means `window`, so the first `window - 1` values are NaN.
    nan_policy : {"raise", "drop"}, default="raise"
        `"drop"` removes the rows where a held asset has no return; the result then has
        the kept rows. Assets of weight 0 are ignored, so a delisted one never shortens
        the result. Weights by date need complete returns for the assets they hold.
    drift : bool, default=False
        With weights by date: between two dates of `weights` the weights drift with the
        returns (buy and hold, the rest in cash at 0) instead of staying fixed.

    Returns
    -------
    ndarray of shape (T,) or (T, K), or pandas Series / DataFrame
        Indexed like `returns` when it is a DataFrame.

    Raises
    ------
    InsufficientDataError
        `window` is longer than the data.
    UnsortedIndexError
        The dates of `returns` (or of `weights`) are not strictly increasing.

    Notes
    -----
    Weights by date cost O(T·N) plus O(window·N) per change of weights, so drifting
    weights (a change every day) cost O(T·window·N).

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
    if is_weights_by_date(weights):
        return _rolling_volatility_by_date(
            returns, weights, window, min_periods, nan_policy, drift
        )
    if drift:
        raise InvalidParameterError("`drift=True` needs weights indexed by date (a DataFrame)")
    table, checked, window, product = _prepare(returns, weights, window, nan_policy)
    minimum = _min_periods(min_periods, window)
    sums, count = rolling_variance_sums(product, window)
    # In place: at 2,520 rows each numpy call costs about as much as its arithmetic.
    np.maximum(sums, 0.0, out=sums)
    sums[window - 1 :] /= window - 1
    if minimum < window:
        sums[minimum - 1 : window - 1] /= (count[minimum - 1 : window - 1] - 1.0)[:, np.newaxis]
    sums[: minimum - 1] = np.nan
    return per_date(np.sqrt(sums, out=sums), table, checked, "volatility")


def _min_periods(min_periods: int | None, window: int) -> int:
    minimum = window if min_periods is None else min_periods
    if (
        isinstance(minimum, bool)
        or not isinstance(minimum, (int, np.integer))
        or not 2 <= minimum <= window
    ):
        raise InvalidParameterError(
            f"`min_periods` must be an integer in [2, window={window}], got {min_periods!r}"
        )
    return int(minimum)


def _rolling_volatility_by_date(
    returns: Any, weights: Any, window: int, min_periods: int | None, nan_policy: str, drift: bool
) -> Any:
    check_nan_policy(nan_policy, pairwise=False)
    if nan_policy != "raise":
        raise InvalidParameterError("weights by date need nan_policy='raise'")
    table = as_table(returns, "returns")
    window = check_window(window, table.values.shape[0])
    minimum = _min_periods(min_periods, window)
    by_date = weights_at_every_date(weights, table, drift=False)
    first = max(int(np.argmax(~np.isnan(by_date[:, 0]))), minimum - 1)
    held = np.flatnonzero(np.nan_to_num(by_date).any(axis=0))
    # Only the held assets: a weight-0 asset's NaN must neither raise nor spoil the drift.
    held_table = Table(table.values[:, held], table.index, table.columns[held], True)
    values = apply_nan_policy(held_table, "raise", "returns").values
    if drift:
        by_date = weights_at_every_date(weights[held_table.columns], held_table, drift=True)
    else:
        by_date = by_date[:, held]
    volatility = np.full(values.shape[0], np.nan)
    changes = np.flatnonzero((by_date[first + 1 :] != by_date[first:-1]).any(axis=1)) + first + 1
    for start, stop in itertools.pairwise([first, *changes.tolist(), values.shape[0]]):
        # One weight vector over rows start..stop-1: the rolling volatility of R w over the
        # rows those windows reach.
        low = max(0, start - window + 1)
        product = values[low:stop] @ by_date[start]
        sums, count = rolling_variance_sums(product[:, np.newaxis], window)
        count += low  # windows that start at row 0 of the data still fill up
        np.minimum(count, window, out=count)
        part = np.sqrt(np.maximum(sums[:, 0], 0.0) / np.maximum(count - 1, 1.0))
        volatility[start:stop] = part[start - low :]
    return series(volatility, table.index, "volatility")


def rolling_risk_contributions(
    returns: Any, weights: Any, window: int, *, nan_policy: str = "raise"
) -> Any:
    """Component risk contributions over a rolling window, in O(T·N).

    `cᵢ(t) = wᵢ · Cov_t(rᵢ, r_p) / σ_p(t)`: each row sums to the rolling volatility of
    `rolling_volatility` (Euler), and `Cov_t(R, r_p) = Σ_t w` means no N × N matrix
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
        NaN before the first full window; labelled like `returns` when it is a DataFrame.

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
    check_nan_policy(nan_policy, pairwise=False)
    refuse_weights_by_date(weights)
    full_table = as_table(returns, "returns")
    all_weights = as_weights(weights, full_table.columns, full_table.values.shape[1])
    if not all_weights.single:
        raise InvalidParameterError("`weights` must be one portfolio (shape (N,))")
    held = np.flatnonzero(all_weights.values[0])
    table, checked, window, column = _prepare(returns, weights, window, nan_policy)
    w = checked.values[0]
    portfolio_returns = column[:, 0]
    variance, count = rolling_variance_sums(column, window)
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
    # wᵢ Cov(rᵢ, r_p) / σ_p: the co-moment sums scaled by wᵢ and 1 / ((window − 1) σ_p).
    row_scale = 1.0 / ((window - 1) * np.sqrt(np.where(full, variance, 1.0)))
    if window <= BANDED_MAX_WINDOW:
        contributions = windowed_comoment(
            table.values, portfolio_returns, window, column_scale=w, row_scale=row_scale
        )
    else:
        contributions, _ = rolling_comoment(
            table.values, column, window, column_scale=w, row_scale=row_scale
        )
        contributions[~full] = np.nan
    if held.size < all_weights.values.shape[1]:
        # Assets of weight 0 contribute 0 (they were left out of the computation).
        every = np.zeros((contributions.shape[0], all_weights.values.shape[1]))
        every[:, held] = contributions
        every[~full] = np.nan
        contributions = every
    if table.labelled:
        return frame(contributions, table.index, full_table.columns)
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
