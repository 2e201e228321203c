"""Rolling historical VaR and ES, Cornish–Fisher VaR and ES contributions.

Each needs the portfolio return `r_p = R w` once (O(T·N)). The historical figures keep the
window's returns in a sorted list: each new date costs O(log window) comparisons to
remove the oldest return and insert the newest (the list moves up to `window` pointers in
memory, a memmove), and the sum of the worst returns is updated by the one or two
returns that cross the tail's edge, re-summed from scratch every `window` dates so that
round-off cannot pile up. The contributions update an N-vector the same way: O(T·N).
Cornish–Fisher needs the window's first four moments, merged from blocked partial sums
in O(T) per portfolio (`_rolling.rolling_central_moments`).

Conventions are those of `tail_risk`; values before the first full window are NaN.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

import numpy as np

from ._inputs import (
    FloatArray,
    check_alpha,
    check_window,
    checked_portfolio_returns,
    frame,
    per_date,
)
from ._rolling import rolling_central_moments
from .exceptions import InvalidParameterError
from .rolling import rolling_risk_contributions
from .tail_risk import all_assets, check_es_method, cornish_fisher_from_moments, tail_size
from .value_at_risk import normal_es_factor

__all__ = [
    "rolling_cornish_fisher_var",
    "rolling_es_contributions",
    "rolling_historical_es",
    "rolling_historical_var",
]


def rolling_tail(
    values: FloatArray, window: int, k: float, m: int, rows: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Historical VaR and ES of each full window of `values` (T,), and, given (T, N)
    `rows`, the k-weighted sum of the rows of each window's tail (for contributions)."""
    if rows is None:
        var, es = _rolling_var_es(values.tolist(), window, k, m)
        return var, es, None
    return _rolling_tail_rows(values, window, k, m, rows)


def _rolling_var_es(
    values: list[float], window: int, k: float, m: int
) -> tuple[FloatArray, FloatArray]:
    """VaR and ES only: a sorted list of plain floats (equal values are interchangeable)."""
    n_rows = len(values)
    var = np.full(n_rows, np.nan)
    es = np.full(n_rows, np.nan)
    ordered = sorted(values[:window])
    fraction = k - m + 1
    low = m - 1  # the returns counted whole
    worst = 0.0
    for t in range(window - 1, n_rows):
        if t >= window:
            old = values[t - window]
            place = bisect.bisect_left(ordered, old)
            if place < low:
                worst += ordered[low] - old
            del ordered[place]
            new = values[t]
            place = bisect.bisect_left(ordered, new)
            if place < low:
                worst += new - ordered[low - 1]
            ordered.insert(place, new)
        if (t - window + 1) % window == 0:
            # Re-sum from scratch once per window: the updates above cannot drift further.
            worst = math.fsum(ordered[:low])
        edge = ordered[low]
        var[t] = -edge
        es[t] = -(worst + fraction * edge) / k
    return var, es


