"""σ_p for 1,000 portfolios over 500 assets, Σ given (input checks included in ours).

Anchor timed in this run: a Python loop of sqrt(w @ S @ w).
"""

from __future__ import annotations

import numpy as np
from _common import best_seconds, factor_returns, goal, machine, report

from portfolio_vol import portfolio_volatility


def main() -> None:
    machine()
    cov = np.cov(factor_returns(), rowvar=False)
    weights = np.random.default_rng(3).uniform(size=(1000, cov.shape[0]))
    weights /= weights.sum(axis=1, keepdims=True)
    ours = best_seconds(lambda: portfolio_volatility(weights, cov), repeat=30)
    anchor = best_seconds(lambda: [np.sqrt(w @ cov @ w) for w in weights], repeat=5)
    loop = np.array([np.sqrt(w @ cov @ w) for w in weights])
    error = np.max(np.abs(portfolio_volatility(weights, cov) / loop - 1))
    report("K=1000, N=500", ours, "Python loop", anchor)
    print(f"  max relative difference {error:.1e}")
    goal("1,000 portfolios", ours, 6)


if __name__ == "__main__":
    main()
