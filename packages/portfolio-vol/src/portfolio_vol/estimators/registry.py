"""The registry of covariance estimators: `method=` name -> estimator class."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .base import CovarianceEstimator
from .ewma import EWMACovariance
from .ledoit_wolf import LedoitWolfCovariance
from .oas import OASCovariance
from .sample import SampleCovariance

__all__ = ["ESTIMATORS"]

ESTIMATORS: Mapping[str, type[CovarianceEstimator]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (SampleCovariance, EWMACovariance, LedoitWolfCovariance, OASCovariance)
    }
)
