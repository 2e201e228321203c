"""The covariance-estimator interface: `fit(returns)` sets `covariance_` (N, N)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, TypeVar

import numpy as np

from .._inputs import FloatArray, as_table
from ..exceptions import InsufficientDataError, MissingDataError, ShapeMismatchError

__all__ = ["CovarianceEstimator"]

_Estimator = TypeVar("_Estimator", bound="CovarianceEstimator")


class CovarianceEstimator(ABC):
    """Estimate an (N, N) covariance from (T, N) returns, scikit-learn style.

    Subclasses set the class attribute `name` (the `method=` string of
    `portfolio_vol.covariance`) and implement `fit`, which stores the estimate
    in `covariance_` and returns `self`. Estimators work in the units of their input:
    daily returns give a daily covariance.
    """

    name: ClassVar[str]
    covariance_: FloatArray

    @abstractmethod
    def fit(self: _Estimator, returns: Any) -> _Estimator:
        """Estimate the covariance of `returns` (array-like of shape (T, N))."""


def check_returns(returns: Any, *, min_rows: int, allow_nan: bool = False) -> FloatArray:
    """`returns` as a (T, N) float array with at least `min_rows` rows, finite unless
    `allow_nan` (NaN then allowed, inf never)."""
    values = as_table(returns, "returns").values
    if values.shape[1] == 0:
        raise ShapeMismatchError(f"`returns` must be 2-D of shape (T, N), got {values.shape}")
    bad = np.isinf(values) if allow_nan else ~np.isfinite(values)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise MissingDataError(
            f"`returns` contains {values[row, column]} at row {row}, column {column}",
            row=int(row),
            column=int(column),
        )
    if values.shape[0] < min_rows:
        raise InsufficientDataError(
            f"`returns` has {values.shape[0]} rows; this estimate needs at least {min_rows}"
        )
    return values