def _rolling_tail_rows(
    values: FloatArray, window: int, k: float, m: int, rows: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """As `_rolling_var_es`, also summing the rows of the tail's dates (N per update)."""
    n_rows = values.shape[0]
    var = np.full(n_rows, np.nan)
    es = np.full(n_rows, np.nan)
    tails = np.full(rows.shape, np.nan)
    # (value, date) pairs: ties are ordered by date, so each date has one place.
    ordered = sorted((float(values[t]), t) for t in range(window))
    fraction = k - m + 1
    low = m - 1
    worst = 0.0
    worst_rows = np.zeros(rows.shape[1])
    for t in range(window - 1, n_rows):
        if t >= window:
            old = (float(values[t - window]), t - window)
            place = bisect.bisect_left(ordered, old)
            if place < low:
                entering = ordered[low]
                worst += entering[0] - old[0]
                worst_rows += rows[entering[1]] - rows[old[1]]
            del ordered[place]
            new = (float(values[t]), t)
            place = bisect.bisect_left(ordered, new)
            if place < low:
                leaving = ordered[low - 1]
                worst += new[0] - leaving[0]
                worst_rows += rows[t] - rows[leaving[1]]
            ordered.insert(place, new)
        if (t - window + 1) % window == 0:
            worst = math.fsum(v for v, _ in ordered[:low])
            worst_rows = rows[[d for _, d in ordered[:low]]].sum(axis=0)
        edge_value, edge_date = ordered[low]
        var[t] = -edge_value
        es[t] = -(worst + fraction * edge_value) / k
        tails[t] = worst_rows + fraction * rows[edge_date]
    return var, es, tails


def _historical(
    returns: Any, weights: Any, window: int, alpha: float, nan_policy: str, which: int
) -> Any:
    alpha = check_alpha(alpha)
    table, checked, product = checked_portfolio_returns(returns, weights, nan_policy)
    window = check_window(window, product.shape[0])
    k, m = tail_size(window, alpha)
    result = np.empty_like(product)
    for column in range(product.shape[1]):
        result[:, column] = rolling_tail(product[:, column], window, k, m)[which]
    name = "value_at_risk" if which == 0 else "expected_shortfall"
    return per_date(result, table, checked, name)


def rolling_historical_var(
    returns: Any, weights: Any, window: int, *, alpha: float = 0.99, nan_policy: str = "raise"
) -> Any:
    """`historical_var` over each rolling window, in O(T·N + T·log window).

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    window : int
        Returns per window (≥ 2, at most T); `(1 − alpha)·window` of them form the tail.
    alpha : float, default=0.99
    nan_policy : {"raise", "drop"}, default="raise"

    Returns
    -------
    ndarray of shape (T,) or (T, K), or pandas Series / DataFrame
        NaN before the first full window.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import historical_var, rolling_historical_var
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(300, 2))
    >>> var = rolling_historical_var(returns, [0.6, 0.4], 250, alpha=0.95)
    >>> bool(var[-1] == historical_var(returns[-250:], [0.6, 0.4], alpha=0.95))
    True
    """
    return _historical(returns, weights, window, alpha, nan_policy, 0)


def rolling_historical_es(
    returns: Any, weights: Any, window: int, *, alpha: float = 0.99, nan_policy: str = "raise"
) -> Any:
    """`historical_es` over each rolling window, in O(T·N + T·log window).

    Parameters and result as `rolling_historical_var`.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import historical_es, rolling_historical_es
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(300, 2))
    >>> es = rolling_historical_es(returns, [0.6, 0.4], 250, alpha=0.95)
    >>> bool(np.isclose(es[-1], historical_es(returns[-250:], [0.6, 0.4], alpha=0.95)))
    True
    """
    return _historical(returns, weights, window, alpha, nan_policy, 1)


def rolling_cornish_fisher_var(
    returns: Any, weights: Any, window: int, *, alpha: float = 0.99, nan_policy: str = "raise"
) -> Any:
    """`cornish_fisher_var` over each rolling window, in O(T·N).

    Parameters and result as `rolling_historical_var`.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import cornish_fisher_var, rolling_cornish_fisher_var
    >>> returns = np.random.default_rng(0).standard_t(5, size=(300, 2)) * 0.01
    >>> var = rolling_cornish_fisher_var(returns, [0.6, 0.4], 250)
    >>> bool(np.isclose(var[-1], cornish_fisher_var(returns[-250:], [0.6, 0.4])))
    True
    """
    alpha = check_alpha(alpha)
    table, checked, product = checked_portfolio_returns(returns, weights, nan_policy)
    window = check_window(window, product.shape[0])
    mean, m2, m3, m4 = rolling_central_moments(product, window)
    count = np.full_like(mean, float(window))
    var = cornish_fisher_from_moments(count, mean, m2, m3, m4, alpha)
    return per_date(var, table, checked, "value_at_risk")


def rolling_es_contributions(
    returns: Any,
    weights: Any,
    window: int,
    *,
    alpha: float = 0.99,
    method: str = "historical",
    nan_policy: str = "raise",
) -> Any:
    """`es_contributions` over each rolling window: each row sums to the window's ES.

    `"historical"` costs O(T·N + T·log window); `"normal"` is
    `rolling_risk_contributions` scaled by `φ(z)/(1 − alpha)`, O(T·N).

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,), mapping or pandas Series
    window : int
    alpha : float, default=0.99
    method : {"historical", "normal"}, default="historical"
    nan_policy : {"raise", "drop"}, default="raise"

    Returns
    -------
    ndarray of shape (T, N) or pandas DataFrame
        NaN before the first full window.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import rolling_es_contributions, rolling_historical_es
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(300, 2))
    >>> parts = rolling_es_contributions(returns, [0.6, 0.4], 100, alpha=0.95)
    >>> es = rolling_historical_es(returns, [0.6, 0.4], 100, alpha=0.95)
    >>> bool(np.allclose(parts.sum(axis=1)[99:], es[99:]))
    True
    """
    alpha = check_alpha(alpha)
    check_es_method(method)
    if method == "normal":
        scale = normal_es_factor(alpha)
        return rolling_risk_contributions(returns, weights, window, nan_policy=nan_policy) * scale
    table, checked, product = all_assets(returns, weights, nan_policy)
    if not checked.single:
        raise InvalidParameterError("`weights` must be one portfolio (shape (N,))")
    window = check_window(window, product.shape[0])
    k, m = tail_size(window, alpha)
    _, _, tails = _rolling_tail_rows(product[:, 0], window, k, m, table.values)
    parts = -tails * checked.values[0] / k
    return frame(parts, table.index, table.columns) if table.labelled else parts
