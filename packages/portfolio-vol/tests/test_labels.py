"""numpy in → numpy out; pandas in → pandas out with the labels kept and aligned."""

import numpy as np
import pandas as pd
import pytest

from portfolio_vol import (
    InvalidParameterError,
    MissingDataError,
    ShapeMismatchError,
    annualize,
    covariance,
    diversification_ratio,
    ewma_volatility,
    naive_volatility,
    parametric_es,
    parametric_var,
    portfolio_volatility,
    risk_contributions,
    rolling_risk_contributions,
    rolling_volatility,
)

ASSETS = ["MSFT", "AAPL", "KHC", "XOM", "JNJ", "PG"]


@pytest.fixture
def frame(returns):
    dates = pd.bdate_range("2024-01-01", periods=len(returns), name="date")
    return pd.DataFrame(returns, index=dates, columns=ASSETS)


@pytest.fixture
def labelled_weights(weights):
    return pd.Series(weights, index=ASSETS)


def test_numpy_in_numpy_out(returns, weights):
    assert type(covariance(returns)) is np.ndarray
    assert type(portfolio_volatility(weights, covariance(returns))) is float
    assert type(rolling_volatility(returns, weights, 20)) is np.ndarray
    assert type(risk_contributions(weights, covariance(returns)).component) is np.ndarray


def test_covariance_frame_is_labelled_by_asset(frame):
    cov = covariance(frame)
    assert list(cov.index) == ASSETS
    assert list(cov.columns) == ASSETS
    pd.testing.assert_frame_equal(cov, frame.cov(), rtol=1e-12)


def test_weights_are_aligned_by_label_not_position(frame, weights, labelled_weights):
    cov = covariance(frame)
    shuffled = labelled_weights.iloc[::-1]
    assert portfolio_volatility(shuffled, cov) == pytest.approx(
        portfolio_volatility(weights, cov.to_numpy()), rel=1e-12
    )
    as_dict = dict(zip(ASSETS[::-1], weights[::-1], strict=True))
    assert portfolio_volatility(as_dict, cov) == pytest.approx(
        portfolio_volatility(weights, cov.to_numpy())
    )


def test_risk_contributions_are_series_by_asset(frame, labelled_weights):
    result = risk_contributions(labelled_weights, covariance(frame))
    for part in (result.marginal, result.component, result.percent):
        assert isinstance(part, pd.Series)
        assert list(part.index) == ASSETS
    assert isinstance(result.volatility, float)


def test_many_named_portfolios_give_series_and_frames(frame, weights):
    portfolios = pd.DataFrame(
        [weights, np.full(6, 1 / 6)], index=["seed", "equal"], columns=ASSETS
    )
    cov = covariance(frame)
    vols = portfolio_volatility(portfolios, cov)
    assert isinstance(vols, pd.Series)
    assert list(vols.index) == ["seed", "equal"]
    assert list(diversification_ratio(portfolios, cov).index) == ["seed", "equal"]
    assert list(parametric_var(portfolios, cov).index) == ["seed", "equal"]
    components = risk_contributions(portfolios, cov).component
    assert list(components.index) == ["seed", "equal"]
    assert list(components.columns) == ASSETS
    naive = naive_volatility(portfolios, pd.Series(np.sqrt(np.diag(cov)), index=ASSETS))
    assert list(naive.index) == ["seed", "equal"]
    ewma = ewma_volatility(frame, portfolios)
    assert list(ewma.columns) == ["seed", "equal"]
    assert ewma.index.equals(frame.index)
    yearly = annualize(vols)
    assert isinstance(yearly, pd.Series)
    assert list(yearly.index) == ["seed", "equal"]
    rolling = rolling_volatility(frame, portfolios, 20)
    assert list(rolling.columns) == ["seed", "equal"]
    assert rolling.index.equals(frame.index)


def test_rolling_results_keep_the_dates(frame, labelled_weights):
    vol = rolling_volatility(frame, labelled_weights, 20)
    assert isinstance(vol, pd.Series)
    assert vol.index.equals(frame.index)
    pd.testing.assert_series_equal(
        vol, (frame @ labelled_weights).rolling(20).std(), check_names=False, rtol=1e-12
    )
    parts = rolling_risk_contributions(frame, labelled_weights, 20)
    assert parts.index.equals(frame.index)
    assert list(parts.columns) == ASSETS
    ewma = ewma_volatility(frame, labelled_weights)
    assert isinstance(ewma, pd.Series)
    assert ewma.index.equals(frame.index)


