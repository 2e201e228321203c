"""EWMA covariance, 500 assets x 2,520 days.

Anchor timed in this run: PyPortfolioOpt's exp_cov (a Python loop over N² pairs of pandas
ewm), run at N=100 with the RiskMetrics-equivalent span 2/(1−λ) − 1. exp_cov demeans and
annualises, ours is zero-mean RiskMetrics: same work, different estimator, so only the
time is compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _common import best_seconds, factor_returns, goal, machine, report, timed_once
from pypfopt.risk_models import exp_cov

from portfolio_vol import covariance

LAM = 0.94


def main() -> None:
    machine()
    returns = factor_returns()
    ours = best_seconds(lambda: covariance(returns, method="ewma", lam=LAM), repeat=10)
    small = returns[:, :100]
    ours_small = best_seconds(lambda: covariance(small, method="ewma", lam=LAM), repeat=20)
    frame = pd.DataFrame(small)
    span = 2 / (1 - LAM) - 1
    anchor, _ = timed_once(lambda: exp_cov(frame, returns_data=True, span=span))
    report("N=100", ours_small, "PyPortfolioOpt exp_cov", anchor)
    print(f"  ours at N=500: {1e3 * ours:.1f} ms (PyPortfolioOpt at N=500 ≈ 25x its N=100 time)")
    symmetric = np.array_equal(
        covariance(returns, method="ewma"), covariance(returns, method="ewma").T
    )
    print(f"  result exactly symmetric: {symmetric}")
    goal("EWMA covariance N=500", ours, 100)


if __name__ == "__main__":
    main()
