"""Rolling 60-day portfolio volatility, 500 assets x 2,520 days.

Anchors timed in this run: np.cov per window then wᵀΣw (N=500), and pandas
rolling().cov() then wᵀΣw per date (run at N=100; at N=500 it needs ~13 GB).
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
from _common import (
    WINDOW,
    best_seconds,
    factor_returns,
    goal,
    long_only_weights,
    machine,
    report,
    timed_once,
)

from portfolio_vol import rolling_volatility


def np_cov_loop(returns: np.ndarray, w: np.ndarray) -> np.ndarray:
    out = np.full(len(returns), np.nan)
    for t in range(WINDOW - 1, len(returns)):
        out[t] = np.sqrt(w @ np.cov(returns[t + 1 - WINDOW : t + 1], rowvar=False) @ w)
    return out


def pandas_rolling_cov(frame: pd.DataFrame, w: np.ndarray) -> np.ndarray:
    covs = frame.rolling(WINDOW).cov().to_numpy().reshape(len(frame), w.size, w.size)
    return np.sqrt(np.einsum("i,tij,j->t", w, covs, w))


def main() -> None:
    machine()
    returns, w = factor_returns(), long_only_weights()
    ours = best_seconds(lambda: rolling_volatility(returns, w, WINDOW), repeat=30)
    tracemalloc.start()
    result = rolling_volatility(returns, w, WINDOW)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    anchor, reference = timed_once(lambda: np_cov_loop(returns, w))
    error = np.nanmax(np.abs(result / reference - 1))
    report("N=500", ours, "np.cov per window", anchor)
    print(
        f"  peak memory {peak / 1e6:.1f} MB (input {returns.nbytes / 1e6:.1f} MB); "
        f"max relative difference {error:.1e}"
    )

    small_returns, small_w = returns[:, :100], long_only_weights(100)
    frame = pd.DataFrame(small_returns)
    ours_small = best_seconds(
        lambda: rolling_volatility(small_returns, small_w, WINDOW), repeat=30
    )
    anchor_small, reference = timed_once(lambda: pandas_rolling_cov(frame, small_w))
    error = np.nanmax(np.abs(rolling_volatility(small_returns, small_w, WINDOW) / reference - 1))
    report("N=100", ours_small, "pandas rolling().cov()", anchor_small)
    print(f"  max relative difference {error:.1e}")
    goal("rolling vol N=500", ours, 10)


if __name__ == "__main__":
    main()
