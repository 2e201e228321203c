"""RiskMetrics EWMA covariance (zero mean): `Σ_t = λ Σ_{t−1} + (1 − λ) r_t r_tᵀ`.

The recursion starts at `Σ_0 = r_0 r_0ᵀ`.

Unrolled, the final estimate is one weighted product `Rᵀ diag(a) R` with
`a_0 = λ^(T−1)` and `a_s = (1 − λ) λ^(T−1−s)`, so it costs a single BLAS call.
Rows whose weight is below `NEGLIGIBLE_WEIGHT` are left out of that product.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._ewma_recursions import pairwise_ewma
from .._inputs import FloatArray, lam_from
from ..exceptions import InsufficientDataError
from .base import CovarianceEstimator, check_returns
from .sample import nearest_psd

__all__ = ["EWMACovariance"]

# Rows this light change the estimate by 1e-24 of their own r rᵀ: below 1e-12 of the
# estimate unless they were 10^6 times larger than recent returns (a +10^6 % day against
# 1 % days). With λ = 0.94 only the last ~890 rows count, whatever T is.
NEGLIGIBLE_WEIGHT = 1e-24


def _ewma_weights(n_rows: int, lam: float) -> FloatArray:
    """The weight of each row in the final EWMA estimate (they sum to one)."""
    weights = (1.0 - lam) * lam ** np.arange(n_rows - 1, -1, -1, dtype=np.float64)
    weights[0] = lam ** (n_rows - 1)
    return weights


def _ewma_covariance(returns: FloatArray, *, lam: float) -> FloatArray:
    weights = _ewma_weights(returns.shape[0], lam)
    first = int(np.searchsorted(weights[1:], NEGLIGIBLE_WEIGHT))  # weights[1:] increase
    scaled = returns[first:] * np.sqrt(weights[first:])[:, np.newaxis]
    product: FloatArray = scaled.T @ scaled
    return product


class EWMACovariance(CovarianceEstimator):
    """RiskMetrics exponentially weighted covariance at the last date; `method="ewma"`.

    Use it for a covariance that reacts to recent volatility; the sample covariance weighs
    every day equally.

    Parameters
    ----------
    lam : float, default=0.94
        Decay λ in (0, 1); RiskMetrics uses 0.94 for daily and 0.97 for monthly data.
    halflife : float or None, default=None
        When given, sets `lam = 0.5 ** (1 / halflife)` (λ = 0.94 is a half-life of
        about 11.2 periods).
    pairwise : bool, default=False
        Allow NaN (late listings, delistings, holidays): each pair is updated only on the
        dates both assets have returns and frozen on the others, as skfolio's
        `EWCovariance` does; a pair starts at its first common outer product. The result
        is made positive semi-definite by clipping negative eigenvalues, with a
        `CovarianceRepairWarning`, when it is not.

    Attributes
    ----------
    covariance_ : ndarray of shape (N, N)
    lam_ : float
        The decay used.

    Notes
    -----
    Zero mean, as RiskMetrics: returns are not demeaned. The recursion starts from the first
    outer product, so the weights sum to one (pandas `ewm(alpha=1 - lam, adjust=False)`).
    skfolio's `EWCovariance` starts from zero and divides by `1 − λ^n` instead (pandas
    `adjust=True`); the two differ by a term of order `λ^n` after n returns (below 1e-13
    after 500 daily returns at λ = 0.94).

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import EWMACovariance
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(500, 2))
    >>> EWMACovariance(lam=0.94).fit(returns).covariance_.shape
    (2, 2)
    """

    name = "ewma"

    def __init__(
        self, *, lam: float = 0.94, halflife: float | None = None, pairwise: bool = False
    ) -> None:
        self.lam = lam
        self.halflife = halflife
        self.pairwise = pairwise
        self.lam_ = lam_from(lam, halflife)

    def fit(self, returns: Any) -> EWMACovariance:
        """Estimate the covariance of `returns` (array-like of shape (T, N))."""
        values = check_returns(returns, min_rows=1, allow_nan=self.pairwise)
        if self.pairwise and np.isnan(values).any():
            covariance, started, _ = pairwise_ewma(values, self.lam_)
            if not started.all():
                i, j = np.argwhere(~started)[0]
                raise InsufficientDataError(
                    f"assets {i} and {j} have no date with returns for both, so their "
                    "EWMA covariance is undefined"
                )
            self.covariance_ = nearest_psd(covariance, stacklevel=5)
        else:
            self.covariance_ = _ewma_covariance(values, lam=self.lam_)
        return self
