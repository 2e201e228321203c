import numpy as np
import pytest
from reference import factor_returns, rolling_contributions_loop, rolling_volatility_loop

from portfolio_vol import (
    InsufficientDataError,
    InvalidParameterError,
    MissingDataError,
    ZeroVarianceError,
    rolling_risk_contributions,
    rolling_volatility,
)
from portfolio_vol._rolling import BANDED_MAX_WINDOW


@pytest.mark.parametrize(("n_rows", "window"), [(300, 60), (300, 2), (61, 60), (60, 60), (97, 13)])
def test_rolling_volatility_matches_np_cov_per_window(n_rows, window):
    returns = factor_returns(n_rows, 5, seed=n_rows + window)
    w = np.array([0.4, 0.3, -0.2, 0.3, 0.2])
    result = rolling_volatility(returns, w, window)
    expected = rolling_volatility_loop(returns, w, window)
    assert np.isnan(result[: window - 1]).all()
    # atol: where a 2-row window's volatility is tiny, wᵀΣw in the reference itself cancels.
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


def test_min_periods_fills_the_first_windows(returns, weights):
    result = rolling_volatility(returns, weights, 30, min_periods=5)
    expected = rolling_volatility_loop(returns, weights, 30, min_periods=5)
    assert np.isnan(result[:4]).all()
    assert not np.isnan(result[4:]).any()
    np.testing.assert_allclose(result, expected, rtol=1e-12)


