"""Exceptions and warnings raised by portfolio-vol.

Every bad input raises a subclass of `PortfolioVolError` that is also the builtin a
caller would expect, so `except ValueError` keeps working:

    PortfolioVolError
    ├── InvalidParameterError(ValueError)       an option out of range: lam, alpha, window, ...
    ├── ShapeMismatchError(ValueError)          weights vs assets, labels that do not match
    ├── MissingDataError(ValueError)            NaN or inf where nan_policy="raise"
    ├── UnsortedIndexError(ValueError)          dates out of order or repeated
    ├── InsufficientDataError(ValueError)       a window longer than the data, too few rows
    ├── InvalidCovarianceError(ValueError)      not square, not symmetric, not PSD
    ├── ZeroVarianceError(ValueError)           a ratio would divide by a zero volatility
    ├── NonPositivePriceError(ValueError)       a price <= 0 when computing returns
    └── MissingExtraError(ImportError)          an optional dependency is not installed

None of these is worth retrying: the same input fails the same way.
"""

from __future__ import annotations

__all__ = [
    "CovarianceRepairWarning",
    "InsufficientDataError",
    "InvalidCovarianceError",
    "InvalidParameterError",
    "MissingDataError",
    "MissingExtraError",
    "NonPositivePriceError",
    "PortfolioVolError",
    "ShapeMismatchError",
    "UnsortedIndexError",
    "ZeroVarianceError",
]


class PortfolioVolError(Exception):
    """Root of every exception raised by portfolio-vol."""


class InvalidParameterError(PortfolioVolError, ValueError):
    """An option is outside its allowed range or set (`lam`, `alpha`, `method`, ...)."""


class ShapeMismatchError(PortfolioVolError, ValueError):
    """Weights, returns and covariance disagree in shape or in asset labels."""


class MissingDataError(PortfolioVolError, ValueError):
    """NaN or inf found where `nan_policy="raise"` (or where no policy can apply).

    `row` and `column` name the first offending cell (labels when the input had them).
    """

    def __init__(self, message: str, *, row: object = None, column: object = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


class UnsortedIndexError(PortfolioVolError, ValueError):
    """Dates that are not strictly increasing: out of order, or one date twice.

    `first` and `second` are the first offending pair of dates, `row` the position of the
    second one. Returns computed from such a file run backwards or span the wrong days, so
    they are refused rather than silently reordered (`.sort_index()` fixes a
    newest-first file).
    """

    def __init__(self, message: str, *, first: object, second: object, row: int) -> None:
        super().__init__(message)
        self.first = first
        self.second = second
        self.row = row


class InsufficientDataError(PortfolioVolError, ValueError):
    """Too few observations: a window longer than the data, or fewer rows than `ddof + 1`."""


class InvalidCovarianceError(PortfolioVolError, ValueError):
    """A covariance matrix that is not square, not symmetric or not positive semi-definite."""


class ZeroVarianceError(PortfolioVolError, ValueError):
    """The portfolio volatility is zero (to round-off), so a ratio to it is undefined."""


class NonPositivePriceError(PortfolioVolError, ValueError):
    """A price is zero or negative, so no return can be computed from it.

    `row` and `column` name the offending cell (labels when the input had them).
    """

    def __init__(self, message: str, *, row: object, column: object) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


class MissingExtraError(PortfolioVolError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class CovarianceRepairWarning(UserWarning):
    """A pairwise-complete covariance was not PSD: its negative eigenvalues were clipped
    (`covariance`), or a portfolio's variance under it was negative and its volatility is
    NaN there (`ewma_volatility`)."""
