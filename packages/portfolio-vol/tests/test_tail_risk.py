"""Historical VaR/ES, Cornish–Fisher VaR and ES contributions, single and rolling, against
the definitions (direct loops), numpy, scipy and skfolio."""

import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from reference import factor_returns, historical_tail_loop
from scipy import stats
from skfolio.measures import cvar, value_at_risk

import portfolio_vol as pv
from portfolio_vol import InvalidParameterError
from portfolio_vol._rolling import rolling_central_moments

PRICES = Path(__file__).parent / "data" / "sp500_etf_2013_2015.csv"
ALPHAS = [0.9, 0.95, 0.975, 0.99, 0.999]


@pytest.fixture(scope="module")
def real_returns():
    prices = pd.read_csv(PRICES, index_col="date", parse_dates=True)
    return pv.returns_from_prices(prices[["AAPL", "MSFT", "JPM", "XOM", "KO"]])


W = {"AAPL": 0.3, "MSFT": 0.25, "JPM": 0.2, "XOM": 0.15, "KO": 0.1}


@pytest.mark.parametrize("alpha", ALPHAS)
def test_historical_var_and_es_match_the_definition(real_returns, alpha):
    r_p = real_returns.to_numpy() @ np.array(list(W.values()))
    var, es = historical_tail_loop(r_p, alpha)
    assert pv.historical_var(real_returns, W, alpha=alpha) == var
    assert pv.historical_es(real_returns, W, alpha=alpha) == pytest.approx(es, rel=1e-12)
    assert pv.historical_var(real_returns, W, alpha=alpha) == -np.quantile(
        r_p, 1 - alpha, method="inverted_cdf"
    )


@pytest.mark.parametrize("alpha", ALPHAS)
def test_historical_figures_match_skfolio(real_returns, alpha):
    r_p = real_returns.to_numpy() @ np.array(list(W.values()))
    # 631 returns: (1 − alpha)·631 is never within float noise of an integer here.
    assert pv.historical_var(real_returns, W, alpha=alpha) == value_at_risk(r_p, beta=alpha)
    assert pv.historical_es(real_returns, W, alpha=alpha) == pytest.approx(
        cvar(r_p, beta=alpha), rel=1e-12
    )


def test_one_percent_of_500_is_exactly_five_returns():
    r = -np.arange(1.0, 501.0)[:, np.newaxis] / 1000  # losses 0.001 .. 0.5
    assert pv.historical_var(r, [1.0], alpha=0.99) == 0.496  # the 5th worst
    assert pv.historical_es(r, [1.0], alpha=0.99) == pytest.approx(0.498)


def test_es_is_at_least_var_and_k_below_one_gives_the_worst_loss(real_returns):
    for alpha in ALPHAS:
        assert pv.historical_es(real_returns, W, alpha=alpha) >= pv.historical_var(
            real_returns, W, alpha=alpha
        )
    worst = -(real_returns.to_numpy() @ np.array(list(W.values()))).min()
    assert pv.historical_var(real_returns, W, alpha=0.9999) == worst
    assert pv.historical_es(real_returns, W, alpha=0.9999) == pytest.approx(worst)


def test_many_portfolios_at_once(real_returns):
    many = pd.DataFrame(
        [W, {"AAPL": 1.0, "MSFT": 0, "JPM": 0, "XOM": 0, "KO": 0}], index=["mix", "aapl"]
    )
    result = pv.historical_es(real_returns, many)
    assert list(result.index) == ["mix", "aapl"]
    assert result["mix"] == pv.historical_es(real_returns, W)
    assert result["aapl"] == pytest.approx(pv.historical_es(real_returns[["AAPL"]], [1.0]))