def test_drop_keeps_the_labels_of_kept_rows(frame, labelled_weights):
    frame.iloc[30, 1] = np.nan
    vol = rolling_volatility(frame, labelled_weights, 20, nan_policy="drop")
    assert frame.index[30] not in vol.index
    assert len(vol) == len(frame) - 1


def test_missing_weight_label(frame):
    with pytest.raises(ShapeMismatchError, match=r"no weight for assets \['PG'\]"):
        rolling_volatility(frame, dict.fromkeys(ASSETS[:5], 0.2), 20)


def test_unknown_weight_label(frame, weights):
    bad = dict(zip(ASSETS, weights, strict=True)) | {"TSLA": 0.1}
    with pytest.raises(ShapeMismatchError, match=r"weights for unknown assets \['TSLA'\]"):
        portfolio_volatility(bad, covariance(frame))


def test_covariance_labels_must_agree(frame, weights):
    cov = covariance(frame)
    cov.index = ASSETS[::-1]
    with pytest.raises(ShapeMismatchError, match="same labels on its index and columns"):
        portfolio_volatility(weights, cov)


@pytest.mark.parametrize(
    "call",
    [
        lambda w, cov, frame: portfolio_volatility(w, cov.to_numpy()),
        lambda w, cov, frame: risk_contributions(w, cov.to_numpy()),
        lambda w, cov, frame: naive_volatility(w, np.sqrt(np.diag(cov))),
        lambda w, cov, frame: rolling_volatility(frame.to_numpy(), w, 20),
        lambda w, cov, frame: ewma_volatility(frame.to_numpy(), w),
    ],
)
def test_labelled_weights_are_never_matched_by_position(frame, labelled_weights, call):
    # A Series of weights in another order than the unlabelled assets would silently give
    # a wrong number if taken by position.
    shuffled = labelled_weights.iloc[::-1]
    with pytest.raises(ShapeMismatchError, match="`weights` given by label need labelled assets"):
        call(shuffled, covariance(frame), frame)


def test_per_asset_means_are_aligned_by_label(frame, labelled_weights):
    cov = covariance(frame)
    means = pd.Series(np.linspace(0.001, 0.006, 6), index=ASSETS)
    expected = parametric_var(labelled_weights, cov, mean=means.to_numpy())
    assert parametric_var(labelled_weights, cov, mean=means.iloc[::-1]) == pytest.approx(
        expected, rel=1e-12
    )
    assert parametric_es(labelled_weights, cov, mean=dict(means.iloc[::-1])) == pytest.approx(
        parametric_es(labelled_weights, cov, mean=means.to_numpy()), rel=1e-12
    )


def test_mean_labels_must_match_the_assets(frame, labelled_weights):
    cov = covariance(frame)
    with pytest.raises(ShapeMismatchError, match=r"`mean` labels do not match.*\['PG'\]"):
        parametric_var(labelled_weights, cov, mean=dict.fromkeys(ASSETS[:5], 0.0))
    with pytest.raises(ShapeMismatchError, match="`mean` given by label need labelled assets"):
        parametric_var(labelled_weights.to_numpy(), cov.to_numpy(), mean={"MSFT": 0.0})
    with pytest.raises(InvalidParameterError, match="`mean` must be finite"):
        parametric_var(labelled_weights, cov, mean=dict.fromkeys(ASSETS, np.nan))


def test_duplicate_asset_labels_are_refused(frame, weights):
    # With two "MSFT" columns a weight keyed by "MSFT" would be counted twice.
    frame.columns = ["MSFT", "MSFT", "KHC", "XOM", "JNJ", "PG"]
    labelled = dict.fromkeys(["MSFT", "KHC", "XOM", "JNJ", "PG"], 0.2)
    with pytest.raises(ShapeMismatchError, match=r"asset labels must be unique.*'MSFT'"):
        rolling_volatility(frame, labelled, 20)
    with pytest.raises(ShapeMismatchError, match=r"asset labels must be unique.*'MSFT'"):
        rolling_volatility(frame, pd.Series(labelled), 20)


def test_non_numeric_frame_names_the_argument(frame):
    frame["PG"] = "n/a"
    with pytest.raises(ShapeMismatchError, match="`returns` must be numeric"):
        covariance(frame)


def test_nullable_missing_value_follows_the_nan_policy(frame):
    nullable = frame.astype("Float64")
    nullable.iloc[7, 2] = pd.NA
    with pytest.raises(MissingDataError, match=r"contains NaN at row .*, column 'KHC'"):
        covariance(nullable)
    pd.testing.assert_frame_equal(
        covariance(nullable, nan_policy="drop"), covariance(frame.drop(frame.index[7]))
    )
