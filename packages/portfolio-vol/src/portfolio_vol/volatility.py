"""Portfolio volatility `σ_p = √(wᵀ Σ w)`, the naive `Σ wᵢ σᵢ` and their ratio.

For long-only weights `σ_p ≤ Σ wᵢ σᵢ`, with equality only when every correlation is +1;
the ratio `Σ wᵢ σᵢ / σ_p ≥ 1` is the diversification ratio.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._inputs import (
    FloatArray,
    Weights,
    as_covariance,
    as_table,
    as_weights,
    frame,
    is_pandas,
    series,
)
from .exceptions import InvalidParameterError, ShapeMismatchError, ZeroVarianceError

__all__ = ["annualize", "diversification_ratio", "naive_volatility", "portfolio_volatility"]

# A variance below this fraction of (Σ|wᵢ|σᵢ)² is round-off: the portfolio is riskless.
ZERO_VARIANCE_RTOL = 1e-14
# Row blocks of Lᵀ in _quadratic_forms: 4 skips 3/8 of the flops. numpy has no
# triangular product (BLAS trmm), so each block is a dense product; 3 to 6 blocks cost
# the same within noise, fewer skip less, more make products too small to run fast.
FACTOR_BLOCKS = 4


def _quadratic_forms(weights: FloatArray, factor: FloatArray) -> FloatArray:
    """`‖Lᵀ w‖²` for each row w, skipping the zero lower triangle of Lᵀ block by block.

    Row block [s, e) of `Lᵀ Wᵀ` needs only columns s.. of Lᵀ; the blocks are written into
    one (N, K) array, whose column sums of squares are the K variances (one pass, where
    a pass per block would read the weights' worth of products again).
    """
    n = factor.shape[0]
    edges = np.linspace(0, n, min(FACTOR_BLOCKS, n) + 1).astype(int)
    products = np.empty((n, weights.shape[0]))
    for start, stop in itertools.pairwise(edges):
        np.matmul(factor[start:, start:stop].T, weights[:, start:].T, out=products[start:stop])
    total: FloatArray = np.einsum("nk,nk->k", products, products)
    return total


@dataclass(frozen=True)
class Portfolios:
    """K weight vectors and one covariance, checked and aligned."""

    weights: Weights
    cov: FloatArray
    factor: FloatArray | None
    assets: Any
    labelled: bool

    def variances(self) -> FloatArray:
        w = self.weights.values
        if self.factor is not None:
            return _quadratic_forms(w, self.factor)
        # (W Σ) ∘ W summed over assets: one BLAS product for all K (a 3-operand einsum
        # without optimize= would contract naively and be slower than a Python loop).
        variances: FloatArray = ((w @ self.cov) * w).sum(axis=1)
        return np.maximum(variances, 0.0)

    def gross(self) -> FloatArray:
        """Σ |wᵢ| σᵢ per portfolio, the scale for round-off decisions."""
        result: FloatArray = np.abs(self.weights.values) @ np.sqrt(np.diag(self.cov))
        return result

    def nonzero_volatilities(self) -> FloatArray:
        variances = self.variances()
        zero = variances <= ZERO_VARIANCE_RTOL * self.gross() ** 2
        if zero.any():
            which = int(np.argmax(zero))
            name = "the portfolio" if self.weights.single else f"portfolio {self.label(which)!r}"
            raise ZeroVarianceError(
                f"{name} has zero variance, so a ratio to its volatility is undefined"
            )
        return np.sqrt(variances)

    def label(self, k: int) -> object:
        portfolios = self.weights.portfolios
        return k if portfolios is None else portfolios[k]

    def per_portfolio(self, values: FloatArray, name: str | None = None) -> Any:
        """A float for one portfolio, else (K,) (a Series when the input was pandas)."""
        if self.weights.single:
            return float(values[0])
        if self.labelled:
            return series(values, self.weights.portfolios, name)
        return values

    def per_asset(self, values: FloatArray) -> Any:
        """(N,) for one portfolio, else (K, N); labelled when the input was pandas."""
        if self.weights.single:
            return series(values[0], self.assets) if self.labelled else values[0]
        return frame(values, self.weights.portfolios, self.assets) if self.labelled else values


def portfolios(weights: Any, cov: Any) -> Portfolios:
    checked_cov = as_covariance(cov)
    table = checked_cov.table
    checked = as_weights(weights, table.columns, table.values.shape[0])
    return Portfolios(checked, table.values, checked_cov.factor, table.columns, table.labelled)


def portfolio_volatility(weights: Any, cov: Any) -> Any:
    """Volatility of one or many portfolios, `σ_p = √(wᵀ Σ w)`.

    This is the formula the seed post meant: it needs the covariance Σ. With the
    correlation matrix instead (`wᵀ C w`) the result is only right when every asset has
    unit variance; see `naive_volatility` for the other common mistake.

    Parameters
    ----------
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
        One portfolio, or K portfolios evaluated at once. Labelled weights are aligned
        to the labels of `cov`.
    cov : array-like of shape (N, N) or pandas DataFrame
        Covariance of the asset returns; must be symmetric and positive semi-definite.

    Returns
    -------
    float, or ndarray of shape (K,) / pandas Series
        In the units of `cov` (daily covariance → daily volatility).

    Raises
    ------
    ShapeMismatchError
        `weights` do not match the assets of `cov`.
    InvalidCovarianceError
        `cov` is not square, finite, symmetric or positive semi-definite.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import portfolio_volatility
    >>> cov = np.array([[0.04, 0.006], [0.006, 0.01]])
    >>> round(portfolio_volatility([0.5, 0.5], cov), 6)
    0.124499
    >>> portfolio_volatility([[1.0, 0.0], [0.0, 1.0]], cov)
    array([0.2, 0.1])
    """
    checked = portfolios(weights, cov)
    return checked.per_portfolio(np.sqrt(checked.variances()), "volatility")


def naive_volatility(weights: Any, vols: Any) -> Any:
    """The weighted average of single-asset volatilities, `Σ wᵢ σᵢ`, for comparison.

    It ignores correlation, so for long-only weights it overstates the portfolio's
    volatility (it is an upper bound, reached only when every correlation is +1). Use
    `portfolio_volatility` for the real figure.

    Parameters
    ----------
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    vols : array-like of shape (N,) or pandas Series
        Volatility of each asset (≥ 0), e.g. `np.sqrt(np.diag(cov))`.

    Returns
    -------
    float, or ndarray of shape (K,) / pandas Series

    Examples
    --------
    >>> from portfolio_vol import naive_volatility
    >>> round(naive_volatility([0.5, 0.5], [0.2, 0.1]), 6)
    0.15
    """
    table = as_table(vols, "vols", allow_1d=True, dated=False)
    if not table.one_dimensional:
        raise ShapeMismatchError(f"`vols` must be 1-D of shape (N,), got {table.values.shape}")
    values = table.values[:, 0]
    if not np.isfinite(values).all() or (values < 0).any():
        raise InvalidParameterError("`vols` must be finite and >= 0")
    assets = list(table.index) if table.labelled else None
    checked = as_weights(weights, assets, values.shape[0])
    result: FloatArray = checked.values @ values
    if checked.single:
        return float(result[0])
    if checked.portfolios is not None:
        return series(result, checked.portfolios, "naive_volatility")
    return result


def diversification_ratio(weights: Any, cov: Any) -> Any:
    """Naive over true volatility, `Σ wᵢ σᵢ / σ_p` (≥ 1 for long-only weights).

    Parameters
    ----------
    weights : array-like of shape (N,) or (K, N), mapping, pandas Series or DataFrame
    cov : array-like of shape (N, N) or pandas DataFrame

    Returns
    -------
    float, or ndarray of shape (K,) / pandas Series

    Raises
    ------
    ZeroVarianceError
        A portfolio has zero volatility (to round-off).

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import diversification_ratio
    >>> round(diversification_ratio([0.5, 0.5], np.diag([0.04, 0.04])), 6)
    1.414214
    """
    checked = portfolios(weights, cov)
    volatilities = checked.nonzero_volatilities()
    naive = checked.weights.values @ np.sqrt(np.diag(checked.cov))
    return checked.per_portfolio(naive / volatilities, "diversification_ratio")


def annualize(vol: Any, periods_per_year: float = 252) -> Any:
    """Scale a per-period volatility to a year by the square root of time.

    `σ_year = σ_period · √periods_per_year`; exact for independent returns, the usual
    convention otherwise.

    Parameters
    ----------
    vol : float, array-like or pandas object
        Volatility per period (daily by default).
    periods_per_year : float, default=252
        252 trading days, 52 weeks or 12 months.

    Returns
    -------
    float, ndarray or pandas object
        The same kind as `vol`.

    Examples
    --------
    >>> from portfolio_vol import annualize
    >>> round(annualize(0.01), 6)
    0.158745
    """
    if isinstance(periods_per_year, bool) or not 0 < periods_per_year < math.inf:
        raise InvalidParameterError(
            f"`periods_per_year` must be finite and > 0, got {periods_per_year!r}"
        )
    factor = math.sqrt(periods_per_year)
    if isinstance(vol, (int, float)) and not isinstance(vol, bool):
        return float(vol) * factor
    if is_pandas(vol):
        return vol * factor
    return np.asarray(vol, dtype=np.float64) * factor
