"""Weights that change over time in rolling_volatility: held between rebalancing dates, or
drifting with the returns, against w_tᵀ np.cov(window) w_t date by date."""

import numpy as np
import pandas as pd
import pytest
from reference import factor_returns, rolling_volatility_by_date_loop

import portfolio_vol as pv
from portfolio_vol import InvalidParameterError, ShapeMismatchError, UnsortedIndexError

DATES = pd.bdate_range("2021-01-01", periods=300)


@pytest.fixture
def returns():
    return pd.DataFrame(factor_returns(300, 3, seed=11), index=DATES, columns=["A", "B", "C"])


@pytest.fixture
def rebalancing():
    return pd.DataFrame(
        [[0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.0, 0.9, 0.1]],
        index=DATES[[10, 120, 200]],
        columns=["C", "A", "B"][::-1],  # labels, not positions, decide
    )


def _held(rebalancing, n_rows):
    rows = np.full((n_rows, 3), np.nan)
    positions = DATES.get_indexer(rebalancing.index)
    for k, start in enumerate(positions):
        rows[start:] = rebalancing[["A", "B", "C"]].to_numpy()[k]
    return rows


def test_held_weights_match_the_loop(returns, rebalancing):
    result = pv.rolling_volatility(returns, rebalancing, 30)
    expected = rolling_volatility_by_date_loop(returns.to_numpy(), _held(rebalancing, 300), 30)
    assert np.isnan(result.iloc[:29]).all()
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-12)


def test_weights_at_every_date_equal_fixed_weights_when_constant(returns):
    every = pd.DataFrame([[0.2, 0.3, 0.5]] * 300, index=DATES, columns=["A", "B", "C"])
    pd.testing.assert_series_equal(
        pv.rolling_volatility(returns, every, 40),
        pv.rolling_volatility(returns, [0.2, 0.3, 0.5], 40),
    )


def test_drifting_weights_follow_buy_and_hold(returns, rebalancing):
    result = pv.rolling_volatility(returns, rebalancing, 30, drift=True)
    values = returns.to_numpy()
    drifted = _held(rebalancing, 300)
    starts = set(DATES.get_indexer(rebalancing.index))
    for t in range(11, 300):
        if t in starts:
            continue
        w = drifted[t - 1]
        # Holdings grow with their returns; the rest (1 − Σw) is cash at 0.
        drifted[t] = w * (1 + values[t]) / (1 + w @ values[t])
    expected = rolling_volatility_by_date_loop(values, drifted, 30)
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-12)
    assert not np.allclose(
        result.iloc[40:120], pv.rolling_volatility(returns, rebalancing, 30).iloc[40:120]
    )


def test_weights_on_a_date_without_returns_are_refused(returns):
    weights = pd.DataFrame(
        [[1.0, 0.0, 0.0]], index=[pd.Timestamp("2021-01-02")], columns=["A", "B", "C"]
    )
    with pytest.raises(ShapeMismatchError, match="not a date of `returns`"):
        pv.rolling_volatility(returns, weights, 30)


def test_weights_dates_out_of_order_are_refused(returns, rebalancing):
    with pytest.raises(UnsortedIndexError, match="`weights` dates must be strictly increasing"):
        pv.rolling_volatility(returns, rebalancing.iloc[::-1], 30)


def test_drift_needs_weights_by_date(returns):
    with pytest.raises(InvalidParameterError, match="`drift=True` needs weights indexed by date"):
        pv.rolling_volatility(returns, [0.2, 0.3, 0.5], 30, drift=True)


def test_weights_by_date_need_dated_returns(rebalancing):
    with pytest.raises(ShapeMismatchError, match="need returns indexed by date"):
        pv.rolling_volatility(factor_returns(300, 3), rebalancing, 30)


def test_an_asset_never_held_may_have_missing_returns(returns, rebalancing):
    rebalancing = rebalancing.assign(D=0.0)
    with_gap = returns.assign(D=np.nan)
    for drift in (False, True):
        pd.testing.assert_series_equal(
            pv.rolling_volatility(with_gap, rebalancing, 30, drift=drift),
            pv.rolling_volatility(returns, rebalancing.drop(columns="D"), 30, drift=drift),
        )


ONLY_FIXED_WEIGHTS = {
    "rolling_risk_contributions": lambda r, w: pv.rolling_risk_contributions(r, w, 30),
    "ewma_volatility": pv.ewma_volatility,
    "historical_var": pv.historical_var,
    "historical_es": pv.historical_es,
    "cornish_fisher_var": pv.cornish_fisher_var,
    "es_contributions": pv.es_contributions,
    "rolling_historical_var": lambda r, w: pv.rolling_historical_var(r, w, 100),
    "rolling_historical_es": lambda r, w: pv.rolling_historical_es(r, w, 100),
    "rolling_cornish_fisher_var": lambda r, w: pv.rolling_cornish_fisher_var(r, w, 100),
    "rolling_es_contributions": lambda r, w: pv.rolling_es_contributions(r, w, 100),
}


@pytest.mark.parametrize("call", ONLY_FIXED_WEIGHTS.values(), ids=ONLY_FIXED_WEIGHTS.keys())
def test_weights_by_date_are_refused_where_weights_are_fixed(returns, rebalancing, call):
    # Taken as K portfolios named by date, they gave e.g. a historical VaR "per date" that
    # was each rebalanced portfolio's VaR over the whole sample.
    with pytest.raises(ShapeMismatchError, match="only `rolling_volatility` takes weights"):
        call(returns, rebalancing)


@pytest.mark.parametrize("call", ["ewma_volatility", "historical_var", "rolling_historical_es"])
def test_named_portfolios_still_work_where_weights_are_fixed(returns, rebalancing, call):
    named = rebalancing.set_axis(["p1", "p2", "p3"])
    result = ONLY_FIXED_WEIGHTS[call](returns, named)
    labels = result.index if result.ndim == 1 else result.columns
    assert list(labels) == ["p1", "p2", "p3"]
