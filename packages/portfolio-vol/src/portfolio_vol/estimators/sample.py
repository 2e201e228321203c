"""Sample covariance `Σ = (R − r̄)ᵀ(R − r̄) / (T − ddof)`, or from pairwise-complete rows."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._inputs import COVARIANCE_RTOL, FloatArray, positive_int
from ..exceptions import CovarianceRepairWarning, InsufficientDataError
from .base import CovarianceEstimator, check_returns

__all__ = ["SampleCovariance", "nearest_psd"]


def _sample_covariance(returns: FloatArray, *, ddof: int) -> FloatArray:
    centred = returns - returns.mean(axis=0)
    product: FloatArray = centred.T @ centred / (returns.shape[0] - ddof)
    return product


def _pairwise_covariance(returns: FloatArray, *, ddof: int) -> FloatArray:
    present = ~np.isnan(returns)
    mask = present.astype(np.float64)
    counts = mask.T @ mask
    short = np.argwhere(counts - ddof < 1)
    if short.size:
        i, j = short[0]
        raise InsufficientDataError(
            f"assets {i} and {j} share {int(counts[i, j])} complete rows; "
            f"ddof={ddof} needs at least {ddof + 1}"
        )
    # Centring on each column's own mean first keeps the one-pass formula below accurate.
    centred = np.where(present, returns - np.nanmean(returns, axis=0), 0.0)
    sums = centred.T @ mask
    covariance: FloatArray = (centred.T @ centred - sums * sums.T / counts) / (counts - ddof)
    result: FloatArray = nearest_psd(covariance)
    return result


def nearest_psd(matrix: FloatArray, *, stacklevel: int = 4) -> FloatArray:
    """Clip negative eigenvalues to zero (with a warning) when beyond round-off."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    tolerance = COVARIANCE_RTOL * float(np.max(np.abs(np.diag(matrix))))
    if eigenvalues[0] >= -tolerance:
        return matrix
    warnings.warn(
        "the pairwise covariance is not positive semi-definite (smallest eigenvalue "
        f"{eigenvalues[0]:.3g}); negative eigenvalues were clipped to zero",
        CovarianceRepairWarning,
        stacklevel=stacklevel,
    )
    repaired = (eigenvectors * np.maximum(eigenvalues, 0.0)) @ eigenvectors.T
    symmetric: FloatArray = (repaired + repaired.T) / 2
    return symmetric


class SampleCovariance(CovarianceEstimator):
    """The unbiased (`ddof=1`) sample covariance; `method="sample"`.

    Parameters
    ----------
    ddof : int, default=1
        Delta degrees of freedom: the divisor is `T - ddof` (`np.cov`'s convention).
    pairwise : bool, default=False
        Allow NaN: each entry uses the rows where both assets are present (pandas
        `DataFrame.cov`), and the result is made positive semi-definite by clipping
        negative eigenvalues, with a `portfolio_vol.CovarianceRepairWarning`.

    Attributes
    ----------
    covariance_ : ndarray of shape (N, N)

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import SampleCovariance
    >>> returns = np.random.default_rng(0).normal(size=(250, 3))
    >>> bool(np.allclose(SampleCovariance().fit(returns).covariance_, np.cov(returns.T)))
    True
    """

    name = "sample"

    def __init__(self, *, ddof: int = 1, pairwise: bool = False) -> None:
        self.ddof = positive_int(ddof, "ddof", minimum=0)
        self.pairwise = pairwise

    def fit(self, returns: Any) -> SampleCovariance:
        """Estimate the covariance of `returns` (array-like of shape (T, N))."""
        values = check_returns(returns, min_rows=self.ddof + 1, allow_nan=self.pairwise)
        if self.pairwise and np.isnan(values).any():
            self.covariance_ = _pairwise_covariance(values, ddof=self.ddof)
        else:
            self.covariance_ = _sample_covariance(values, ddof=self.ddof)
        return self
