"""Oracle Approximating Shrinkage `Σ = (1 − ρ) S + ρ μ I`, `μ = tr(S)/N` (scikit-learn)."""

from __future__ import annotations

from typing import Any

from ._sklearn import sklearn_covariance
from .base import CovarianceEstimator, check_returns

__all__ = ["OASCovariance"]


class OASCovariance(CovarianceEstimator):
    """OAS shrunk covariance; `method="oas"` (needs the `sklearn` extra).

    Like `LedoitWolfCovariance`, with an intensity that is closer to optimal when the
    returns are close to Gaussian.

    Attributes
    ----------
    covariance_ : ndarray of shape (N, N)
    shrinkage_ : float
        The intensity ρ in [0, 1].

    References
    ----------
    Y. Chen, A. Wiesel, Y. C. Eldar and A. O. Hero, "Shrinkage algorithms for MMSE covariance
    estimation", IEEE Transactions on Signal Processing 58(10), 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import OASCovariance
    >>> returns = np.random.default_rng(0).normal(size=(60, 40))
    >>> 0 < OASCovariance().fit(returns).shrinkage_ < 1
    True
    """

    name = "oas"

    def fit(self, returns: Any) -> OASCovariance:
        """Estimate the covariance of `returns` (array-like of shape (T, N))."""
        values = check_returns(returns, min_rows=2)
        covariance, shrinkage = sklearn_covariance(self.name).oas(values)
        self.covariance_ = covariance
        self.shrinkage_ = float(shrinkage)
        return self
