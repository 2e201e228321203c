"""Rolling 60-day portfolio volatility, 500 assets x 2,520 days.

Anchor, timed in this run: the pandas one-liner a user would write for fixed weights,
`(R @ w).rolling(window).std()` with R a DataFrame (same BLAS threads for both: one
process). Ours takes the same DataFrame and also checks it (dates, NaN, labels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _common import WINDOW, factor_returns, long_only_weights, machine, race, ratio

from portfolio_vol import rolling_volatility


def main() -> None:
    machine()
    returns, w = factor_returns(), long_only_weights()
    frame = pd.DataFrame(returns, index=pd.bdate_range("2015-01-01", periods=len(returns)))
    best = race(
        {
            "anchor": lambda: (frame @ w).rolling(WINDOW).std(),
            "ours": lambda: rolling_volatility(frame, w, WINDOW),
            "anchor_np": lambda: pd.Series(returns @ w).rolling(WINDOW).std(),
            "ours_np": lambda: rolling_volatility(returns, w, WINDOW),
        },
        repeat=200,
    )
    ratio(
        "rolling volatility, DataFrame in (500 x 2,520, window 60)",
        ("rolling_volatility(R, w, window)", best["ours"]),
        ("(R @ w).rolling(window).std()", best["anchor"]),
        1.0,
    )
    ratio(
        "rolling volatility, ndarray in",
        ("rolling_volatility(R, w, window)", best["ours_np"]),
        ("pd.Series(R @ w).rolling(window).std()", best["anchor_np"]),
        1.0,
    )
    ours = rolling_volatility(frame, w, WINDOW).to_numpy()
    anchor = (frame @ w).rolling(WINDOW).std().to_numpy()
    print(f"  max relative difference {np.nanmax(np.abs(ours / anchor - 1)):.1e}")


if __name__ == "__main__":
    main()
