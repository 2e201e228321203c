"""Dates out of order or repeated are refused in every function that takes prices or returns."""

import numpy as np
import pandas as pd
import pytest

import portfolio_vol as pv
from portfolio_vol import ShapeMismatchError, UnsortedIndexError

W = [0.5, 0.3, 0.2]


def _returns(dates):
    values = np.random.default_rng(0).normal(scale=0.01, size=(len(dates), 3))
    return pd.DataFrame(values, index=pd.to_datetime(dates), columns=["A", "B", "C"])


CALLS = {
    "returns_from_prices": lambda r: pv.returns_from_prices(r + 1),
    "covariance": lambda r: pv.covariance(r),
    "covariance ewma": lambda r: pv.covariance(r, method="ewma"),
    "SampleCovariance.fit": lambda r: pv.SampleCovariance().fit(r),
    "EWMACovariance.fit": lambda r: pv.EWMACovariance().fit(r),
    "LedoitWolfCovariance.fit": lambda r: pv.LedoitWolfCovariance().fit(r),
    "OASCovariance.fit": lambda r: pv.OASCovariance().fit(r),
    "rolling_volatility": lambda r: pv.rolling_volatility(r, W, 2),
    "rolling_risk_contributions": lambda r: pv.rolling_risk_contributions(r, W, 2),
    "ewma_volatility": lambda r: pv.ewma_volatility(r, W),
    "historical_var": lambda r: pv.historical_var(r, W),
    "historical_es": lambda r: pv.historical_es(r, W),
    "cornish_fisher_var": lambda r: pv.cornish_fisher_var(r, W),
    "es_contributions": lambda r: pv.es_contributions(r, W),
    "es_contributions normal": lambda r: pv.es_contributions(r, W, method="normal"),
    "rolling_historical_var": lambda r: pv.rolling_historical_var(r, W, 2),
    "rolling_historical_es": lambda r: pv.rolling_historical_es(r, W, 2),
    "rolling_cornish_fisher_var": lambda r: pv.rolling_cornish_fisher_var(r, W, 3),
    "rolling_es_contributions": lambda r: pv.rolling_es_contributions(r, W, 2),
    "rolling_es_contributions normal": lambda r: pv.rolling_es_contributions(
        r, W, 2, method="normal"
    ),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_newest_first_is_refused_naming_the_first_pair(call):
    newest_first = _returns(["2020-01-06", "2020-01-03", "2020-01-02", "2020-01-01"])
    with pytest.raises(
        UnsortedIndexError, match="2020-01-06 is followed by the earlier 2020-01-03"
    ) as info:
        call(newest_first)
    assert info.value.row == 1
    assert info.value.first == pd.Timestamp("2020-01-06")


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_repeated_date_is_refused(call):
    repeated = _returns(["2020-01-01", "2020-01-02", "2020-01-02", "2020-01-03"])
    with pytest.raises(UnsortedIndexError, match="2020-01-02 is repeated"):
        call(repeated)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_dates_as_columns_are_refused_as_transposed(call):
    transposed = _returns(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-06"]).T
    with pytest.raises(ShapeMismatchError, match="looks transposed"):
        call(transposed)


def test_the_issue_example_no_longer_runs_backwards():
    prices = pd.DataFrame(
        {"A": [100.0, 110.0, 99.0]},
        index=pd.to_datetime(["2020-01-03", "2020-01-02", "2020-01-01"]),
    )
    with pytest.raises(UnsortedIndexError, match=r"rows 0 and 1\); sort them first"):
        pv.returns_from_prices(prices)
    np.testing.assert_allclose(
        pv.returns_from_prices(prices.sort_index())["A"], [110 / 99 - 1, 100 / 110 - 1]
    )


def test_iso_date_strings_as_the_index_are_checked_too():
    prices = pd.DataFrame({"A": [1.0, 2.0, 3.0]}, index=["2020-01-02", "2020-01-01", "2020-01-03"])
    with pytest.raises(
        UnsortedIndexError, match="2020-01-02 is followed by the earlier 2020-01-01"
    ):
        pv.returns_from_prices(prices)


def test_an_index_that_is_not_dates_is_taken_as_given():
    prices = pd.DataFrame({"A": [1.0, 2.0, 4.0]}, index=["c", "b", "a"])
    np.testing.assert_allclose(pv.returns_from_prices(prices)["A"], [1.0, 1.0])


def test_period_index_is_checked():
    prices = pd.DataFrame(
        {"A": [1.0, 2.0, 4.0]}, index=pd.PeriodIndex(["2020-03", "2020-01", "2020-02"], freq="M")
    )
    with pytest.raises(UnsortedIndexError):
        pv.returns_from_prices(prices)


@pytest.mark.parametrize(
    "tickers",
    [
        ["7203", "6758", "9984"],  # Tokyo
        ["2002", "2201", "2269"],  # Tokyo codes that read as years
        ["600519", "000001", "300750"],  # Shanghai and Shenzhen
        ["0005", "0700", "1299"],  # Hong Kong
    ],
)
def test_numeric_tickers_are_not_taken_for_dates(tickers):
    returns = _returns(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-06"])
    returns.columns = tickers
    for call in CALLS.values():
        call(returns)  # not refused as transposed
    by_label = dict(zip(tickers, W, strict=True))
    expected = pv.rolling_volatility(returns.to_numpy(), W, 2)
    np.testing.assert_allclose(pv.rolling_volatility(returns, by_label, 2), expected)


NEWEST_FIRST = pd.to_datetime(["2020-01-06", "2020-01-03", "2020-01-02", "2020-01-01"])


@pytest.mark.parametrize(
    "index",
    [
        [d.date() for d in NEWEST_FIRST],  # datetime.date objects, e.g. from df.index.date
        pd.Index(list(NEWEST_FIRST), dtype=object),  # Timestamps in an object index
        [d.to_pydatetime() for d in NEWEST_FIRST],
        ["2020-01-06T09:30:00-05:00", "2020-01-03T09:30:00-05:00", "2020-01-02", "2020-01-01"],
    ],
    ids=["date", "Timestamp", "datetime", "iso-with-offset"],
)
def test_dates_held_as_objects_are_checked_too(index):
    newest_first = _returns(NEWEST_FIRST).set_axis(pd.Index(index, dtype=object))
    for call in CALLS.values():
        with pytest.raises(UnsortedIndexError, match=r"2020-01-06.* is followed by the earlier"):
            call(newest_first)
        with pytest.raises(ShapeMismatchError, match="looks transposed"):
            call(newest_first.iloc[::-1].T)
