"""Late listers and delistings on real prices (skfolio's S&P 500 set joined with two ETFs
that list on 2014-01-02; see data/README.md), against pandas, skfolio and plain loops."""

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference import pairwise_ewma_loop
from skfolio.moments import EWCovariance

import portfolio_vol as pv
from portfolio_vol import CovarianceRepairWarning, InsufficientDataError, MissingDataError

PRICES = Path(__file__).parent / "data" / "sp500_etf_2013_2015.csv"


@pytest.fixture(scope="module")
def prices():
    return pd.read_csv(PRICES, index_col="date", parse_dates=True)


@pytest.fixture(scope="module")
def returns(prices):
    return pv.returns_from_prices(prices, nan_policy="keep")


def test_keep_matches_pandas_pct_change(prices, returns):
    expected = prices.pct_change(fill_method=None).iloc[1:]
    pd.testing.assert_frame_equal(returns, expected, rtol=1e-15, atol=0)
    assert returns["MTUM"].isna().sum() == 128
    assert returns["AAPL"].notna().all()


def test_keep_leaves_a_gap_as_two_missing_returns():
    prices = np.array([[1.0], [2.0], [np.nan], [4.0], [8.0]])
    np.testing.assert_array_equal(
        pv.returns_from_prices(prices, nan_policy="keep")[:, 0], [1.0, np.nan, np.nan, 1.0]
    )


