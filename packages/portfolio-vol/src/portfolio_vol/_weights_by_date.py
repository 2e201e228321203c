"""Weights that change over time: a frame of weights indexed by date, held or drifting.

Row d of the frame is the portfolio from date d on (after rebalancing at d's close). Until
the next row the weights are either held fixed, or drift with the returns as a
buy-and-hold portfolio does: `w_t = w_{t−1} ∘ (1 + r_t) / (1 + w_{t−1} · r_t)`, the rest
`1 − Σ w` being cash that earns nothing.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ._inputs import FloatArray, Table, align_by_label, check_increasing
from .exceptions import MissingDataError, ShapeMismatchError

__all__: list[str] = []


def weights_at_every_date(weights: Any, table: Table, *, drift: bool) -> FloatArray:
    """(T, N) weights in force at each date of `table`; NaN rows before the first one."""
    if not table.labelled or table.index is None or table.columns is None:
        raise ShapeMismatchError(
            "weights indexed by date need returns indexed by date (a pandas DataFrame)"
        )
    check_increasing(weights.index, "weights")
    assets = list(weights.columns)
    order = align_by_label(
        dict(zip(assets, range(len(assets)), strict=True)), table.columns, "weights"
    )
    values = np.asarray(weights.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)
    values = values[:, order.astype(int)]
    if not np.isfinite(values).all():
        raise MissingDataError("`weights` must be finite (no NaN or inf)")
    rows = table.index.get_indexer(weights.index)
    if (rows < 0).any():
        unknown = weights.index[np.flatnonzero(rows < 0)[0]]
        raise ShapeMismatchError(
            f"`weights` are dated {unknown}, which is not a date of `returns`; weights "
            "must be dated on the return dates"
        )
    n_rows = table.values.shape[0]
    result = np.full((n_rows, values.shape[1]), np.nan)
    bounds = [*rows.tolist(), n_rows]
    for k, (start, stop) in enumerate(itertools.pairwise(bounds)):
        result[start:stop] = values[k]
        if drift and stop - start > 1:
            result[start + 1 : stop] = _drifted(values[k], table.values[start + 1 : stop])
    return result


def _drifted(initial: FloatArray, returns: FloatArray) -> FloatArray:
    """Buy-and-hold weights after each row of `returns`, starting from `initial`."""
    holdings = initial * np.cumprod(1.0 + returns, axis=0)
    value = (1.0 - initial.sum()) + holdings.sum(axis=1, keepdims=True)
    drifted: FloatArray = holdings / value
    return drifted
