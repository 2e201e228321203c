"""The EWMA recursions: the plain one unrolled into cumulative sums, and the NaN-aware one.

`ewma_filter` computes `s_t = λ s_{t−1} + (1 − λ) z_t` down a column with `s_0 = z_0`,
unrolled into scaled cumulative sums a block at a time so that `λ^(−k)` never overflows.

In the NaN-aware recursion each pair of assets is updated on the dates both have returns.

For a pair (i, j), `A_ij` starts at `r_i r_j` on their first common date and then follows
`A_ij ← λ A_ij + (1 − λ) r_i r_j` on every later common date; on other dates it is frozen
(skfolio's `EWCovariance` freezes the same way). Without NaN this is exactly the plain
recursion of `EWMACovariance`.

Rows are processed in runs that share one pattern of present assets V. Over a run of L
rows the block `A[V, V]` becomes `λ^L B + Σ_k (1 − λ) λ^(L−1−k) r_k r_kᵀ` (one weighted
Gram product), where B is the previous block, or the run's first outer product for pairs
that start in this run. A portfolio's `wᵀ A_t w` inside a run is the frozen rest of the
matrix plus `λ^j wᵀBw` plus a scalar EWMA of `(w_V · r_V)²`, so the volatility costs
O(T·N) plus O(N²) per run.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt

from ._inputs import BoolArray, FloatArray

__all__: list[str] = []


def run_bounds(present: BoolArray) -> list[tuple[int, int]]:
    """(start, stop) of each run of consecutive rows with the same present assets."""
    n_rows = present.shape[0]
    changes = np.flatnonzero((present[1:] != present[:-1]).any(axis=1)) + 1
    edges = [0, *changes.tolist(), n_rows]
    return list(itertools.pairwise(edges))


def pairwise_ewma(
    values: FloatArray, lam: float, weights: FloatArray | None = None
) -> tuple[FloatArray, BoolArray, tuple[FloatArray, FloatArray] | None]:
    """Run the pairwise recursion over (T, N) `values` (NaN = no return that date).

    Returns
    -------
    cov : ndarray of shape (N, N)
        The final estimate; NaN for pairs that never share a date.
    started : ndarray of shape (N, N), bool
        Pairs that share at least one date.
    variances, scales : ndarrays of shape (T, K), or None without `weights`
        `wᵀ A_t w` for each row of `weights` (K, N) at every date (NaN while a pair both
        of whose weights are non-zero has no common date yet), and `|w|ᵀ |A_t| |w|`, the
        size of its terms: A_t need not be PSD, and only a variance below
        `-COVARIANCE_RTOL` times its scale is negative beyond round-off.
    """
    n_rows, n_assets = values.shape
    present = ~np.isnan(values)
    cov = np.zeros((n_assets, n_assets))
    started = np.zeros((n_assets, n_assets), dtype=bool)
    shape = (n_rows, 0 if weights is None else weights.shape[0])
    variances, scales = np.empty(shape), np.empty(shape)
    for start, stop in run_bounds(present):
        held = np.flatnonzero(present[start])
        block = np.ix_(held, held)
        rows = values[start:stop][:, held]
        length = stop - start
        first = np.outer(rows[0], rows[0])
        base = np.where(started[block], cov[block], first)
        if weights is not None:
            run = _run_variances(cov, started, held, base, rows, lam, weights)
            variances[start:stop], scales[start:stop] = run
        decay = lam ** np.arange(length - 1, -1, -1, dtype=np.float64)
        scaled = rows * np.sqrt((1.0 - lam) * decay)[:, np.newaxis]
        cov[block] = lam**length * base + scaled.T @ scaled
        started[block] = True
    cov[~started] = np.nan
    return cov, started, None if weights is None else (variances, scales)


def pairwise_ewma_variances(
    values: FloatArray, lam: float, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """`wᵀ A_t w` and its scale `|w|ᵀ |A_t| |w|` at every date for each row of `weights`
    (K, N): two (T, K) arrays."""
    result = pairwise_ewma(values, lam, weights)[2]
    if result is None:  # pragma: no cover - pairwise_ewma returns them when given weights
        raise RuntimeError("pairwise_ewma returned no variances")
    return result


def _run_variances(
    cov: FloatArray,
    started: BoolArray,
    held: npt.NDArray[np.intp],
    base: FloatArray,
    rows: FloatArray,
    lam: float,
    weights: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """`wᵀ A_t w` and `|w|ᵀ |A_t| |w|` for each date of one run, before the run's update
    is applied."""
    frozen_matrix = np.where(started, cov, 0.0)
    frozen_matrix[np.ix_(held, held)] = 0.0
    frozen = ((weights @ frozen_matrix) * weights).sum(axis=1)
    magnitudes = np.abs(weights)
    frozen_scale = ((magnitudes @ np.abs(frozen_matrix)) * magnitudes).sum(axis=1)
    # A pair with two non-zero weights and no common date makes wᵀAw undefined.
    pending = ~started
    pending[np.ix_(held, held)] = False
    undefined = ((magnitudes @ pending) * magnitudes).sum(axis=1) > 0
    held_weights = weights[:, held]
    start_term = ((held_weights @ base) * held_weights).sum(axis=1)
    held_magnitudes = magnitudes[:, held]
    start_scale = ((held_magnitudes @ np.abs(base)) * held_magnitudes).sum(axis=1)
    length = rows.shape[0]
    steps = np.arange(1, length + 1, dtype=np.float64)[:, np.newaxis]
    portfolio = rows @ held_weights.T
    squares = np.vstack([np.zeros((1, weights.shape[0])), portfolio * portfolio])
    filtered = ewma_filter(squares, lam)[1:]
    result: FloatArray = frozen + lam**steps * start_term + filtered
    result[:, undefined] = np.nan
    scale: FloatArray = frozen_scale + lam**steps * start_scale + filtered
    return result, scale


# Largest exponent k with λ^(−k) kept below e^300 inside one block.
_MAX_LOG_SCALE = 300.0


def ewma_filter(values: FloatArray, lam: float) -> FloatArray:
    """`s_0 = z_0`, `s_t = λ s_{t−1} + (1 − λ) z_t` down axis 0 of (T, K), vectorised."""
    n_rows = values.shape[0]
    out = np.empty_like(values)
    out[0] = values[0]
    block = max(1, int(_MAX_LOG_SCALE / -math.log(lam)))
    start = 1
    while start < n_rows:
        stop = min(start + block, n_rows)
        steps = np.arange(stop - start, dtype=np.float64)[:, np.newaxis]
        # s_t = λ^(t−b+1) s_{b−1} + (1 − λ) λ^(t−b) Σ_{s=b..t} λ^(−(s−b)) z_s
        growth = lam**-steps
        decay = lam**steps
        sums = np.cumsum(values[start:stop] * growth, axis=0)
        out[start:stop] = lam * decay * out[start - 1] + (1.0 - lam) * decay * sums
        start = stop
    return out
