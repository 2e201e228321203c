import numpy as np
import pandas as pd
import pytest

from portfolio_vol import (
    InsufficientDataError,
    InvalidParameterError,
    MissingDataError,
    NonPositivePriceError,
    returns_from_prices,
)

PRICES = np.array([[100.0, 50.0], [110.0, 45.0], [99.0, 45.0], [99.0, 54.0]])


def test_simple_returns_match_a_loop():
    expected = [[PRICES[t, j] / PRICES[t - 1, j] - 1 for j in range(2)] for t in range(1, 4)]
    np.testing.assert_allclose(returns_from_prices(PRICES), expected, rtol=1e-15)


def test_log_returns_match_a_loop():
    expected = [[np.log(PRICES[t, j] / PRICES[t - 1, j]) for j in range(2)] for t in range(1, 4)]
    np.testing.assert_allclose(returns_from_prices(PRICES, log=True), expected, rtol=1e-15)


def test_one_dimensional_prices_give_one_dimensional_returns():
    np.testing.assert_allclose(returns_from_prices([100.0, 110.0, 99.0]), [0.1, -0.1])


def test_dataframe_keeps_columns_and_end_of_period_index():
    dates = pd.date_range("2024-01-01", periods=4, freq="B")
    prices = pd.DataFrame(PRICES, index=dates, columns=["AAPL", "MSFT"])
    result = returns_from_prices(prices)
    assert isinstance(result, pd.DataFrame)
    assert list(result.columns) == ["AAPL", "MSFT"]
    assert result.index.equals(dates[1:])
    pd.testing.assert_frame_equal(result, prices.pct_change().iloc[1:])


def test_series_gives_series_with_its_name():
    prices = pd.Series([100.0, 110.0, 99.0], name="AAPL")
    result = returns_from_prices(prices)
    assert isinstance(result, pd.Series)
    assert result.name == "AAPL"
    assert list(result.index) == [1, 2]


def test_non_positive_price_names_row_and_column():
    prices = pd.DataFrame(
        [[100.0, 50.0], [0.0, 45.0]], index=["mon", "tue"], columns=["AAPL", "MSFT"]
    )
    with pytest.raises(
        NonPositivePriceError, match=r"got 0.0 at row 'tue', column 'AAPL'"
    ) as info:
        returns_from_prices(prices)
    assert (info.value.row, info.value.column) == ("tue", "AAPL")


def test_negative_price_in_numpy_names_positions():
    with pytest.raises(NonPositivePriceError, match=r"got -1.0 at row 2, column 1"):
        returns_from_prices([[1.0, 1.0], [1.0, 2.0], [1.0, -1.0]])


def test_nan_price_raises_by_default():
    with pytest.raises(MissingDataError, match=r"`prices` contains nan at row 1, column 0"):
        returns_from_prices([[1.0, 1.0], [np.nan, 2.0], [1.0, 2.0]])


def test_inf_price_always_raises():
    with pytest.raises(MissingDataError, match=r"`prices` contains inf"):
        returns_from_prices([[1.0, 1.0], [np.inf, 2.0], [1.0, 2.0]], nan_policy="drop")


def test_drop_spans_the_gap():
    result = returns_from_prices([[1.0, 1.0], [np.nan, 2.0], [2.0, 4.0]], nan_policy="drop")
    np.testing.assert_allclose(result, [[1.0, 3.0]])


def test_one_row_is_not_enough():
    with pytest.raises(InsufficientDataError, match="at least two complete rows"):
        returns_from_prices([[1.0, 2.0]])


def test_pairwise_is_not_a_policy_for_prices():
    with pytest.raises(InvalidParameterError, match="`nan_policy` must be one of"):
        returns_from_prices(PRICES, nan_policy="pairwise")


def test_numpy_rows_are_named_by_their_position_before_dropping():
    prices = np.array([[1.0, 2.0], [np.nan, 2.0], [-1.0, 3.0]])
    with pytest.raises(NonPositivePriceError, match=r"got -1.0 at row 2, column 0") as info:
        returns_from_prices(prices, nan_policy="drop")
    assert (info.value.row, info.value.column) == (2, 0)
