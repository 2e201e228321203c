"""Rolling 60-day component risk contributions, 500 assets x 2,520 days.

Anchor, timed in this run: pandas through the same identity, Cov_window(R, r_p) = Σ_window w,
`R.rolling(60).cov(R @ w).mul(w, axis=1).div((R @ w).rolling(60).std(), axis=0)` with R a
DataFrame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _common import WINDOW, factor_returns, long_only_weights, machine, race, ratio

from portfolio_vol import rolling_risk_contributions


def pandas_identity(frame: pd.DataFrame, w: np.ndarray) -> pd.DataFrame:
    return (
        frame.rolling(WINDOW)
        .cov(frame @ w)
        .mul(w, axis=1)
        .div((frame @ w).rolling(WINDOW).std(), axis=0)
    )


def main() -> None:
    machine()
    returns, w = factor_returns(), long_only_weights()
    frame = pd.DataFrame(returns, index=pd.bdate_range("2015-01-01", periods=len(returns)))
    best = race(
        {
            "anchor": lambda: pandas_identity(frame, w),
            "ours": lambda: rolling_risk_contributions(frame, w, WINDOW),
        },
        repeat=8,
    )
    ratio(
        "rolling contributions, 500 x 2,520, window 60",
        ("rolling_risk_contributions(R, w, 60)", best["ours"]),
        (
            "R.rolling(60).cov(R @ w).mul(w, axis=1).div((R @ w).rolling(60).std(), axis=0)",
            best["anchor"],
        ),
        0.2,
    )
    ours = rolling_risk_contributions(frame, w, WINDOW).to_numpy()[WINDOW - 1 :]
    anchor = pandas_identity(frame, w).to_numpy()[WINDOW - 1 :]
    error = np.max(np.abs(ours - anchor)) / np.max(np.abs(anchor))
    print(f"  max difference {error:.1e} of the largest")


if __name__ == "__main__":
    main()
