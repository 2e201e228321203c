"""Ledoit–Wolf shrinkage `Σ = (1 − δ) S + δ μ I` with `μ = tr(S)/N`, via scikit-learn."""

from __future__ import annotations

from typing import Any

from ._sklearn import sklearn_covariance
from .base import CovarianceEstimator, check_returns

__all__ = ["LedoitWolfCovariance"]


class LedoitWolfCovariance(CovarianceEstimator):
    """Ledoit–Wolf shrunk covariance; `method="ledoit_wolf"` (needs the `sklearn` extra).

    Use it when N is not small against T: the sample covariance is then noisy and often
    nearly singular, the shrunk one is well conditioned.

    Attributes
    ----------
    covariance_ : ndarray of shape (N, N)
    shrinkage_ : float
        The intensity δ in [0, 1].

    Notes
    -----
    The base estimate S is the maximum-likelihood covariance (divisor T), as in
    `sklearn.covariance.ledoit_wolf`, which does the work.

    References
    ----------
    O. Ledoit and M. Wolf, "A well-conditioned estimator for large-dimensional covariance
    matrices", Journal of Multivariate Analysis 88(2), 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import LedoitWolfCovariance
    >>> returns = np.random.default_rng(0).normal(size=(60, 40))
    >>> 0 < LedoitWolfCovariance().fit(returns).shrinkage_ < 1
    True
    """

    name = "ledoit_wolf"

    def fit(self, returns: Any) -> LedoitWolfCovariance:
        """Estimate the covariance of `returns` (array-like of shape (T, N))."""
        values = check_returns(returns, min_rows=2)
        covariance, shrinkage = sklearn_covariance(self.name).ledoit_wolf(values)
        self.covariance_ = covariance
        self.shrinkage_ = float(shrinkage)
        return self