@pytest.mark.parametrize("alpha", [0.95, 0.99])
def test_cornish_fisher_var_from_scipy_moments(real_returns, alpha):
    r_p = real_returns.to_numpy() @ np.array(list(W.values()))
    z = NormalDist().inv_cdf(1 - alpha)
    s, k = stats.skew(r_p), stats.kurtosis(r_p)
    z_cf = z + (z**2 - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s**2 / 36
    expected = -(r_p.mean() + z_cf * r_p.std(ddof=0))
    assert pv.cornish_fisher_var(real_returns, W, alpha=alpha) == pytest.approx(
        expected, rel=1e-12
    )


def test_cornish_fisher_reduces_to_normal_var_for_normal_moments():
    r = NormalDist().inv_cdf  # symmetric quantile grid: zero skew, tiny excess kurtosis
    grid = np.array([r((i + 0.5) / 20001) for i in range(20001)])[:, np.newaxis] * 0.01
    normal = 0.01 * NormalDist().inv_cdf(0.99)
    assert pv.cornish_fisher_var(grid, [1.0]) == pytest.approx(normal, rel=2e-3)


@pytest.mark.parametrize("alpha", [0.9, 0.95, 0.99])
def test_historical_es_contributions_sum_to_es_and_match_the_tail_mean(real_returns, alpha):
    parts = pv.es_contributions(real_returns, W, alpha=alpha)
    assert list(parts.index) == list(W)
    assert parts.sum() == pytest.approx(pv.historical_es(real_returns, W, alpha=alpha), rel=1e-12)
    values = real_returns.to_numpy()
    w = np.array(list(W.values()))
    order = np.argsort(values @ w, kind="stable")
    k = (1 - alpha) * len(values)
    m = math.ceil(k)
    tail = values[order[: m - 1]].sum(axis=0) + (k - m + 1) * values[order[m - 1]]
    np.testing.assert_allclose(parts.to_numpy(), -w * tail / k, rtol=1e-12)


def test_normal_es_contributions_are_the_euler_gradient(real_returns):
    cov = pv.covariance(real_returns)
    parts = pv.es_contributions(real_returns, W, alpha=0.975, method="normal")
    assert parts.sum() == pytest.approx(pv.parametric_es(W, cov, alpha=0.975), rel=1e-12)
    w = pd.Series(W)
    for asset in W:
        h = 1e-6
        up, down = w.copy(), w.copy()
        up[asset] += h
        down[asset] -= h
        gradient = (
            pv.parametric_es(up, cov, alpha=0.975) - pv.parametric_es(down, cov, alpha=0.975)
        ) / (2 * h)
        assert parts[asset] == pytest.approx(W[asset] * gradient, rel=1e-6)


def test_es_contributions_refuse_an_unknown_method(real_returns):
    with pytest.raises(InvalidParameterError, match="`method` must be one of"):
        pv.es_contributions(real_returns, W, method="garch")


def test_alpha_outside_the_unit_interval(real_returns):
    with pytest.raises(InvalidParameterError, match=r"`alpha` must be in the open interval"):
        pv.historical_var(real_returns, W, alpha=99)


@pytest.mark.parametrize(
    ("n_rows", "window", "alpha"),
    [(400, 100, 0.95), (300, 37, 0.9), (260, 250, 0.99), (50, 2, 0.5)],
)
def test_rolling_historical_figures_match_a_loop(n_rows, window, alpha):
    returns = factor_returns(n_rows, 3, seed=window)
    returns[n_rows // 2, 0] = -0.8  # a crash enters and leaves the windows
    returns[n_rows // 3 : n_rows // 3 + 10] = 0.001  # ties
    w = np.array([0.5, 0.3, 0.2])
    var = pv.rolling_historical_var(returns, w, window, alpha=alpha)
    es = pv.rolling_historical_es(returns, w, window, alpha=alpha)
    parts = pv.rolling_es_contributions(returns, w, window, alpha=alpha)
    assert np.isnan(var[: window - 1]).all()
    assert np.isnan(parts[: window - 1]).all()
    for t in range(window - 1, n_rows):
        rows = returns[t - window + 1 : t + 1]
        expected_var, expected_es = historical_tail_loop(rows @ w, alpha)
        assert var[t] == expected_var
        assert es[t] == pytest.approx(expected_es, rel=1e-12, abs=1e-16)
        np.testing.assert_allclose(
            parts[t], pv.es_contributions(rows, w, alpha=alpha), rtol=1e-10, atol=1e-15
        )


def test_rolling_cornish_fisher_matches_a_loop():
    returns = factor_returns(500, 3, seed=9, mean=0.3)  # a large mean tests the centring
    returns[250, 1] = 0.9
    w = np.array([0.5, 0.3, 0.2])
    result = pv.rolling_cornish_fisher_var(returns, w, 60, alpha=0.975)
    expected = [
        pv.cornish_fisher_var(returns[t - 59 : t + 1], w, alpha=0.975) for t in range(59, 500)
    ]
    assert np.isnan(result[:59]).all()
    np.testing.assert_allclose(result[59:], expected, rtol=1e-9)


def test_rolling_moments_kernel_matches_direct_sums():
    rng = np.random.default_rng(4)
    x = 0.3 + rng.standard_t(4, size=(700, 2)) * 0.01
    x[350, 0] = 1.0
    mean, m2, m3, m4 = rolling_central_moments(x, 45)
    for t in range(44, 700):
        rows = x[t - 44 : t + 1]
        centred = rows - rows.mean(axis=0)
        np.testing.assert_allclose(mean[t], rows.mean(axis=0), rtol=1e-14)
        for got, power in ((m2, 2), (m3, 3), (m4, 4)):
            expected = (centred**power).sum(axis=0)
            np.testing.assert_allclose(
                got[t], expected, rtol=1e-9, atol=1e-12 * (centred**2).sum() ** (power / 2)
            )


def test_rolling_normal_es_contributions_scale_the_risk_contributions(real_returns):
    parts = pv.rolling_es_contributions(real_returns, W, 60, alpha=0.99, method="normal")
    normal = NormalDist()
    scale = normal.pdf(normal.inv_cdf(0.99)) / 0.01
    pd.testing.assert_frame_equal(
        parts, pv.rolling_risk_contributions(real_returns, W, 60) * scale
    )


def test_rolling_outputs_keep_labels(real_returns):
    var = pv.rolling_historical_var(real_returns, W, 250)
    assert isinstance(var, pd.Series)
    assert var.index.equals(real_returns.index)
    parts = pv.rolling_es_contributions(real_returns, W, 250)
    assert list(parts.columns) == list(real_returns.columns)
