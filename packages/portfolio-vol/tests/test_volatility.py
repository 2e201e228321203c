import math

import numpy as np
import pytest

from portfolio_vol import (
    InvalidCovarianceError,
    InvalidParameterError,
    MissingDataError,
    ShapeMismatchError,
    ZeroVarianceError,
    annualize,
    covariance,
    diversification_ratio,
    naive_volatility,
    portfolio_volatility,
)


def test_matches_the_quadratic_form_and_the_portfolio_return_std(returns, weights):
    cov = np.cov(returns, rowvar=False)
    expected = math.sqrt(
        sum(weights[i] * cov[i, j] * weights[j] for i in range(6) for j in range(6))
    )
    assert portfolio_volatility(weights, cov) == pytest.approx(expected, rel=1e-12)
    assert portfolio_volatility(weights, cov) == pytest.approx(
        np.std(returns @ weights, ddof=1), rel=1e-12
    )


def test_many_portfolios_equal_single_calls(returns):
    cov = covariance(returns)
    many = np.random.default_rng(1).normal(size=(50, 6))
    result = portfolio_volatility(many, cov)
    assert result.shape == (50,)
    np.testing.assert_allclose(result, [portfolio_volatility(w, cov) for w in many], rtol=1e-12)


def test_correlation_formula_is_wrong_unless_variances_are_one(returns, weights):
    """The seed's wᵀ·corr·w: right only for unit variances, since Σ = D C D."""
    cov = np.cov(returns, rowvar=False)
    corr = np.corrcoef(returns, rowvar=False)
    true = portfolio_volatility(weights, cov)
    seed_formula = math.sqrt(weights @ corr @ weights)
    assert seed_formula > 10 * true  # a unit-less number, nowhere near a daily volatility
    unit = returns / returns.std(axis=0, ddof=1)
    assert portfolio_volatility(weights, np.cov(unit, rowvar=False)) == pytest.approx(
        math.sqrt(weights @ np.corrcoef(unit, rowvar=False) @ weights), rel=1e-12
    )
    d = np.diag(np.sqrt(np.diag(cov)))
    assert portfolio_volatility(weights, d @ corr @ d) == pytest.approx(true, rel=1e-12)


def test_naive_is_an_upper_bound_reached_only_at_correlation_one():
    vols = np.array([0.02, 0.01, 0.03])
    w = np.array([0.3, 0.5, 0.2])
    independent = np.diag(vols**2)
    assert portfolio_volatility(w, independent) == pytest.approx(
        math.sqrt(np.sum((w * vols) ** 2))
    )
    assert naive_volatility(w, vols) == pytest.approx(w @ vols)
    assert naive_volatility(w, vols) > portfolio_volatility(w, independent)
    perfectly_correlated = np.outer(vols, vols)
    assert portfolio_volatility(w, perfectly_correlated) == pytest.approx(
        naive_volatility(w, vols)
    )
    assert diversification_ratio(w, perfectly_correlated) == pytest.approx(1.0)


def test_diversification_ratio_is_naive_over_true(returns, weights):
    cov = np.cov(returns, rowvar=False)
    expected = naive_volatility(weights, np.sqrt(np.diag(cov))) / portfolio_volatility(
        weights, cov
    )
    assert diversification_ratio(weights, cov) == pytest.approx(expected, rel=1e-12)
    assert diversification_ratio(weights, cov) > 1


def test_naive_volatility_many_portfolios():
    result = naive_volatility([[1.0, 0.0], [0.5, 0.5]], [0.2, 0.1])
    np.testing.assert_allclose(result, [0.2, 0.15])


def test_annualize_scales_by_root_time():
    assert annualize(0.01) == pytest.approx(0.01 * math.sqrt(252))
    assert annualize(0.05, periods_per_year=12) == pytest.approx(0.05 * math.sqrt(12))
    np.testing.assert_allclose(annualize([0.01, 0.02], 52), np.array([0.01, 0.02]) * math.sqrt(52))


