import numpy as np
import pytest

from portfolio_vol import (
    ESTIMATORS,
    CovarianceEstimator,
    EWMACovariance,
    LedoitWolfCovariance,
    MissingDataError,
    OASCovariance,
    SampleCovariance,
    ShapeMismatchError,
    covariance,
)


def test_registry_lists_every_method_by_name():
    assert dict(ESTIMATORS) == {
        "sample": SampleCovariance,
        "ewma": EWMACovariance,
        "ledoit_wolf": LedoitWolfCovariance,
        "oas": OASCovariance,
    }
    for name, cls in ESTIMATORS.items():
        assert issubclass(cls, CovarianceEstimator)
        assert cls.name == name


def test_covariance_dispatches_through_the_registry(returns):
    for name, cls in ESTIMATORS.items():
        np.testing.assert_array_equal(
            covariance(returns, method=name), cls().fit(returns).covariance_
        )


def test_fit_returns_the_estimator(returns):
    estimator = EWMACovariance(halflife=11.2)
    assert estimator.fit(returns) is estimator
    assert estimator.lam_ == 0.5 ** (1 / 11.2)
    assert 0 < LedoitWolfCovariance().fit(returns).shrinkage_ < 1
    assert 0 < OASCovariance().fit(returns).shrinkage_ < 1


def test_fit_rejects_one_dimensional_returns():
    with pytest.raises(
        ShapeMismatchError, match=r"`returns` must be 2-D of shape \(T, N\), got 1-D"
    ):
        SampleCovariance().fit([0.01, 0.02, 0.03])


def test_fit_rejects_nan_unless_pairwise():
    returns = np.array([[0.01, 0.02], [np.nan, 0.01], [0.0, 0.03]])
    with pytest.raises(MissingDataError, match="`returns` contains nan at row 1, column 0"):
        EWMACovariance().fit(returns)
    assert np.isfinite(SampleCovariance(pairwise=True).fit(returns).covariance_).all()
