"""Plain transcriptions of the formulas, loop by loop: the oracles the fast paths must match."""

from __future__ import annotations

import math

import numpy as np


def factor_returns(n_rows: int, n_assets: int, *, seed: int = 0, mean: float = 0.0) -> np.ndarray:
    """Daily-like returns from two factors plus noise (correlated, unequal variances)."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(scale=0.01, size=(n_rows, 2))
    betas = rng.uniform(0.2, 1.5, size=(2, n_assets))
    noise = rng.normal(size=(n_rows, n_assets)) * rng.uniform(0.005, 0.02, size=n_assets)
    return mean + factors @ betas + noise


def rolling_volatility_loop(returns, weights, window, min_periods=None):
    """np.cov per window, then √(wᵀ Σ w)."""
    minimum = window if min_periods is None else min_periods
    out = np.full(len(returns), np.nan)
    for t in range(len(returns)):
        rows = returns[max(0, t + 1 - window) : t + 1]
        if len(rows) >= minimum:
            out[t] = math.sqrt(weights @ np.cov(rows, rowvar=False) @ weights)
    return out


def rolling_contributions_loop(returns, weights, window):
    """np.cov per window, then w ∘ Σw / σ_p."""
    out = np.full(returns.shape, np.nan)
    for t in range(window - 1, len(returns)):
        cov = np.cov(returns[t + 1 - window : t + 1], rowvar=False)
        out[t] = weights * (cov @ weights) / math.sqrt(weights @ cov @ weights)
    return out


def ewma_covariance_loop(returns, lam):
    """Σ_0 = r_0 r_0ᵀ, then Σ_t = λ Σ_{t−1} + (1 − λ) r_t r_tᵀ, one date at a time."""
    cov = np.outer(returns[0], returns[0])
    history = [cov]
    for row in returns[1:]:
        cov = lam * cov + (1 - lam) * np.outer(row, row)
        history.append(cov)
    return history


def ledoit_wolf_literal(returns):
    """Ledoit–Wolf (2004) with the scaled-identity target, term by term (MLE base)."""
    n, p = returns.shape
    x = returns - returns.mean(axis=0)
    sample = x.T @ x / n
    mu = np.trace(sample) / p
    target = mu * np.eye(p)
    delta = np.sum((sample - target) ** 2)
    beta = sum(np.sum((np.outer(row, row) - sample) ** 2) for row in x) / n**2
    shrinkage = min(beta, delta) / delta
    return (1 - shrinkage) * sample + shrinkage * target, shrinkage


def pairwise_ewma_loop(returns, lam):
    """Each pair (i, j): starts at r_i r_j on its first common date, then λA + (1 − λ) r_i r_j
    on every date both have returns, frozen otherwise; NaN before the first common date."""
    n = returns.shape[1]
    cov = np.full((n, n), np.nan)
    history = []
    for row in returns:
        for i in range(n):
            for j in range(n):
                if math.isnan(row[i]) or math.isnan(row[j]):
                    continue
                product = row[i] * row[j]
                cov[i, j] = (
                    product if math.isnan(cov[i, j]) else lam * cov[i, j] + (1 - lam) * product
                )
        history.append(cov.copy())
    return history


def historical_tail_loop(portfolio_returns, alpha):
    """VaR and ES from the definitions: sort the losses; the ⌈k⌉-th worst is the VaR, the
    worst k (the last one counted for its fraction) average to the ES."""
    losses = sorted((-r for r in portfolio_returns), reverse=True)
    k = (1 - alpha) * len(losses)
    if abs(k - round(k)) < 1e-9:
        k = float(round(k))
    k = max(k, 1.0)
    m = math.ceil(k)
    var = losses[m - 1]
    es = (sum(losses[: m - 1]) + (k - (m - 1)) * losses[m - 1]) / k
    return var, es


def rolling_volatility_by_date_loop(returns, weights_by_date, window):
    """w_tᵀ np.cov(window ending at t) w_t for every t with weights and a full window."""
    out = np.full(len(returns), np.nan)
    for t in range(window - 1, len(returns)):
        w = weights_by_date[t]
        if np.isnan(w).any():
            continue
        cov = np.cov(returns[t + 1 - window : t + 1], rowvar=False)
        out[t] = math.sqrt(w @ cov @ w)
    return out
