"""Returns from prices: simple `r_t = p_t / p_{t-1} - 1` or log `r_t = ln(p_t / p_{t-1})`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._inputs import FloatArray, as_table, check_nan_policy, frame, series
from .exceptions import InsufficientDataError, MissingDataError, NonPositivePriceError

__all__ = ["returns_from_prices"]


def _returns(prices: FloatArray, *, log: bool) -> FloatArray:
    ratio = prices[1:] / prices[:-1]
    return np.log(ratio) if log else ratio - 1.0


def returns_from_prices(prices: Any, *, log: bool = False, nan_policy: str = "raise") -> Any:
    """Per-period returns of each asset from its price history.

    Parameters
    ----------
    prices : array-like of shape (T + 1, N) or (T + 1,), or pandas DataFrame / Series
        Prices in time order, one column per asset. Every price must be > 0.
    log : bool, default=False
        Log returns `ln(p_t / p_{t-1})` instead of simple returns `p_t / p_{t-1} - 1`.
    nan_policy : {"raise", "drop", "keep"}, default="raise"
        `"raise"`: a missing price is an error. `"drop"`: rows with any missing price are
        removed first, so the return after a gap spans the gap. `"keep"`: every row is
        kept and a return is NaN where either of its prices is missing (pandas
        `pct_change(fill_method=None)`), for the pairwise estimators of late listers:
        `covariance(..., nan_policy="pairwise")`.

    Returns
    -------
    ndarray of shape (T, N) or (T,), or pandas DataFrame / Series
        Same kind as `prices`; pandas output keeps the columns and the index of each
        period's end (the first row has no return and is dropped).

    Raises
    ------
    NonPositivePriceError
        A price is zero or negative; the message names its row and column.
    MissingDataError
        A price is NaN (under `nan_policy="raise"`) or inf.
    InsufficientDataError
        Fewer than two complete rows of prices.
    UnsortedIndexError
        The dates of a pandas index are not strictly increasing (newest first, or a date
        twice); the message names the first offending pair.
    ShapeMismatchError
        A DataFrame with dates as its columns (transposed).

    Examples
    --------
    >>> import numpy as np
    >>> from portfolio_vol import returns_from_prices
    >>> returns_from_prices(np.array([[100.0, 50.0], [110.0, 45.0], [99.0, 45.0]]))
    array([[ 0.1, -0.1],
           [-0.1,  0. ]])
    """
    check_nan_policy(nan_policy, pairwise=False, keep=True)
    table = as_table(prices, "prices", allow_1d=True)
    values = table.values
    missing = np.isnan(values)
    if np.isinf(values).any() or (nan_policy == "raise" and missing.any()):
        row, column = np.argwhere(~np.isfinite(values))[0]
        row_name, column_name = table.row_name(int(row)), table.column_name(int(column))
        raise MissingDataError(
            f"`prices` contains {values[row, column]} at row {row_name!r}, column {column_name!r}",
            row=row_name,
            column=column_name,
        )
    if missing.any() and nan_policy == "drop":
        table = table.take_rows(~missing.any(axis=1))
        values = table.values
    if values.shape[0] < 2:
        raise InsufficientDataError("`prices` needs at least two complete rows to form a return")
    bad = values <= 0  # NaN compares False: kept gaps are not flagged
    if bad.any():
        row, column = np.argwhere(bad)[0]
        row_name, column_name = table.row_name(int(row)), table.column_name(int(column))
        raise NonPositivePriceError(
            f"`prices` must be > 0, got {values[row, column]} at row {row_name!r}, "
            f"column {column_name!r}",
            row=row_name,
            column=column_name,
        )
    result = _returns(values, log=log)
    if table.one_dimensional:
        result_1d = result[:, 0]
        if table.labelled:
            return series(result_1d, table.index[1:], table.columns[0] if table.columns else None)
        return result_1d
    if table.labelled:
        return frame(result, table.index[1:], table.columns)
    return result
