import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from reference import ewma_covariance_loop, factor_returns, ledoit_wolf_literal

from portfolio_vol import (
    CovarianceRepairWarning,
    InsufficientDataError,
    InvalidParameterError,
    MissingDataError,
    MissingExtraError,
    ShapeMismatchError,
    covariance,
)


def test_sample_matches_np_cov(returns):
    np.testing.assert_allclose(covariance(returns), np.cov(returns, rowvar=False), rtol=1e-12)
    np.testing.assert_allclose(
        covariance(returns, ddof=0), np.cov(returns, rowvar=False, ddof=0), rtol=1e-12
    )


def test_sample_is_exactly_symmetric(returns):
    cov = covariance(returns)
    assert np.array_equal(cov, cov.T)


def test_ewma_matches_the_recursion(returns):
    expected = ewma_covariance_loop(returns, 0.94)[-1]
    np.testing.assert_allclose(covariance(returns, method="ewma"), expected, rtol=1e-12)


def test_ewma_long_history_matches_the_recursion():
    """Past ~1,100 rows λ=0.94 weights drop below 1e-30 and those rows are skipped."""
    returns = factor_returns(3000, 4, seed=9)
    returns[:1500] *= 100  # a wild distant past must still not show
    expected = ewma_covariance_loop(returns, 0.94)[-1]
    np.testing.assert_allclose(covariance(returns, method="ewma"), expected, rtol=1e-12)


def test_ewma_halflife_sets_lambda(returns):
    lam = 0.5 ** (1 / 20)
    expected = ewma_covariance_loop(returns, lam)[-1]
    np.testing.assert_allclose(
        covariance(returns, method="ewma", halflife=20), expected, rtol=1e-12
    )


def test_ewma_is_zero_mean_riskmetrics_not_pandas_demeaned(returns):
    shifted = returns + 0.01
    ours = covariance(shifted, method="ewma", lam=0.9)
    demeaned = pd.DataFrame(shifted).ewm(alpha=0.1, adjust=False).cov().iloc[-6:].to_numpy()
    assert not np.allclose(ours, demeaned, rtol=1e-3)
    # Same recursion on the raw squares: pandas' adjust=False mean of r².
    squares = pd.Series(shifted[:, 0] ** 2).ewm(alpha=0.1, adjust=False).mean().iloc[-1]
    assert ours[0, 0] == pytest.approx(squares, rel=1e-12)


def test_ledoit_wolf_matches_the_literal_formula_and_sklearn(returns):
    from sklearn.covariance import LedoitWolf

    expected, _ = ledoit_wolf_literal(returns[:40])
    np.testing.assert_allclose(
        covariance(returns[:40], method="ledoit_wolf"), expected, rtol=1e-12
    )
    np.testing.assert_allclose(
        covariance(returns, method="ledoit_wolf"),
        LedoitWolf().fit(returns).covariance_,
        rtol=1e-12,
    )


def test_oas_matches_sklearn(returns):
    from sklearn.covariance import OAS

    np.testing.assert_allclose(
        covariance(returns, method="oas"), OAS().fit(returns).covariance_, rtol=1e-12
    )


def test_drop_removes_incomplete_rows(returns):
    holed = returns.copy()
    holed[[3, 50], [1, 4]] = np.nan
    keep = np.ones(len(returns), bool)
    keep[[3, 50]] = False
    np.testing.assert_allclose(
        covariance(holed, nan_policy="drop"), np.cov(returns[keep], rowvar=False), rtol=1e-12
    )


def test_pairwise_matches_pandas(returns):
    holed = pd.DataFrame(returns.copy())
    holed.iloc[:40, 0] = np.nan
    holed.iloc[100:130, 3] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = covariance(holed, nan_policy="pairwise")
    pd.testing.assert_frame_equal(ours, holed.cov(), rtol=1e-12)


def test_pairwise_repairs_a_non_psd_result_with_a_warning():
    # Three assets observed in disjoint pairs: +1, +1 and −1 correlations cannot coexist.
    x = np.array([1.0, -1.0, 2.0, -2.0])
    returns = np.full((12, 3), np.nan)
    returns[0:4, 0], returns[0:4, 1] = x, x
    returns[4:8, 1], returns[4:8, 2] = x, x
    returns[8:12, 0], returns[8:12, 2] = x, -x
    with pytest.warns(CovarianceRepairWarning, match="not positive semi-definite"):
        cov = covariance(returns, nan_policy="pairwise")
    assert np.linalg.eigvalsh(cov)[0] >= -1e-12
    assert np.array_equal(cov, cov.T)


def test_nan_raises_by_default_naming_the_cell(returns):
    holed = pd.DataFrame(returns, columns=list("ABCDEF"))
    holed.iloc[7, 2] = np.nan
    with pytest.raises(MissingDataError, match=r"`returns` contains NaN at row 7, column 'C'"):
        covariance(holed)


def test_inf_raises_under_every_policy(returns):
    returns[5, 1] = np.inf
    for policy in ("raise", "drop", "pairwise"):
        with pytest.raises(MissingDataError, match=r"`returns` contains inf at row 5, column 1"):
            covariance(returns, nan_policy=policy)


def test_pairwise_only_for_sample_and_ewma(returns):
    with pytest.raises(
        InvalidParameterError, match="only supported with method='sample' or 'ewma', not 'oas'"
    ):
        covariance(returns, method="oas", nan_policy="pairwise")


def test_unknown_method(returns):
    with pytest.raises(InvalidParameterError, match=r"`method` must be one of .*got 'garch'"):
        covariance(returns, method="garch")


def test_unknown_nan_policy(returns):
    with pytest.raises(InvalidParameterError, match="`nan_policy` must be one of"):
        covariance(returns, nan_policy="ignore")


def test_halflife_only_for_ewma(returns):
    with pytest.raises(InvalidParameterError, match="`halflife` only applies to method='ewma'"):
        covariance(returns, halflife=10)


def test_lam_outside_the_unit_interval(returns):
    with pytest.raises(
        InvalidParameterError, match=r"`lam` must be in the open interval \(0, 1\)"
    ):
        covariance(returns, method="ewma", lam=1.0)


def test_non_positive_halflife(returns):
    with pytest.raises(InvalidParameterError, match="`halflife` must be > 0"):
        covariance(returns, method="ewma", halflife=0)


def test_negative_ddof(returns):
    with pytest.raises(InvalidParameterError, match="`ddof` must be an integer >= 0, got -1"):
        covariance(returns, ddof=-1)


def test_too_few_rows():
    with pytest.raises(InsufficientDataError, match="has 1 rows; this estimate needs at least 2"):
        covariance([[0.01, 0.02]])


def test_pairwise_with_too_few_shared_rows():
    returns = np.array([[0.01, np.nan], [0.02, np.nan], [np.nan, 0.01], [0.0, 0.03]])
    with pytest.raises(InsufficientDataError, match="assets 0 and 1 share 1 complete rows"):
        covariance(returns, nan_policy="pairwise")


def test_returns_must_be_two_dimensional():
    with pytest.raises(
        ShapeMismatchError, match=r"`returns` must be 2-D of shape \(T, N\), got 1-D"
    ):
        covariance([0.01, 0.02, 0.03])


def test_shrinkage_without_sklearn_names_the_extra(returns, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.covariance", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'portfolio-vol\[sklearn\]'"):
        covariance(returns, method="ledoit_wolf")
