"""Rolling historical VaR and ES (250-day window, 99 %), 500 assets x 2,520 days.

Anchors, timed in this run: pandas' rolling quantile, which keeps a sorted skiplist as ours
keeps a sorted list, `(R @ w).rolling(250).quantile(0.01, interpolation="lower")` for the
VaR (the same order statistic at 250 returns), and a direct loop of `historical_es` per
window for the ES. No goal is set by the issue; the ratios show where we stand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _common import factor_returns, long_only_weights, machine, race, ratio

from portfolio_vol import historical_es, rolling_historical_es, rolling_historical_var

WINDOW = 250


def main() -> None:
    machine()
    returns, w = factor_returns(), long_only_weights()
    frame = pd.DataFrame(returns, index=pd.bdate_range("2015-01-01", periods=len(returns)))

    def loop() -> list[float]:
        return [
            historical_es(returns[t - WINDOW + 1 : t + 1], w)
            for t in range(WINDOW - 1, len(returns))
        ]

    best = race(
        {
            "var_anchor": lambda: (
                -(frame @ w).rolling(WINDOW).quantile(0.01, interpolation="lower")
            ),
            "var": lambda: rolling_historical_var(frame, w, WINDOW),
            "es": lambda: rolling_historical_es(frame, w, WINDOW),
            "loop": loop,
        },
        repeat=3,
    )
    ratio(
        "rolling historical VaR, window 250, alpha 0.99",
        ("rolling_historical_var(R, w, 250)", best["var"]),
        ('-(R @ w).rolling(250).quantile(0.01, interpolation="lower")', best["var_anchor"]),
        float("inf"),
    )
    ratio(
        "rolling historical ES, window 250, alpha 0.99",
        ("rolling_historical_es(R, w, 250)", best["es"]),
        ("[historical_es(R[t - 249 : t + 1], w) for t in ...]", best["loop"]),
        float("inf"),
    )
    ours = rolling_historical_var(frame, w, WINDOW).to_numpy()
    anchor = -(frame @ w).rolling(WINDOW).quantile(0.01, interpolation="lower").to_numpy()
    print(f"  VaR max difference from pandas {np.nanmax(np.abs(ours - anchor)):.1e}")


if __name__ == "__main__":
    main()
