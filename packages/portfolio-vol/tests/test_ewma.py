import math

import numpy as np
import pandas as pd
import pytest
from reference import ewma_covariance_loop, factor_returns

from portfolio_vol import (
    InsufficientDataError,
    InvalidParameterError,
    covariance,
    ewma_volatility,
    portfolio_volatility,
)


def test_matches_the_recursive_loop(returns, weights):
    expected = [math.sqrt(weights @ cov @ weights) for cov in ewma_covariance_loop(returns, 0.94)]
    np.testing.assert_allclose(ewma_volatility(returns, weights), expected, rtol=1e-12)


def test_last_value_is_the_ewma_covariance_volatility(returns, weights):
    for t in (0, 1, 57, 299):
        assert ewma_volatility(returns[: t + 1], weights)[-1] == pytest.approx(
            portfolio_volatility(weights, covariance(returns[: t + 1], method="ewma")), rel=1e-12
        )


@pytest.mark.parametrize("lam", [0.5, 0.94, 0.999])
def test_long_series_cross_block_boundaries(lam):
    """λ=0.5 forces a new block every ~430 rows; the result must not notice."""
    returns = factor_returns(3000, 3, seed=5)
    w = np.array([0.5, 0.3, 0.2])
    r_p2 = pd.Series((returns @ w) ** 2)
    expected = np.sqrt(r_p2.ewm(alpha=1 - lam, adjust=False).mean().to_numpy())
    np.testing.assert_allclose(ewma_volatility(returns, w, lam=lam), expected, rtol=1e-12)


def test_many_portfolios_at_once(returns):
    many = np.random.default_rng(6).uniform(size=(3, 6))
    result = ewma_volatility(returns, many, halflife=30)
    assert result.shape == (300, 3)
    for k, w in enumerate(many):
        np.testing.assert_allclose(
            result[:, k], ewma_volatility(returns, w, halflife=30), rtol=1e-12
        )


def test_bad_lambda(returns, weights):
    with pytest.raises(
        InvalidParameterError, match=r"`lam` must be in the open interval \(0, 1\), got 0"
    ):
        ewma_volatility(returns, weights, lam=0)


def test_no_rows(weights):
    with pytest.raises(InsufficientDataError, match="`returns` has no rows"):
        ewma_volatility(np.empty((0, 6)), weights)


@pytest.mark.parametrize("halflife", [math.inf, 1e-300])
def test_halflife_that_makes_lambda_zero_or_one(returns, weights, halflife):
    with pytest.raises(
        InvalidParameterError,
        match=r"`halflife` .* gives λ = .*, outside the open interval \(0, 1\)",
    ):
        ewma_volatility(returns, weights, halflife=halflife)
