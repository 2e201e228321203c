import numpy as np

from portfolio_vol import (
    ESTIMATORS,
    CovarianceEstimator,
    EWMACovariance,
    LedoitWolfCovariance,
    OASCovariance,
    SampleCovariance,
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