def test_sample_pairwise_matches_pandas_cov(returns):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CovarianceRepairWarning)
        result = pv.covariance(returns, nan_policy="pairwise")
    pd.testing.assert_frame_equal(result, returns.cov(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("lam", [0.94, 0.97])
def test_pairwise_ewma_matches_the_pair_by_pair_loop(returns, lam):
    expected = pairwise_ewma_loop(returns.to_numpy(), lam)[-1]
    result = pv.covariance(returns, method="ewma", lam=lam, nan_policy="pairwise")
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-12, atol=1e-19)


def test_pairwise_ewma_agrees_with_skfolio_where_the_start_no_longer_matters(returns):
    """skfolio starts at zero and divides by 1 − λ^n; we start at the first outer product.
    After 503 returns of the late listers the difference is of order 0.94^503 ≈ 3e-14."""
    half_life = math.log(0.5) / math.log(0.94)
    expected = EWCovariance(half_life=half_life, min_observations=1).fit(returns).covariance_
    result = pv.covariance(returns, method="ewma", nan_policy="pairwise").to_numpy()
    np.testing.assert_allclose(result, expected, rtol=1e-12)


def test_pairwise_ewma_without_nan_is_the_plain_estimate(returns):
    complete = returns.dropna()
    np.testing.assert_array_equal(
        pv.covariance(complete, method="ewma", nan_policy="pairwise"),
        pv.covariance(complete, method="ewma"),
    )


def test_pairwise_ewma_with_holidays_matches_the_loop():
    rng = np.random.default_rng(2)
    values = rng.normal(scale=0.01, size=(400, 4))
    values[rng.uniform(size=values.shape) < 0.05] = np.nan  # scattered holidays
    values[:50, 3] = np.nan  # and a late lister
    expected = pairwise_ewma_loop(values, 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CovarianceRepairWarning)
        result = pv.covariance(values, method="ewma", lam=0.9, nan_policy="pairwise")
    np.testing.assert_allclose(result, expected[-1], rtol=1e-12)
    w = np.array([0.4, 0.3, 0.2, 0.1])
    vols = pv.ewma_volatility(values, w, lam=0.9, nan_policy="pairwise")
    loop = [math.sqrt(w @ c @ w) if not np.isnan(c).any() else np.nan for c in expected]
    np.testing.assert_allclose(vols, loop, rtol=1e-10, atol=1e-15)


def test_a_negative_pairwise_ewma_variance_is_nan_with_a_warning():
    # A new listing whose first return matches a large move of the old asset: the pair
    # starts at that one outer product, and wᵀA_tw < 0 for the long-short pair. It was
    # clipped to a volatility of 0 without a word.
    values = np.full((60, 2), 0.01)
    values[:49, 1] = np.nan
    values[49] = [0.05, 0.05]
    w = [1.0, -1.0]
    history = pairwise_ewma_loop(values, 0.94)
    variances = np.array([w @ c @ w for c in history])
    assert variances[49] < 0
    with pytest.warns(CovarianceRepairWarning, match="negative .* at row 49"):
        vols = pv.ewma_volatility(values, w, nan_policy="pairwise")
    negative = np.nan_to_num(variances, nan=1.0) < 0
    assert np.isnan(vols[negative]).all()
    defined = ~np.isnan(variances) & ~negative
    np.testing.assert_allclose(vols[defined], np.sqrt(variances[defined]), rtol=1e-10)


def test_a_riskless_pairwise_portfolio_is_zero_not_negative():
    rng = np.random.default_rng(4)
    twin = rng.normal(scale=0.01, size=300)
    values = np.column_stack([twin, twin, rng.normal(scale=0.01, size=300)])
    values[rng.uniform(size=300) < 0.2, :2] = np.nan  # the twins share their holidays
    values[rng.uniform(size=300) < 0.2, 2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", CovarianceRepairWarning)  # round-off is not negative
        vols = pv.ewma_volatility(values, [1.0, -1.0, 1e-9], nan_policy="pairwise")
    defined = vols[~np.isnan(vols)]
    assert defined.size > 250
    assert (defined < 1e-10).all()  # |w_C| σ_C, eight orders below σ


def test_pairwise_ewma_volatility_on_real_prices(returns):
    w = pd.Series({"AAPL": 0.3, "MSFT": 0.2, "JPM": 0.1, "MTUM": 0.3, "USMV": 0.1})
    held = returns[w.index]
    history = pairwise_ewma_loop(held.to_numpy(), 0.94)
    expected = [
        math.sqrt(w.to_numpy() @ c @ w.to_numpy()) if not np.isnan(c).any() else np.nan
        for c in history
    ]
    result = pv.ewma_volatility(
        returns, w.to_dict() | {"XOM": 0.0, "KO": 0.0}, nan_policy="pairwise"
    )
    assert result.index.equals(returns.index)
    assert result.isna().sum() == 128  # until the ETFs have their first return
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-12)


def test_pairs_that_never_meet_are_an_error():
    values = np.array([[0.01, np.nan], [0.02, np.nan], [np.nan, 0.01]])
    with pytest.raises(InsufficientDataError, match="assets 0 and 1 have no date"):
        pv.covariance(values, method="ewma", nan_policy="pairwise")


def test_pairwise_is_not_offered_where_it_has_no_meaning(returns):
    with pytest.raises(pv.InvalidParameterError, match="pairwise is only for covariance"):
        pv.rolling_volatility(returns, [1 / 7] * 7, 20, nan_policy="pairwise")


def test_a_weight_zero_delisted_asset_never_shortens_the_results(returns):
    """XOM 'delists' after 300 days: with weight 0 nothing may be cut at its delisting."""
    delisted = returns.copy()
    delisted.iloc[300:, delisted.columns.get_loc("XOM")] = np.nan
    held = {"AAPL": 0.5, "MSFT": 0.3, "KO": 0.2}
    weights = held | {"JPM": 0.0, "XOM": 0.0, "MTUM": 0.0, "USMV": 0.0}
    subset = returns[list(held)]
    pd.testing.assert_series_equal(
        pv.rolling_volatility(delisted, weights, 60), pv.rolling_volatility(subset, held, 60)
    )
    pd.testing.assert_series_equal(
        pv.ewma_volatility(delisted, weights), pv.ewma_volatility(subset, held)
    )
    pd.testing.assert_series_equal(
        pv.rolling_volatility(delisted, weights, 60, nan_policy="drop"),
        pv.rolling_volatility(subset, held, 60),
    )
    parts = pv.rolling_risk_contributions(delisted, weights, 60)
    assert list(parts.columns) == list(returns.columns)
    pd.testing.assert_frame_equal(
        parts[list(held)], pv.rolling_risk_contributions(subset, held, 60)
    )
    assert (parts["XOM"].iloc[59:] == 0).all()
    assert pv.historical_var(delisted, weights) == pv.historical_var(subset, held)


def test_a_held_asset_with_a_gap_still_raises(returns):
    with pytest.raises(
        MissingDataError, match=r"row Timestamp\('2013-07-02 00:00:00'\), column 'MTUM'"
    ):
        pv.rolling_volatility(returns, dict.fromkeys(returns.columns, 1 / 7), 60)
