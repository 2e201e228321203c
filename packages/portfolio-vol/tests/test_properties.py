"""Hypothesis properties of σ_p = √(wᵀ Σ w)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from portfolio_vol import naive_volatility, portfolio_volatility, risk_contributions

N = 5
finite = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False)
weights = arrays(np.float64, N, elements=finite)
long_only = arrays(np.float64, N, elements=st.floats(0.0, 1.0, allow_nan=False))


@st.composite
def covariances(draw):
    """Σ = AᵀA/T from random 'returns' A: symmetric PSD by construction."""
    a = draw(arrays(np.float64, (8, N), elements=st.floats(-0.05, 0.05, allow_nan=False)))
    return a.T @ a / 8


@settings(max_examples=200, deadline=None)
@given(weights, covariances(), st.floats(-10.0, 10.0, allow_nan=False))
def test_volatility_is_absolutely_homogeneous(w, cov, c):
    expected = abs(c) * portfolio_volatility(w, cov)
    assert np.isclose(portfolio_volatility(c * w, cov), expected, rtol=1e-9, atol=1e-15)


@settings(max_examples=200, deadline=None)
@given(long_only, covariances())
def test_volatility_never_exceeds_the_naive_average_for_long_only(w, cov):
    naive = naive_volatility(w, np.sqrt(np.diag(cov)))
    assert portfolio_volatility(w, cov) <= naive * (1 + 1e-12) + 1e-15


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, (4, N), elements=finite), covariances())
def test_many_portfolios_equal_single_calls(many, cov):
    together = portfolio_volatility(many, cov)
    singles = [portfolio_volatility(w, cov) for w in many]
    np.testing.assert_allclose(together, singles, rtol=1e-12, atol=1e-15)


@settings(max_examples=100, deadline=None)
@given(long_only.filter(lambda w: w.sum() > 0.1), covariances())
def test_components_sum_to_volatility(w, cov):
    cov = cov + 1e-6 * np.eye(N)  # strictly positive definite: σ_p > 0
    result = risk_contributions(w, cov)
    assert np.isclose(result.component.sum(), result.volatility, rtol=1e-12)
