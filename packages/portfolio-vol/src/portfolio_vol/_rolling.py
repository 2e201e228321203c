"""Rolling co-moments ``Σ_window (x − x̄)(y − ȳ)`` for every window end, in O(T·M).

Plain cumulative sums of x·y lose precision catastrophically: the window sum is a
difference of two prefix sums that grow with T, and any mean that is large against the
window's spread cancels too. Here the series is cut into blocks as long as the window, each
block is centred on its own mean and prefix-summed from zero, so every sum stays at the
scale of one window. A window then spans the tail of one block and the head of the next; the
two parts are merged with the exact pairwise update of Chan, Golub and LeVeque:
``C = C_a + C_b + n_a n_b / n · (x̄_a − x̄_b)(ȳ_a − ȳ_b)``.
"""

from __future__ import annotations

import numpy as np

from ._inputs import FloatArray

__all__: list[str] = []


def _blocks(values: FloatArray, length: int) -> tuple[FloatArray, FloatArray]:
    """Split (T, M) into (B, length, M) zero-padded blocks; return (centred blocks, means)."""
    n_rows, n_columns = values.shape
    n_blocks = -(-n_rows // length)
    padded = np.zeros((n_blocks * length, n_columns))
    padded[:n_rows] = values
    blocks = padded.reshape(n_blocks, length, n_columns)
    counts = np.full(n_blocks, float(length))
    counts[-1] = n_rows - (n_blocks - 1) * length
    means = blocks.sum(axis=1) / counts[:, np.newaxis]
    return blocks - means[:, np.newaxis, :], means


def rolling_comoment(x: FloatArray, y: FloatArray, window: int) -> tuple[FloatArray, FloatArray]:
    """Co-moment sums over the last ``min(window, t + 1)`` rows ending at each t.

    Parameters
    ----------
    x : ndarray of shape (T, M)
    y : ndarray of shape (T, M) or (T, 1)
        Broadcast against ``x`` column by column.
    window : int

    Returns
    -------
    comoment : ndarray of shape (T, M)
        ``Σ (x − x̄)(y − ȳ)`` over each window; divide by ``count - ddof``.
    count : ndarray of shape (T,)
        Rows in each window: ``min(window, t + 1)``.
    """
    n_rows = x.shape[0]
    x_blocks, x_means = _blocks(x, window)
    y_blocks, y_means = _blocks(y, window)
    # Head of the window ending at row k of block j: rows 0..k of block j (prefix sums).
    sx_h = np.cumsum(x_blocks, axis=1)
    sy_h = np.cumsum(y_blocks, axis=1)
    sxy_h = np.cumsum(x_blocks * y_blocks, axis=1)
    head = np.arange(1.0, window + 1.0)[:, np.newaxis]
    comoment = sxy_h - sx_h * sy_h / head
    if comoment.shape[0] > 1:
        # Tail: rows k+1.. of block j − 1, i.e. that block's total minus its prefix at k.
        sx_t = sx_h[:-1, -1:] - sx_h[:-1]
        sy_t = sy_h[:-1, -1:] - sy_h[:-1]
        sxy_t = sxy_h[:-1, -1:] - sxy_h[:-1]
        tail = window - head
        tail_safe = np.maximum(tail, 1.0)
        dx = (x_means[:-1, np.newaxis] + sx_t / tail_safe) - (
            x_means[1:, np.newaxis] + sx_h[1:] / head
        )
        dy = (y_means[:-1, np.newaxis] + sy_t / tail_safe) - (
            y_means[1:, np.newaxis] + sy_h[1:] / head
        )
        comoment[1:] += sxy_t - sx_t * sy_t / tail_safe + (tail * head / window) * dx * dy
    count = np.minimum(window, np.arange(1.0, n_rows + 1.0))
    result: FloatArray = comoment.reshape(-1, comoment.shape[2])[:n_rows]
    return result, count
