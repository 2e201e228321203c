"""The seed post's example, kept working with Pythonic names, and its two mistakes."""

from pathlib import Path

import numpy as np
import pytest

from portfolio_vol import covariance, naive_volatility, portfolio_volatility, returns_from_prices
from portfolio_vol._demo import factor_model_prices

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def daily_returns():
    prices = factor_model_prices()
    return returns_from_prices(prices.prices)  # columns MSFT, AAPL, KHC


def test_single_asset_volatility_as_in_the_post():
    stock_prices = factor_model_prices().prices[:, 1]
    normalized_prices = np.asarray(stock_prices) / stock_prices[0]
    daily_ret = [0.0]
    for i in range(1, len(normalized_prices)):
        daily_ret.append(normalized_prices[i] / normalized_prices[i - 1] - 1)
    # The post seeds the list with a fake 0.0 return; without it the numbers agree.
    np.testing.assert_allclose(
        daily_ret[1:], returns_from_prices(stock_prices), rtol=1e-12, atol=1e-15
    )
    assert np.std(daily_ret) != pytest.approx(np.std(returns_from_prices(stock_prices)), rel=1e-6)


def test_the_correlation_formula_is_not_a_volatility(daily_returns):
    w = np.array([0.3, 0.5, 0.2])
    corr_matrix = np.corrcoef(daily_returns, rowvar=False)
    seed_answer = np.sqrt(w.T @ corr_matrix @ w)
    right_answer = portfolio_volatility(w, covariance(daily_returns))
    assert right_answer == pytest.approx(np.std(daily_returns @ w, ddof=1), rel=1e-12)
    assert 0.8 < seed_answer < 1  # "80-100 % a day": the correlation matrix has no units
    assert right_answer < 0.02


def test_the_naive_average_overstates_and_the_post_divides_by_three(daily_returns):
    w = np.array([0.3, 0.5, 0.2])
    vols = daily_returns.std(axis=0, ddof=1)
    true = portfolio_volatility(w, covariance(daily_returns))
    naive = naive_volatility(w, vols)
    assert naive > true
    post_formula = (0.3 * vols[0] + 0.5 * vols[1] + 0.2 * vols[2]) / 3
    assert post_formula == pytest.approx(naive / 3)
    assert post_formula < true  # dividing by 3 again swings it to understating


def test_the_readme_table_is_the_demo_data(daily_returns):
    """The README's table and its example are computed on the demo's prices."""
    w = np.array([0.3, 0.5, 0.2])
    cov = covariance(daily_returns)
    text = README.read_text()
    assert f"**{100 * portfolio_volatility(w, cov):.3f} %**" in text
    assert f"| {100 * naive_volatility(w, np.sqrt(np.diag(cov))):.3f} % (" in text
    assert f"# prints: daily {100 * portfolio_volatility(w, cov):.3f}%" in text
