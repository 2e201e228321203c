import math

import numpy as np
import pytest

from portfolio_vol import ZeroVarianceError, risk_contributions


def test_closed_form_matches_finite_differences(returns, weights):
    cov = np.cov(returns, rowvar=False)
    result = risk_contributions(weights, cov)
    sigma = lambda w: math.sqrt(w @ cov @ w)  # noqa: E731
    h = 1e-6
    numeric = [
        (sigma(weights + h * e) - sigma(weights - h * e)) / (2 * h) for e in np.eye(len(weights))
    ]
    np.testing.assert_allclose(result.marginal, numeric, rtol=1e-7)
    np.testing.assert_allclose(result.component, weights * result.marginal, rtol=1e-15)


def test_euler_components_sum_to_volatility_and_percents_to_one(returns, weights):
    result = risk_contributions(weights, np.cov(returns, rowvar=False))
    assert result.component.sum() == pytest.approx(result.volatility, rel=1e-12)
    assert result.percent.sum() == pytest.approx(1.0, rel=1e-12)
    assert result.volatility == pytest.approx(np.std(returns @ weights, ddof=1), rel=1e-12)


def test_a_hedge_has_a_negative_component():
    cov = np.array([[0.04, 0.03], [0.03, 0.04]])
    result = risk_contributions([1.0, -0.5], cov)
    assert result.component[1] < 0
    assert result.component.sum() == pytest.approx(result.volatility)


def test_many_portfolios_equal_single_calls(returns):
    cov = np.cov(returns, rowvar=False)
    many = np.random.default_rng(2).uniform(size=(7, 6))
    result = risk_contributions(many, cov)
    assert result.component.shape == (7, 6)
    for k, w in enumerate(many):
        single = risk_contributions(w, cov)
        assert result.volatility[k] == pytest.approx(single.volatility, rel=1e-12)
        np.testing.assert_allclose(result.percent[k], single.percent, rtol=1e-12)


def test_zero_weights_have_no_contributions():
    with pytest.raises(ZeroVarianceError, match="has zero variance"):
        risk_contributions([0.0, 0.0], np.eye(2))
