"""Risk beyond σ: historical VaR and expected shortfall, Cornish–Fisher VaR, ES contributions.

All figures are losses as positive fractions of the portfolio's value, at the confidence
level `alpha` (0.99: the loss exceeded on 1 % of days), like `parametric_var`.

Historical convention, with `p = 1 − alpha`, n returns and `k = p·n`: the VaR is the
`⌈k⌉`-th worst loss, without interpolation (`-np.quantile(r_p, p,
method="inverted_cdf")`, as skfolio and Riskfolio), and the ES is the mean of the worst k
losses, the `⌈k⌉`-th counted for its fraction `k − ⌈k⌉ + 1` (Acerbi and Tasche's
expected shortfall of the sample; skfolio's `cvar`). A k within 1e-9 of an integer is
taken as that integer, so 1 % of 500 returns is exactly 5 of them.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np

from ._inputs import (
    FloatArray,
    Table,
    Weights,
    apply_nan_policy,
    as_table,
    as_weights,
    check_alpha,
    check_nan_policy,
    checked_portfolio_returns,
    portfolio_returns,
    refuse_weights_by_date,
    series,
)
from .covariance_matrix import covariance
from .exceptions import InsufficientDataError, InvalidParameterError
from .value_at_risk import normal_es_factor
from .volatility import portfolios

__all__ = ["cornish_fisher_var", "es_contributions", "historical_es", "historical_var"]


def tail_size(n_returns: int, alpha: float) -> tuple[float, int]:
    """`k = (1 − alpha)·n` (snapped to an integer within 1e-9) and `m = ⌈k⌉`, at least 1."""
    k = (1.0 - alpha) * n_returns
    if abs(k - round(k)) < 1e-9:
        k = float(round(k))
    if k < 1.0:
        # Fewer than one return in the tail: the worst loss is the best estimate of both.
        return 1.0, 1
    return k, math.ceil(k)


def _portfolio_returns(
    returns: Any, weights: Any, nan_policy: str
) -> tuple[Table, Weights, FloatArray]:
    table, checked, product = checked_portfolio_returns(returns, weights, nan_policy)
    if product.shape[0] < 2:
        raise InsufficientDataError("`returns` needs at least two rows for a tail estimate")
    return table, checked, product


def _per_portfolio(values: FloatArray, checked: Weights, table: Table, name: str) -> Any:
    if checked.single:
        return float(values[0])
    if table.labelled and checked.portfolios is not None:
        return series(values, checked.portfolios, name)
    return values


def _sorted_tail(product: FloatArray, alpha: float) -> tuple[FloatArray, float, int]:
    """Portfolio returns sorted up each column, with k and m."""
    k, m = tail_size(product.shape[0], alpha)
    return np.sort(product, axis=0), k, m


def historical_var(
    returns: Any, weights: Any, *, alpha: float = 0.99, nan_policy: str = "raise"
) -> Any:
    """Historical value at risk: the `⌈(1 − alpha)·T⌉`-th worst loss of the portfolio.

    Use it when returns are not normal; `parametric_var` assumes they are. The convention
    (no interpolation, as skfolio and Riskfolio) is in the module notes.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    alpha : float, default=0.99
        Confidence level in (0, 1).
    nan_policy : {"raise", "drop"}, default="raise"
        `"drop"` removes the rows where a held asset has no return.

    Returns
    -------
    float, or ndarray of shape (K,) / pandas Series
        A positive number is a loss.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import historical_var
    >>> returns = np.array([[-0.05], [0.01], [-0.02], [0.03]] * 25)  # 100 days
    >>> historical_var(returns, [1.0], alpha=0.95)
    0.05
    """
    alpha = check_alpha(alpha)
    table, checked, product = _portfolio_returns(returns, weights, nan_policy)
    ordered, _, m = _sorted_tail(product, alpha)
    return _per_portfolio(-ordered[m - 1], checked, table, "value_at_risk")


def historical_es(
    returns: Any, weights: Any, *, alpha: float = 0.99, nan_policy: str = "raise"
) -> Any:
    """Historical expected shortfall: the mean of the worst `(1 − alpha)·T` losses.

    The `⌈k⌉`-th worst loss counts for its fraction, so the ES is continuous in `alpha`
    and at least the historical VaR (module notes).

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    alpha : float, default=0.99
    nan_policy : {"raise", "drop"}, default="raise"

    Returns
    -------
    float, or ndarray of shape (K,) / pandas Series

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import historical_es
    >>> returns = np.array([[-0.05], [0.01], [-0.02], [0.03]] * 25)
    >>> round(historical_es(returns, [1.0], alpha=0.9), 6)  # 25 losses of 5 %, 10 in the tail
    0.05
    >>> round(historical_es(returns, [1.0], alpha=0.5), 6)  # 25 of 5 % and 25 of 2 %
    0.035
    """
    alpha = check_alpha(alpha)
    table, checked, product = _portfolio_returns(returns, weights, nan_policy)
    ordered, k, m = _sorted_tail(product, alpha)
    tail = ordered[: m - 1].sum(axis=0) + (k - m + 1) * ordered[m - 1]
    return _per_portfolio(-tail / k, checked, table, "expected_shortfall")


def cornish_fisher_z(z: float, skew: FloatArray, excess_kurtosis: FloatArray) -> FloatArray:
    """The Cornish–Fisher quantile of a standardised distribution with these moments."""
    adjusted: FloatArray = (
        z
        + (z * z - 1.0) * skew / 6.0
        + (z**3 - 3.0 * z) * excess_kurtosis / 24.0
        - (2.0 * z**3 - 5.0 * z) * skew * skew / 36.0
    )
    return adjusted


def cornish_fisher_from_moments(
    count: FloatArray,
    mean: FloatArray,
    m2: FloatArray,
    m3: FloatArray,
    m4: FloatArray,
    alpha: float,
) -> FloatArray:
    """The VaR from central sums `m2 = Σ(r − r̄)²`, `m3`, `m4` over `count` returns."""
    variance = m2 / count
    with np.errstate(invalid="ignore", divide="ignore"):
        skew = (m3 / count) / variance**1.5
        kurtosis = (m4 / count) / (variance * variance) - 3.0
    z = cornish_fisher_z(NormalDist().inv_cdf(1.0 - alpha), skew, kurtosis)
    var: FloatArray = -(mean + z * np.sqrt(variance))
    return var


def cornish_fisher_var(
    returns: Any, weights: Any, *, alpha: float = 0.99, nan_policy: str = "raise"
) -> Any:
    """Cornish–Fisher (modified) VaR: the normal VaR corrected for skew and fat tails.

    `VaR = −(μ + z_cf σ)` with `z = Φ⁻¹(1 − alpha)` and
    `z_cf = z + (z² − 1)S/6 + (z³ − 3z)K/24 − (2z³ − 5z)S²/36`, where μ, σ, the skewness
    S and the excess kurtosis K are the sample moments of the portfolio's returns with
    divisor T (PerformanceAnalytics' `VaR(method="modified")`; `scipy.stats.skew` and
    `kurtosis` with their default `bias=True`). It is meant for moderate skew and
    kurtosis; far from normal the expansion can even decrease in `alpha`.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    alpha : float, default=0.99
    nan_policy : {"raise", "drop"}, default="raise"

    Returns
    -------
    float, or ndarray of shape (K,) / pandas Series
        NaN for a portfolio whose returns are constant (no skew or kurtosis exists).

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import cornish_fisher_var, historical_var
    >>> returns = np.random.default_rng(0).standard_t(4, size=(2000, 1)) * 0.01
    >>> bool(cornish_fisher_var(returns, [1.0]) > 0.02)
    True
    """
    alpha = check_alpha(alpha)
    table, checked, product = _portfolio_returns(returns, weights, nan_policy)
    count = float(product.shape[0])
    mean = product.mean(axis=0)
    centred = product - mean
    squares = centred * centred
    m2 = squares.sum(axis=0)
    m3 = (squares * centred).sum(axis=0)
    m4 = (squares * squares).sum(axis=0)
    var = cornish_fisher_from_moments(np.full_like(mean, count), mean, m2, m3, m4, alpha)
    return _per_portfolio(var, checked, table, "value_at_risk")


def es_contributions(
    returns: Any,
    weights: Any,
    *,
    alpha: float = 0.99,
    method: str = "historical",
    nan_policy: str = "raise",
) -> Any:
    """Each asset's share of the expected shortfall (Euler allocation); they sum to the ES.

    `method="historical"`: the conditional-mean estimator, `cᵢ = −wᵢ · E[rᵢ | tail]`
    over the days of `historical_es` with the same fractional weight for the `⌈k⌉`-th
    worst, so the contributions add up to `historical_es` exactly. `method="normal"`:
    the exact Euler allocation of the Gaussian ES with the sample covariance Σ and zero
    mean, `cᵢ = wᵢ (Σw)ᵢ / σ_p · φ(z)/(1 − alpha)`, adding up to
    `parametric_es(weights, covariance(returns), alpha=alpha)`.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
    weights : array-like of shape (N,), mapping or pandas Series
        One portfolio.
    alpha : float, default=0.99
    method : {"historical", "normal"}, default="historical"
    nan_policy : {"raise", "drop"}, default="raise"

    Returns
    -------
    ndarray of shape (N,) or pandas Series
        Labelled by asset when `returns` is a DataFrame.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import es_contributions, historical_es
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(500, 3))
    >>> parts = es_contributions(returns, [0.5, 0.3, 0.2], alpha=0.95)
    >>> bool(np.isclose(parts.sum(), historical_es(returns, [0.5, 0.3, 0.2], alpha=0.95)))
    True
    """
    alpha = check_alpha(alpha)
    check_es_method(method)
    table, checked, product = all_assets(returns, weights, nan_policy)
    if not checked.single:
        raise InvalidParameterError("`weights` must be one portfolio (shape (N,))")
    if product.shape[0] < 2:
        raise InsufficientDataError("`returns` needs at least two rows for a tail estimate")
    w = checked.values[0]
    if method == "normal":
        cov = covariance(table.values)
        result = portfolios(w, cov)
        sigma = result.nonzero_volatilities()[0]
        scale = normal_es_factor(alpha)
        parts = w * (cov @ w) / sigma * scale
    else:
        k, m = tail_size(product.shape[0], alpha)
        order = np.argsort(product[:, 0], kind="stable")
        tail = table.values[order[: m - 1]].sum(axis=0) + (k - m + 1) * table.values[order[m - 1]]
        parts = -w * tail / k
    if table.labelled:
        return series(parts, table.columns, "es_contribution")
    return parts


def check_es_method(method: str) -> None:
    if method not in ("historical", "normal"):
        raise InvalidParameterError(
            f"`method` must be one of ('historical', 'normal'), got {method!r}"
        )


def all_assets(returns: Any, weights: Any, nan_policy: str) -> tuple[Table, Weights, FloatArray]:
    """Like `_portfolio_returns`, but keeping assets of weight 0 (they contribute 0)."""
    check_nan_policy(nan_policy, pairwise=False)
    refuse_weights_by_date(weights)
    table = as_table(returns, "returns")
    checked = as_weights(weights, table.columns, table.values.shape[1])
    held = (checked.values != 0).any(axis=0)
    # A weight-0 asset's NaN must not drop rows or raise: it is set to 0 (it adds 0).
    values = np.where(held | np.isfinite(table.values), table.values, 0.0)
    table = apply_nan_policy(
        Table(values, table.index, table.columns, table.labelled), nan_policy, "returns"
    )
    return table, checked, portfolio_returns(table.values, checked.values)
