"""A deterministic synthetic price file for the demo: the seed post's three stocks.

Two factors drive daily returns, `r = β_market f_market + β_tech f_tech + ε`: MSFT and
AAPL share the tech factor (strongly correlated, as the post assumes), KHC only the market.
The market is twice as volatile in the middle third, so the rolling figures move.
"""

from __future__ import annotations

import numpy as np

from ._prices_csv import PriceFile

__all__: list[str] = []

ASSETS = ["MSFT", "AAPL", "KHC"]
WEIGHTS = {"MSFT": 0.3, "AAPL": 0.5, "KHC": 0.2}
_BETAS = np.array([[1.0, 0.8], [1.1, 1.0], [0.5, 0.0]])  # (asset, [market, tech])
_IDIOSYNCRATIC = np.array([0.009, 0.010, 0.008])
_DRIFT = np.array([0.0005, 0.0006, 0.0001])
_START_PRICES = np.array([240.0, 130.0, 40.0])


def factor_model_prices(*, n_days: int = 756, seed: int = 8) -> PriceFile:
    """`n_days` business days of returns (so `n_days + 1` prices) from 2023-01-02."""
    rng = np.random.default_rng(seed)
    market_vol = np.full(n_days, 0.008)
    market_vol[n_days // 3 : 2 * n_days // 3] *= 2.0
    factors = np.column_stack(
        [rng.normal(size=n_days) * market_vol, rng.normal(scale=0.007, size=n_days)]
    )
    noise = rng.normal(size=(n_days, len(ASSETS))) * _IDIOSYNCRATIC
    returns = _DRIFT + factors @ _BETAS.T + noise
    prices = _START_PRICES * np.vstack([np.ones(len(ASSETS)), np.cumprod(1.0 + returns, axis=0)])
    days = np.busday_offset(np.datetime64("2023-01-02"), np.arange(n_days + 1), roll="forward")
    return PriceFile([str(day) for day in days], list(ASSETS), prices)