def test_stable_where_plain_cumulative_sums_cancel():
    """Large mean, long series, and a calm regime after a wild one."""
    rng = np.random.default_rng(3)
    n_rows = 20_000
    scale = np.where(np.arange(n_rows) < n_rows // 2, 0.05, 0.0005)
    returns = 0.3 + rng.normal(size=(n_rows, 2)) * scale[:, None]
    w = np.array([0.5, 0.5])
    result = rolling_volatility(returns, w, 50)
    checked = np.r_[49:200, n_rows // 2 - 10 : n_rows // 2 + 60, n_rows - 100 : n_rows]
    expected = [np.std(returns[t - 49 : t + 1] @ w, ddof=1) for t in checked]
    np.testing.assert_allclose(result[checked], expected, rtol=1e-12)
    # The textbook one-pass formula on global prefix sums fails this test by orders of magnitude.
    r_p = returns @ w
    s1, s2 = np.cumsum(np.r_[0, r_p]), np.cumsum(np.r_[0, r_p**2])
    naive = np.sqrt(np.abs((s2[50:] - s2[:-50] - (s1[50:] - s1[:-50]) ** 2 / 50) / 49))
    assert np.max(np.abs(naive[checked - 49] / expected - 1)) > 1e-9


# Rolling contributions take banded products up to BANDED_MAX_WINDOW, the blocked O(T·N)
# kernel beyond: both are tested.
KERNEL_WINDOWS = [60, BANDED_MAX_WINDOW + 22]


@pytest.mark.parametrize("window", KERNEL_WINDOWS)
def test_a_huge_day_does_not_blur_the_windows_around_it(window):
    """A +100 % day (a takeover) among 0.1 % days: windows near it, with or without it,
    must still match the per-window two-pass formula."""
    rng = np.random.default_rng(5)
    returns = rng.normal(scale=0.001, size=(400, 2))
    returns[200, 0] = 1.0
    w = np.array([0.6, 0.4])
    expected = rolling_volatility_loop(returns, w, window)
    np.testing.assert_allclose(rolling_volatility(returns, w, window), expected, rtol=1e-12)
    np.testing.assert_allclose(
        rolling_risk_contributions(returns, w, window),
        rolling_contributions_loop(returns, w, window),
        rtol=1e-12,
        atol=1e-15,
    )


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize(
    ("n_rows", "window"),
    [(97, 13), (301, 7), (60, 60), (61, 60), (400, BANDED_MAX_WINDOW), (400, 129)],
)
def test_rolling_contributions_match_np_cov_in_either_kernel_and_layout(n_rows, window, order):
    """Rows not a multiple of the window, one window only, both sides of the kernel
    switch; a DataFrame's values are column-major, an ndarray's usually row-major."""
    returns = np.asarray(factor_returns(n_rows, 5, seed=window, mean=0.3), order=order)
    w = np.array([0.4, 0.3, -0.2, 0.3, 0.2])
    result = rolling_risk_contributions(returns, w, window)
    assert np.isnan(result[: window - 1]).all()
    expected = rolling_contributions_loop(returns, w, window)
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


def test_many_portfolios_at_once_equal_single_calls(returns):
    many = np.random.default_rng(4).uniform(size=(7, 6))
    result = rolling_volatility(returns, many, 40)
    assert result.shape == (300, 7)
    for k, w in enumerate(many):
        np.testing.assert_allclose(result[:, k], rolling_volatility(returns, w, 40), rtol=1e-12)


def test_rolling_contributions_match_np_cov_per_window(returns, weights):
    result = rolling_risk_contributions(returns, weights, 60)
    expected = rolling_contributions_loop(returns, weights, 60)
    assert np.isnan(result[:59]).all()
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


def test_rolling_contributions_sum_to_rolling_volatility(returns, weights):
    parts = rolling_risk_contributions(returns, weights, 25)
    np.testing.assert_allclose(
        parts.sum(axis=1)[24:], rolling_volatility(returns, weights, 25)[24:], rtol=1e-12
    )


def test_drop_policy_uses_the_kept_rows(returns, weights):
    holed = returns.copy()
    holed[10, 2] = np.nan
    keep = np.arange(len(returns)) != 10
    np.testing.assert_allclose(
        rolling_volatility(holed, weights, 20, nan_policy="drop"),
        rolling_volatility(returns[keep], weights, 20),
        rtol=1e-12,
    )


def test_window_longer_than_the_data(returns, weights):
    with pytest.raises(
        InsufficientDataError, match=r"`window` \(301\) is longer than the data \(300 rows\)"
    ):
        rolling_volatility(returns, weights, 301)


def test_window_of_one(returns, weights):
    with pytest.raises(InvalidParameterError, match="`window` must be an integer >= 2, got 1"):
        rolling_risk_contributions(returns, weights, 1)


def test_min_periods_out_of_range(returns, weights):
    with pytest.raises(
        InvalidParameterError, match=r"`min_periods` must be an integer in \[2, window=20\]"
    ):
        rolling_volatility(returns, weights, 20, min_periods=21)


def test_nan_in_returns_raises(returns, weights):
    returns[4, 0] = np.nan
    with pytest.raises(MissingDataError, match="`returns` contains NaN at row 4, column 0"):
        rolling_volatility(returns, weights, 20)


def test_pairwise_is_refused_for_rolling(returns, weights):
    with pytest.raises(InvalidParameterError, match="pairwise is only for covariance"):
        rolling_volatility(returns, weights, 20, nan_policy="pairwise")


def test_constant_window_has_undefined_contributions(returns, weights):
    returns[100:130] = 0.01
    with pytest.raises(ZeroVarianceError, match="zero variance in the window ending at row 129"):
        rolling_risk_contributions(returns, weights, 30)


def test_rolling_contributions_take_one_portfolio(returns):
    with pytest.raises(InvalidParameterError, match=r"`weights` must be one portfolio"):
        rolling_risk_contributions(returns, np.ones((2, 6)), 30)


def test_zero_variance_window_named_by_its_row_before_dropping(returns, weights):
    returns[100:130] = 0.01
    returns[5, 0] = np.nan
    with pytest.raises(ZeroVarianceError, match="zero variance in the window ending at row 129"):
        rolling_risk_contributions(returns, weights, 30, nan_policy="drop")
