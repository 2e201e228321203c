import math
from statistics import NormalDist

import numpy as np
import pytest

from portfolio_vol import (
    InvalidParameterError,
    ShapeMismatchError,
    parametric_es,
    parametric_var,
    portfolio_volatility,
)

COV = np.array([[0.0004, 0.0001], [0.0001, 0.0002]])
W = np.array([0.6, 0.4])


def test_var_is_the_normal_quantile_of_the_loss():
    sigma = portfolio_volatility(W, COV)
    z = NormalDist().inv_cdf(0.99)
    assert parametric_var(W, COV) == pytest.approx(z * sigma, rel=1e-12)
    # Check against the definition: P(loss > VaR) = 1 − α for loss ~ N(−μh, σ²h).
    var = parametric_var(W, COV, alpha=0.95, horizon=10, mean=0.001)
    loss = NormalDist(mu=-0.001 * 10, sigma=sigma * math.sqrt(10))
    assert 1 - loss.cdf(var) == pytest.approx(0.05, rel=1e-9)


def test_es_is_the_mean_loss_beyond_var():
    sigma = portfolio_volatility(W, COV)
    var = parametric_var(W, COV, alpha=0.975)
    loss = NormalDist(sigma=sigma)
    grid = np.linspace(var, var + 20 * sigma, 20_001)
    integrand = grid * np.array([loss.pdf(x) for x in grid])
    tail = np.sum((integrand[1:] + integrand[:-1]) / 2 * np.diff(grid)) / (1 - 0.975)
    assert parametric_es(W, COV, alpha=0.975) == pytest.approx(tail, rel=1e-6)
    assert parametric_es(W, COV, alpha=0.975) > var


def test_per_asset_means_become_the_portfolio_mean():
    mean = np.array([0.001, 0.002])
    assert parametric_var(W, COV, mean=mean) == pytest.approx(
        parametric_var(W, COV, mean=float(W @ mean))
    )


def test_many_portfolios():
    result = parametric_var([[1.0, 0.0], [0.0, 1.0]], COV)
    np.testing.assert_allclose(result, NormalDist().inv_cdf(0.99) * np.sqrt(np.diag(COV)))


def test_alpha_outside_the_unit_interval():
    with pytest.raises(
        InvalidParameterError, match=r"`alpha` must be in the open interval \(0, 1\)"
    ):
        parametric_var(W, COV, alpha=1.0)


def test_non_positive_horizon():
    with pytest.raises(InvalidParameterError, match="`horizon` must be finite and > 0, got 0"):
        parametric_es(W, COV, horizon=0)


def test_infinite_horizon():
    with pytest.raises(InvalidParameterError, match="`horizon` must be finite and > 0, got inf"):
        parametric_var(W, COV, horizon=math.inf)


def test_mean_of_the_wrong_shape():
    with pytest.raises(
        ShapeMismatchError, match=r"`mean` must be a scalar or have one entry per asset \(2\)"
    ):
        parametric_var(W, COV, mean=[0.0, 0.0, 0.0])


def test_mean_not_finite():
    with pytest.raises(InvalidParameterError, match="`mean` must be finite"):
        parametric_var(W, COV, mean=np.nan)
