"""Covariance of asset returns `Σ` (N × N), by a named estimator from the registry."""

from __future__ import annotations

from typing import Any

from ._inputs import apply_nan_policy, as_table, check_nan_policy, frame
from .estimators import ESTIMATORS, CovarianceEstimator, EWMACovariance, SampleCovariance
from .exceptions import InvalidParameterError

__all__ = ["covariance"]


def _estimator(
    method: str, *, ddof: int, lam: float, halflife: float | None, pairwise: bool
) -> CovarianceEstimator:
    if method not in ESTIMATORS:
        raise InvalidParameterError(
            f"`method` must be one of {sorted(ESTIMATORS)}, got {method!r}"
        )
    if pairwise and method not in ("sample", "ewma"):
        raise InvalidParameterError(
            f"nan_policy='pairwise' is only supported with method='sample' or 'ewma', "
            f"not {method!r}"
        )
    if halflife is not None and method != "ewma":
        raise InvalidParameterError(f"`halflife` only applies to method='ewma', not {method!r}")
    if method == "sample":
        return SampleCovariance(ddof=ddof, pairwise=pairwise)
    if method == "ewma":
        return EWMACovariance(lam=lam, halflife=halflife, pairwise=pairwise)
    return ESTIMATORS[method]()


def covariance(
    returns: Any,
    *,
    method: str = "sample",
    ddof: int = 1,
    lam: float = 0.94,
    halflife: float | None = None,
    nan_policy: str = "raise",
) -> Any:
    """Covariance matrix of asset returns, in the units of the returns.

    Parameters
    ----------
    returns : array-like of shape (T, N) or pandas DataFrame
        One column per asset, one row per period.
    method : {"sample", "ewma", "ledoit_wolf", "oas"}, default="sample"
        The estimator (see `ESTIMATORS`): unbiased sample covariance, RiskMetrics
        zero-mean EWMA, or scikit-learn's Ledoit–Wolf or OAS shrinkage (these two need the
        `sklearn` extra).
    ddof : int, default=1
        Divisor `T - ddof` of the sample covariance (`method="sample"` only).
    lam : float, default=0.94
        EWMA decay λ in (0, 1) (`method="ewma"` only).
    halflife : float or None, default=None
        EWMA half-life in periods; overrides `lam` (`method="ewma"` only).
    nan_policy : {"raise", "drop", "pairwise"}, default="raise"
        `"raise"`: NaN is an error. `"drop"`: rows with any NaN are removed.
        `"pairwise"` (sample and ewma): each entry from the rows where both assets are
        present (pandas `DataFrame.cov` for sample; for ewma each pair is updated on the
        dates both have returns, as skfolio's `EWCovariance`), then made positive
        semi-definite with a `CovarianceRepairWarning` if needed.

    Returns
    -------
    ndarray of shape (N, N) or pandas DataFrame
        A DataFrame labelled by the asset names when `returns` is one.

    Raises
    ------
    MissingDataError
        NaN under `nan_policy="raise"`, or inf.
    InsufficientDataError
        Too few rows for the estimate.
    InvalidParameterError
        Unknown `method` or `nan_policy`, `lam` outside (0, 1), `halflife` given to a
        method other than `"ewma"`. `ddof` and `lam` are ignored by the methods that do
        not use them.
    MissingExtraError
        `"ledoit_wolf"` or `"oas"` without scikit-learn installed.

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import covariance
    >>> returns = np.random.default_rng(0).normal(scale=0.01, size=(250, 3))
    >>> bool(np.allclose(covariance(returns), np.cov(returns, rowvar=False)))
    True
    """
    check_nan_policy(nan_policy, pairwise=True)
    estimator = _estimator(
        method, ddof=ddof, lam=lam, halflife=halflife, pairwise=nan_policy == "pairwise"
    )
    table = apply_nan_policy(as_table(returns, "returns"), nan_policy, "returns")
    result = estimator.fit(table.values).covariance_
    if table.labelled:
        return frame(result, table.columns, table.columns)
    return result
