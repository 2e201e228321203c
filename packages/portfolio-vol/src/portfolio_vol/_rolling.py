"""Rolling co-moments `Σ_window (x − x̄)(y − ȳ)` for every window end, in O(T·M).

Plain cumulative sums of x·y lose precision catastrophically: the window sum is a
difference of two prefix sums that grow with T, and any mean that is large against the
window's spread cancels too. Here the series is cut into blocks as long as the window and
each block is centred on its own mean. A window spans the tail of one block and the head of
the next: the head is a prefix sum from the block's start, the tail a suffix sum to its end,
so no sum holds a row outside the window and every sum stays at the scale of one window
(only the centring mean sees the rest of the block). The two parts are merged with the
exact pairwise update of Chan, Golub and LeVeque:
`C = C_a + C_b + n_a n_b / n · (x̄_a − x̄_b)(ȳ_a − ȳ_b)`.
"""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from ._inputs import FloatArray

__all__: list[str] = []


# Assets per pass: a chunk's temporaries (CHUNK × T doubles) stay in the CPU cache.
CHUNK = 32


def _blocks(rows: FloatArray, length: int) -> tuple[FloatArray, FloatArray]:
    """Split (C, T) into (C, B, length) zero-padded blocks; return (centred blocks, means)."""
    n_series, n_rows = rows.shape
    n_blocks = -(-n_rows // length)
    padded = np.zeros((n_series, n_blocks * length))
    padded[:, :n_rows] = rows
    blocks = padded.reshape(n_series, n_blocks, length)
    counts = np.full(n_blocks, float(length))
    counts[-1] = n_rows - (n_blocks - 1) * length
    means = blocks.sum(axis=2) / counts
    blocks -= means[:, :, np.newaxis]
    return blocks, means


def _suffix_sums(blocks: FloatArray) -> FloatArray:
    """Sums of rows k+1 .. L−1 of each block, for every k (0 at k = L−1).

    Summed directly rather than as the block total minus a prefix: a large value outside the
    window would otherwise cancel against itself and leave its round-off in the window.
    """
    sums = np.zeros_like(blocks)
    np.cumsum(blocks[:, :, :0:-1], axis=2, out=sums[:, :, -2::-1])
    return sums


def _y_terms(y: tuple[FloatArray, FloatArray], window: int) -> tuple[FloatArray, ...]:
    """What the co-moment needs of y alone: computed once when y is shared by every x."""
    y_blocks, y_means = y
    head = np.arange(1.0, window + 1.0)
    sy_h = np.cumsum(y_blocks, axis=2)
    y_head_mean = sy_h / head
    if y_blocks.shape[1] == 1:
        return y_blocks, y_head_mean
    tail = window - head
    tail_safe = np.maximum(tail, 1.0)
    y_tail_mean = _suffix_sums(y_blocks[:, :-1]) / tail_safe
    dy = y_tail_mean + (y_means[:, :-1] - y_means[:, 1:])[:, :, np.newaxis]
    dy -= y_head_mean[:, 1:]
    dy *= tail * head / window
    return y_blocks, y_head_mean, y_tail_mean, dy


def _comoment(
    x: tuple[FloatArray, FloatArray], y: tuple[FloatArray, ...], window: int
) -> FloatArray:
    """Window co-moments of blocked, centred series: (C, B, L) each, broadcast over C."""
    x_blocks, x_means = x
    y_blocks, y_head_mean = y[0], y[1]
    # Head of the window ending at row k of block j: rows 0..k of block j (prefix sums).
    products = x_blocks * y_blocks
    comoment = np.cumsum(products, axis=2)
    sx_h = np.cumsum(x_blocks, axis=2)
    comoment -= sx_h * y_head_mean
    if comoment.shape[1] > 1:
        # Tail: rows k+1.. of block j − 1.
        y_tail_mean, dy = y[2], y[3]
        head = np.arange(1.0, window + 1.0)
        tail_safe = np.maximum(window - head, 1.0)
        # x is centred on its block's mean, so its tail sum is its block's total minus the
        # prefix: a value outside the window enters only to first order, as eps·|x|
        # against the window's spread. The sums of products stay direct (see
        # `_suffix_sums`), where it would enter squared.
        sx_t = sx_h[:, :-1, -1:] - sx_h[:, :-1]
        sxy_t = _suffix_sums(products[:, :-1])
        sxy_t -= sx_t * y_tail_mean
        dx = sx_t / tail_safe
        dx += (x_means[:, :-1] - x_means[:, 1:])[:, :, np.newaxis]
        dx -= sx_h[:, 1:] / head
        dx *= dy
        sxy_t += dx
        comoment[:, 1:] += sxy_t
    result: FloatArray = comoment
    return result


def rolling_comoment(
    x: FloatArray,
    y: FloatArray,
    window: int,
    *,
    column_scale: FloatArray | None = None,
    row_scale: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Co-moment sums over the last `min(window, t + 1)` rows ending at each t.

    Parameters
    ----------
    x : ndarray of shape (T, M)
    y : ndarray of shape (T, M) or (T, 1)
        Broadcast against `x` column by column.
    window : int
    column_scale, row_scale : ndarray of shape (M,) and (T,), optional
        Factors applied to each column and row of the result while its chunk is in the
        CPU cache, rather than in two more passes over the whole (T, M) result.

    Returns
    -------
    comoment : ndarray of shape (T, M)
        `Σ (x − x̄)(y − ȳ)` over each window, times the scales; divide by `count - ddof`.
    count : ndarray of shape (T,)
        Rows in each window: `min(window, t + 1)`.
    """
    n_rows, n_columns = x.shape
    shared_y = _y_terms(_blocks(y.T, window), window) if y.shape[1] == 1 else None
    # One transposed copy up front: each chunk then reads contiguous rows, not a strided
    # gather of CHUNK columns from every row.
    columns = np.ascontiguousarray(x.T)
    out = np.empty((n_columns, n_rows))
    for start in range(0, n_columns, CHUNK):
        stop = min(start + CHUNK, n_columns)
        x_part = _blocks(columns[start:stop], window)
        y_part = shared_y
        if y_part is None:
            y_part = _y_terms(_blocks(y[:, start:stop].T, window), window)
        part = _comoment(x_part, y_part, window).reshape(stop - start, -1)[:, :n_rows]
        if column_scale is not None:
            part *= column_scale[start:stop, np.newaxis]
        if row_scale is not None:
            part *= row_scale
        out[start:stop] = part
    count = np.minimum(window, np.arange(1.0, n_rows + 1.0))
    return out.T, count


# Windows up to this many rows take `windowed_comoment`, whose BLAS products cost about
# 2 · window multiply-adds per value; `rolling_comoment` costs some 25 numpy passes per
# value whatever the window, so it takes over for the long windows where that is less.
BANDED_MAX_WINDOW = 128


def windowed_comoment(
    x: FloatArray, y: FloatArray, window: int, *, column_scale: FloatArray, row_scale: FloatArray
) -> FloatArray:
    """`Σ (x − x̄)(y − ȳ)` over each full window of x's columns with the one series y,
    times the scales, as banded matrix products; NaN before the first full window.

    The window ending at row t is `Σ_s x_s a_ts` with `a_ts = y_s − ȳ_t` on its rows and
    exactly 0 elsewhere (y is one series, so its deviations from each window's mean cost
    O(T·window) in all). Each run of `window` consecutive window ends is one matrix
    product, `window × (2·window − 1)` deviations times the rows those windows reach, so
    no sum ever holds a row outside its window, and the layout of x (a DataFrame's
    columns or a C array's rows) is read as it is. x is centred on the mean of each
    window-long block of rows (two blocks per product); since the a_ts of a window sum
    to zero, the centring changes a window's sum only by
    `(mean of the earlier block − mean of the later) · Σ a_ts over the earlier block`,
    which is added back. A day r times the spread moves its block's mean by r / window
    spreads, so it costs about (r / window) · 1e-16 of relative accuracy nearby.

    Examples
    --------
    >>> x = np.arange(8.0).reshape(4, 2) ** 2
    >>> sums = windowed_comoment(x, x[:, 0], 3, column_scale=np.ones(2), row_scale=np.ones(4))
    >>> bool(np.isnan(sums[:2]).all()), bool(np.allclose(sums[3], 2 * np.cov(x[1:].T)[0]))
    (True, True)
    """
    n_rows, n_columns = x.shape
    first = window - 1
    n_blocks = -(-(n_rows - first) // window)
    # A DataFrame's columns are contiguous: keep that layout rather than pay for a
    # transposed copy (BLAS reads either layout at the same speed).
    order: Literal["C", "F"] = "F" if x.flags.f_contiguous and not x.flags.c_contiguous else "C"
    centred = np.empty(((n_blocks + 1) * window, n_columns), order=order)
    np.multiply(x, column_scale, out=centred[:n_rows])
    centred[n_rows:] = 0.0
    row_step, column_step = centred.strides
    blocks = as_strided(
        centred, (n_blocks + 1, window, n_columns), (window * row_step, row_step, column_step)
    )
    rows = np.clip(n_rows - window * np.arange(n_blocks + 1.0), 1.0, window)
    means = blocks.sum(axis=1)
    means /= rows[:, np.newaxis]
    blocks -= means[:, np.newaxis, :]
    # Deviations of y from each window's mean, the mean corrected once more so that they
    # sum to zero to round-off, then times each window's scale; zero past the last row.
    deviations = np.zeros((n_blocks * window, window))
    windows = deviations[: n_rows - first]
    windows[...] = sliding_window_view(y, window)
    windows -= windows.mean(axis=1, keepdims=True)
    windows -= windows.mean(axis=1, keepdims=True)
    windows *= row_scale[first:, np.newaxis]
    # Row i of block k holds the window ending at row first + k·window + i, which reaches
    # rows i .. i + window − 1 of the block's span: a band, written through a strided view.
    band = np.zeros((n_blocks, window, 2 * window - 1))
    step_k, step_i, step_c = band.strides
    diagonals = as_strided(band, (n_blocks, window, window), (step_k, step_i + step_c, step_c))
    diagonals[...] = deviations.reshape(n_blocks, window, window)
    earlier = band[:, :, :window].sum(axis=2)
    shift = means[:-1] - means[1:]
    spans = as_strided(
        centred, (n_blocks, 2 * window - 1, n_columns), (window * row_step, row_step, column_step)
    )
    # Whole blocks of output rows (the padding past the last row is cut off at the end).
    out = np.empty((first + n_blocks * window, n_columns))
    out[:first] = np.nan
    for k in range(n_blocks):
        part = out[first + k * window : first + (k + 1) * window]
        np.matmul(band[k], spans[k], out=part)
        part += np.multiply.outer(earlier[k], shift[k])
    result: FloatArray = out[:n_rows]
    return result


@functools.lru_cache(maxsize=8)
def _window_constants(window: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rows in the head part of each window (1..window), rows in its tail part (at least
    1, to divide by), and the weight `n_tail n_head / window` of Chan's merge."""
    head = np.arange(1.0, window + 1.0)
    tail = window - head
    merge = tail * head / window
    tail = np.maximum(tail, 1.0)
    for constant in (head, tail, merge):
        constant.flags.writeable = False
    return head, tail, merge


def rolling_variance_sums(x: FloatArray, window: int) -> tuple[FloatArray, FloatArray]:
    """`Σ (x − x̄)²` over the last `min(window, t + 1)` rows of each column of (T, K) `x`.

    The same blocked, centred scheme as `rolling_comoment` with x = y; the sums of x and of
    x² are stacked so that each prefix or suffix pass is one numpy call (the series are
    short: call overhead, not arithmetic, is the cost, so every operation counts).
    """
    n_rows, n_columns = x.shape
    n_blocks = -(-n_rows // window)
    filled = n_rows - (n_blocks - 1) * window  # rows in the last block
    head, tail, merge = _window_constants(window)
    stacked = np.empty((2, n_columns, n_blocks, window))
    blocks = stacked[0]
    flat = blocks.reshape(n_columns, n_blocks * window)
    flat[:, :n_rows] = x.T
    flat[:, n_rows:] = 0.0
    means = blocks.sum(axis=2)
    means /= window
    if filled < window:
        means[:, -1] *= window / filled
        blocks -= means[:, :, np.newaxis]
        blocks[:, -1, filled:] = 0.0  # the padding stays out of every sum
    else:
        blocks -= means[:, :, np.newaxis]
    np.multiply(blocks, blocks, out=stacked[1])
    s1_head, moment = np.cumsum(stacked, axis=3)
    head_mean = s1_head / head  # the head's mean, relative to its block's
    s1_head *= head_mean
    moment -= s1_head
    if n_blocks > 1:
        # Suffix sums of rows k+1.. of each earlier block, summed directly (no cancellation).
        suffix = np.empty((2, n_columns, n_blocks - 1, window))
        suffix[:, :, :, -1] = 0.0
        np.cumsum(stacked[:, :, :-1, :0:-1], axis=3, out=suffix[:, :, :, -2::-1])
        s1_tail, tail_moment = suffix
        gap = s1_tail / tail
        s1_tail *= gap
        tail_moment -= s1_tail
        gap += (means[:, :-1] - means[:, 1:])[:, :, np.newaxis]
        gap -= head_mean[:, 1:]
        gap *= gap
        gap *= merge
        tail_moment += gap
        moment[:, 1:] += tail_moment
    out: FloatArray = moment.reshape(n_columns, -1)[:, :n_rows].T
    count = np.minimum(window, np.arange(1.0, n_rows + 1.0))
    return out, count


def _part_moments(
    count: FloatArray, s1: FloatArray, s2: FloatArray, s3: FloatArray, s4: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Mean and central sums M2..M4 of a part from its power sums (count may be 0)."""
    safe = np.maximum(count, 1.0)
    mean = s1 / safe
    m2 = s2 - s1 * mean
    m3 = s3 - 3.0 * mean * s2 + 2.0 * count * mean**3
    m4 = s4 - 4.0 * mean * s3 + 6.0 * mean * mean * s2 - 3.0 * count * mean**4
    return mean, m2, m3, m4


def rolling_central_moments(
    x: FloatArray, window: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Mean and central sums `Σ(x − x̄)^p`, p = 2, 3, 4, over each full window of (T, K) `x`.

    Rows before the first full window are NaN. The blocks are those of `rolling_comoment`;
    head and tail are merged with Pébay's pairwise update of the higher central moments
    (P. Pébay, "Formulas for robust, one-pass parallel computation of covariances and
    arbitrary-order statistical moments", Sandia report SAND2008-6212, 2008).
    """
    n_rows = x.shape[0]
    blocks, means = _blocks(x.T, window)
    powers = [blocks, blocks * blocks]
    powers += [powers[1] * blocks, powers[1] * powers[1]]
    head_n = np.arange(1.0, window + 1.0)
    head = _part_moments(head_n, *(np.cumsum(p, axis=2) for p in powers))
    mean_b, m2, m3, m4 = head
    mean = mean_b + means[:, :, np.newaxis]
    if blocks.shape[1] > 1:
        tail_n = window - head_n
        tail = _part_moments(tail_n, *(_suffix_sums(p[:, :-1]) for p in powers))
        mean_a, m2_a, m3_a, m4_a = tail
        mean_a = mean_a + means[:, :-1, np.newaxis]
        mean_b_abs = mean[:, 1:]
        m2_b, m3_b, m4_b = m2[:, 1:], m3[:, 1:], m4[:, 1:]
        na, nb, n = tail_n, head_n, float(window)
        delta = mean_b_abs - mean_a
        d2 = delta * delta
        merged_m4 = (
            m4_a
            + m4_b
            + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / n**3
            + 6.0 * d2 * (na * na * m2_b + nb * nb * m2_a) / n**2
            + 4.0 * delta * (na * m3_b - nb * m3_a) / n
        )
        merged_m3 = (
            m3_a
            + m3_b
            + d2 * delta * na * nb * (na - nb) / n**2
            + 3.0 * delta * (na * m2_b - nb * m2_a) / n
        )
        merged_m2 = m2_a + m2_b + d2 * na * nb / n
        merged_mean = (na * mean_a + nb * mean_b_abs) / n
        mean[:, 1:], m2[:, 1:], m3[:, 1:], m4[:, 1:] = (
            merged_mean,
            merged_m2,
            merged_m3,
            merged_m4,
        )
    k = x.shape[1]
    parts = [a.reshape(k, -1)[:, :n_rows].T.copy() for a in (mean, m2, m3, m4)]
    for a in parts:
        a[: window - 1] = np.nan
    return parts[0], parts[1], parts[2], parts[3]
