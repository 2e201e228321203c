"""Covariance estimators, one per module, listed by name in `ESTIMATORS`."""

from .base import CovarianceEstimator
from .ewma import EWMACovariance
from .ledoit_wolf import LedoitWolfCovariance
from .oas import OASCovariance
from .registry import ESTIMATORS
from .sample import SampleCovariance

__all__ = [
    "ESTIMATORS",
    "CovarianceEstimator",
    "EWMACovariance",
    "LedoitWolfCovariance",
    "OASCovariance",
    "SampleCovariance",
]