def test_annualize_rejects_a_non_positive_period_count():
    with pytest.raises(
        InvalidParameterError, match="`periods_per_year` must be finite and > 0, got 0"
    ):
        annualize(0.01, 0)


def test_weights_of_the_wrong_length():
    with pytest.raises(
        ShapeMismatchError, match="`weights` have 2 entries but there are 3 assets"
    ):
        portfolio_volatility([0.5, 0.5], np.eye(3))


def test_weights_of_three_dimensions():
    with pytest.raises(ShapeMismatchError, match="`weights` must be 1-D or 2-D, got 3-D"):
        portfolio_volatility(np.ones((1, 1, 3)), np.eye(3))


def test_non_numeric_weights():
    with pytest.raises(ShapeMismatchError, match="`weights` must be numeric array-like"):
        portfolio_volatility(["a", "b"], np.eye(2))


def test_nan_weights():
    with pytest.raises(MissingDataError, match=r"`weights` must be finite \(no NaN or inf\)"):
        portfolio_volatility([np.nan, 1.0], np.eye(2))


def test_labelled_weights_need_labelled_assets():
    with pytest.raises(ShapeMismatchError, match="`weights` given by label need labelled assets"):
        portfolio_volatility({"AAPL": 1.0}, np.eye(1))


def test_covariance_not_square():
    with pytest.raises(
        InvalidCovarianceError, match=r"must be a non-empty square matrix, got \(2, 3\)"
    ):
        portfolio_volatility([0.5, 0.5], np.ones((2, 3)))


def test_covariance_not_finite():
    with pytest.raises(InvalidCovarianceError, match=r"`cov` must be finite \(no NaN or inf\)"):
        portfolio_volatility([0.5, 0.5], [[1.0, np.nan], [np.nan, 1.0]])


def test_covariance_not_symmetric():
    with pytest.raises(InvalidCovarianceError, match=r"`cov` is not symmetric: .* up to 0\.1"):
        portfolio_volatility([0.5, 0.5], [[1.0, 0.2], [0.1, 1.0]])


def test_covariance_not_positive_semidefinite():
    with pytest.raises(
        InvalidCovarianceError, match="not positive semi-definite: its smallest eigenvalue is -1"
    ):
        portfolio_volatility([0.5, 0.5], [[1.0, 2.0], [2.0, 1.0]])


def test_round_off_asymmetry_and_singular_psd_are_accepted(returns, weights):
    cov = np.cov(returns[:4], rowvar=False)  # rank 3 of 6: singular but PSD
    cov[0, 1] *= 1 + 1e-14
    assert portfolio_volatility(weights, cov) == pytest.approx(
        np.std(returns[:4] @ weights, ddof=1)
    )


def test_zero_variance_portfolio_in_a_ratio():
    with pytest.raises(ZeroVarianceError, match="the portfolio has zero variance"):
        diversification_ratio([1.0, -1.0], np.ones((2, 2)))


def test_zero_variance_names_the_portfolio():
    with pytest.raises(ZeroVarianceError, match="portfolio 1 has zero variance"):
        diversification_ratio([[1.0, 0.0], [0.0, 0.0]], np.eye(2))


def test_naive_volatility_rejects_negative_vols():
    with pytest.raises(InvalidParameterError, match="`vols` must be finite and >= 0"):
        naive_volatility([0.5, 0.5], [0.1, -0.1])


def test_naive_volatility_rejects_a_matrix_of_vols():
    with pytest.raises(ShapeMismatchError, match=r"`vols` must be 1-D of shape \(N,\)"):
        naive_volatility([0.5, 0.5], np.eye(2))


def test_annualize_rejects_an_infinite_period_count():
    with pytest.raises(
        InvalidParameterError, match="`periods_per_year` must be finite and > 0, got inf"
    ):
        annualize(0.01, math.inf)
