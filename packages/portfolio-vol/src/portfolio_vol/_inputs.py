"""Input checking and the numpy-in/numpy-out, pandas-in/pandas-out round trip.

pandas is never imported here: a pandas object can only reach us if pandas is already
imported, so it is taken from `sys.modules`. That keeps numpy the one runtime dependency.
"""

from __future__ import annotations

import datetime
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .exceptions import (
    InsufficientDataError,
    InvalidCovarianceError,
    InvalidParameterError,
    MissingDataError,
    ShapeMismatchError,
    UnsortedIndexError,
)

__all__: list[str] = []

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
NAN_POLICIES = ("raise", "drop", "pairwise", "keep")
# Symmetry and PSD are checked to this fraction of the largest variance: round-off from
# np.cov or a matrix product is ~1e-16 of it, a genuinely wrong matrix is far beyond.
COVARIANCE_RTOL = 1e-10
# A label is an ISO date only if it starts YYYY-MM: numpy would read the tickers "7203"
# (Tokyo) or "600519" (Shanghai) as years and refuse their frame as transposed.
_ISO_DATE = re.compile(r"\d{4}-\d{2}")


def pandas() -> Any:
    """The already-imported pandas module (callers checked that a pandas object was given)."""
    return sys.modules["pandas"]


def is_pandas(obj: object) -> bool:
    """True for a pandas Series or DataFrame, without importing pandas."""
    return type(obj).__module__.partition(".")[0] == "pandas" and hasattr(obj, "to_numpy")


@dataclass(frozen=True)
class Table:
    """A (T, N) float array with the labels it came with (`None` for numpy input, whose
    rows are named by position)."""

    values: FloatArray
    index: Any = None
    columns: Any = None
    labelled: bool = False
    one_dimensional: bool = False

    def row_name(self, row: int) -> object:
        if self.index is None:
            return row
        name = self.index[row]
        return name.item() if isinstance(name, np.generic) else name

    def column_name(self, column: int) -> object:
        return column if self.columns is None else self.columns[column]

    def take_rows(self, keep: Any) -> Table:
        """The rows where the boolean mask `keep` is true; numpy rows keep their positions
        as names, so messages point at the caller's row."""
        index = np.flatnonzero(keep) if self.index is None else self.index[keep]
        return Table(self.values[keep], index, self.columns, self.labelled, self.one_dimensional)


def as_table(data: object, name: str, *, allow_1d: bool = False, dated: bool = True) -> Table:
    """Convert `data` to a float (T, N) table, keeping pandas labels.

    With `dated` (prices and returns), a date index must be strictly increasing and dates
    as column labels are refused as a transposed frame.
    """
    if is_pandas(data):
        frame: Any = data
        try:
            # na_value: a nullable column's pd.NA is a NaN for the nan_policy to handle.
            values = np.asarray(frame.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ShapeMismatchError(f"`{name}` must be numeric: {error}") from None
        # The Index itself, not a list: listing 500 labels costs more than the whole kernel.
        columns = [frame.name] if values.ndim == 1 else frame.columns
        index = frame.index
        labelled = True
        if dated:
            if values.ndim == 2 and _is_dates(frame.columns):
                raise ShapeMismatchError(
                    f"`{name}` has dates as its columns, so it looks transposed: rows must be "
                    f"dates and columns assets (pass `{name}.T`)"
                )
            check_increasing(index, name)
    else:
        values = _float_array(data, name)
        columns = None
        index = None
        labelled = False
    one_dimensional = values.ndim == 1
    if one_dimensional and allow_1d:
        values = values[:, np.newaxis]
    if values.ndim != 2:
        expected = "1-D or 2-D" if allow_1d else "2-D of shape (T, N)"
        raise ShapeMismatchError(f"`{name}` must be {expected}, got {values.ndim}-D")
    return Table(values, index, columns, labelled, one_dimensional)


def _date_stamps(labels: Any) -> Any:
    """Labels as comparable int64 stamps when they are dates (a datetime or period index,
    ISO date strings, or date, datetime or Timestamp objects), else None."""
    # dtype.kind, not str(dtype): numpy builds a dtype's name in Python, ~40 µs a call.
    dtype = getattr(labels, "dtype", None)
    kind = getattr(dtype, "kind", "")
    if kind == "M" or type(dtype).__name__ == "PeriodDtype":
        return np.asarray(labels.asi8)
    if kind not in ("O", "U", "T") or len(labels) == 0 or "pandas" not in sys.modules:
        return None  # object, numpy str, numpy 2 StringDType
    first = labels[0]
    if isinstance(first, str):
        # Tickers fail here, before any O(N) work.
        return _parsed_stamps(labels, format="ISO8601") if _ISO_DATE.match(first) else None
    if isinstance(first, (datetime.date, np.datetime64)):  # also datetime and Timestamp
        return _parsed_stamps(labels)
    return None


def _parsed_stamps(labels: Any, **how: str) -> Any:
    """Stamps of labels pandas reads as dates (offsets converted to UTC), else None."""
    try:
        return np.asarray(pandas().to_datetime(labels, utc=True, **how).asi8)
    except (ValueError, TypeError):  # OutOfBoundsDatetime and DateParseError included
        return None


def _is_dates(labels: Any) -> bool:
    return _date_stamps(labels) is not None


def check_increasing(index: Any, name: str) -> None:
    """Refuse a date index that is not strictly increasing, naming the first bad pair."""
    if getattr(index, "is_monotonic_increasing", False) and getattr(index, "is_unique", False):
        return  # pandas caches both flags on the index: no O(T) pass on a second call
    stamps = _date_stamps(index)
    if stamps is None:
        return
    bad = np.flatnonzero(np.diff(stamps) <= 0)
    if bad.size:
        raise unsorted_error(name, index[bad[0]], index[bad[0] + 1], int(bad[0]) + 1)


def _date_text(date: Any) -> str:
    """'2020-01-02' for a midnight timestamp, the full stamp otherwise."""
    text = str(date)
    return text[:10] if text.endswith(" 00:00:00") else text


def unsorted_error(name: str, first: Any, second: Any, row: int) -> UnsortedIndexError:
    """The error for dates `first` then `second` at rows `row - 1` and `row`."""
    first_text, second_text = (_date_text(d) for d in (first, second))
    what = "is repeated" if first == second else f"is followed by the earlier {second_text}"
    if first == second:
        message = f"`{name}` dates must be strictly increasing: {first_text} {what} (row {row})"
    else:
        message = (
            f"`{name}` dates must be strictly increasing: {first_text} {what} "
            f"(rows {row - 1} and {row}); sort them first (e.g. `.sort_index()`)"
        )
    return UnsortedIndexError(message, first=first, second=second, row=row)


def _float_array(data: object, name: str) -> FloatArray:
    try:
        return np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ShapeMismatchError(f"`{name}` must be numeric array-like: {error}") from None


def check_nan_policy(nan_policy: str, *, pairwise: bool, keep: bool = False) -> None:
    allowed = tuple(
        p for p in NAN_POLICIES if (pairwise or p != "pairwise") and (keep or p != "keep")
    )
    if nan_policy not in allowed:
        extra = (
            ""
            if pairwise
            else " (pairwise is only for covariance and ewma_volatility, whose estimate is "
            "defined pair by pair)"
        )
        raise InvalidParameterError(
            f"`nan_policy` must be one of {allowed}, got {nan_policy!r}{extra}"
        )


def apply_nan_policy(table: Table, nan_policy: str, name: str) -> Table:
    """Raise on inf always and on NaN under "raise"; drop NaN rows under "drop"."""
    values = table.values
    if np.isfinite(values).all():
        return table
    infinite = np.isinf(values)
    if infinite.any():
        row, column = np.argwhere(infinite)[0]
        raise _missing(table, name, "inf", int(row), int(column), "")
    missing = np.isnan(values)
    if not missing.any() or nan_policy in ("pairwise", "keep"):
        return table
    if nan_policy == "drop":
        return table.take_rows(~missing.any(axis=1))
    row, column = np.argwhere(missing)[0]
    hint = "; pass nan_policy='drop' to drop incomplete rows"
    raise _missing(table, name, "NaN", int(row), int(column), hint)


def _missing(table: Table, name: str, what: str, row: int, column: int, hint: str) -> Exception:
    row_name, column_name = table.row_name(row), table.column_name(column)
    return MissingDataError(
        f"`{name}` contains {what} at row {row_name!r}, column {column_name!r}{hint}",
        row=row_name,
        column=column_name,
    )


@dataclass(frozen=True)
class Weights:
    """Weights as a (K, N) array; `single` when the caller passed one portfolio."""

    values: FloatArray
    single: bool
    portfolios: Any = None


def as_weights(weights: object, columns: Sequence[Any] | None, n_assets: int) -> Weights:
    """Convert weights to (K, N), aligning labels to `columns` when both have them."""
    portfolios = None
    if isinstance(weights, Mapping) or is_pandas(weights):
        if columns is None:
            # By position, a Series in another order than the assets gives a wrong number.
            raise ShapeMismatchError(
                "`weights` given by label need labelled assets (a pandas DataFrame); "
                "pass a plain array to match by position"
            )
        assets = list(columns)
        if len(set(assets)) != len(assets):
            # A weight keyed by a repeated label would count once per column.
            repeated = sorted({str(a) for a in assets if assets.count(a) > 1})
            raise ShapeMismatchError(f"asset labels must be unique to match weights: {repeated}")
    if isinstance(weights, Mapping):
        values = align_by_label(dict(weights), assets, "weights")[np.newaxis, :]
        single = True
    elif is_pandas(weights):
        labelled: Any = weights
        keys = labelled.index if labelled.ndim == 1 else labelled.columns
        align_by_label(dict.fromkeys(keys, 0.0), assets, "weights")
        labelled = labelled.loc[assets] if labelled.ndim == 1 else labelled.loc[:, assets]
        values = np.asarray(labelled.to_numpy(dtype=float, na_value=np.nan), dtype=np.float64)
        single = values.ndim == 1
        if single:
            values = values[np.newaxis, :]
        else:
            portfolios = labelled.index
    else:
        values = _float_array(weights, "weights")
        single = values.ndim == 1
        if single:
            values = values[np.newaxis, :]
        elif values.ndim != 2:
            raise ShapeMismatchError(f"`weights` must be 1-D or 2-D, got {values.ndim}-D")
    if values.shape[1] != n_assets:
        raise ShapeMismatchError(
            f"`weights` have {values.shape[1]} entries but there are {n_assets} assets"
        )
    if not np.isfinite(values).all():
        raise MissingDataError("`weights` must be finite (no NaN or inf)")
    return Weights(values, single, portfolios)


def align_by_label(by_label: dict[Any, float], columns: Sequence[Any], name: str) -> FloatArray:
    """The values of `by_label` in the order of `columns`; every label exactly once."""
    missing = [c for c in columns if c not in by_label]
    unknown = [k for k in by_label if k not in set(columns)]
    if missing or unknown:
        one, many = ("weight", "weights") if name == "weights" else (name, name)
        parts = []
        if missing:
            parts.append(f"no {one} for assets {missing}")
        if unknown:
            parts.append(f"{many} for unknown assets {unknown}")
        raise ShapeMismatchError(f"`{name}` labels do not match the assets: " + "; ".join(parts))
    return np.array([by_label[c] for c in columns], dtype=np.float64)


@dataclass(frozen=True)
class Covariance:
    """A checked covariance; `factor` is its Cholesky factor L (Σ = L Lᵀ) when Σ is
    positive definite, `None` when it is only semi-definite."""

    table: Table
    factor: FloatArray | None


def as_covariance(cov: object) -> Covariance:
    """Check that `cov` is a finite, symmetric, positive semi-definite (N, N) matrix."""
    table = as_table(cov, "cov", dated=False)
    matrix = table.values
    n = matrix.shape[0]
    if matrix.shape != (n, n) or n == 0:
        raise InvalidCovarianceError(
            f"`cov` must be a non-empty square matrix, got {matrix.shape}"
        )
    if table.labelled and list(table.index) != list(table.columns):
        raise ShapeMismatchError("`cov` must have the same labels on its index and columns")
    if not np.isfinite(matrix).all():
        raise InvalidCovarianceError("`cov` must be finite (no NaN or inf)")
    scale = float(np.max(np.abs(np.diag(matrix))))
    tolerance = COVARIANCE_RTOL * scale
    difference = matrix - matrix.T  # the largest |entry| without an np.abs pass
    asymmetry = float(max(difference.max(), -difference.min()))
    if asymmetry > tolerance:
        raise InvalidCovarianceError(
            f"`cov` is not symmetric: entries differ from their transpose by up to {asymmetry:.3g}"
        )
    # Cholesky is the cheapest complete PSD test, and its factor speeds up wᵀΣw. A singular
    # PSD matrix (fewer rows than assets) fails it and passes only with round-off jitter;
    # the eigenvalue is computed only for the message.
    try:
        factor = np.asarray(np.linalg.cholesky(matrix), dtype=np.float64)
        return Covariance(table, factor)
    except np.linalg.LinAlgError:
        pass
    try:
        np.linalg.cholesky(matrix + tolerance * np.eye(n))
    except np.linalg.LinAlgError:
        smallest = float(np.linalg.eigvalsh(matrix)[0])
        if smallest < -tolerance:
            raise InvalidCovarianceError(
                f"`cov` is not positive semi-definite: its smallest eigenvalue is {smallest:.3g}"
            ) from None
    return Covariance(table, None)


def held_columns(table: Table, weights: Weights) -> tuple[Table, Weights]:
    """Only the assets some portfolio holds: a weight-0 asset (say, a delisted one) must
    neither shorten nor spoil a result through its NaN or its rows."""
    if weights.values.shape[0] == 1 and weights.values.all():
        return table, weights  # the common case, without building index arrays
    held = np.flatnonzero((weights.values != 0).any(axis=0))
    if held.size == weights.values.shape[1]:
        return table, weights
    columns = None if table.columns is None else [table.columns[i] for i in held]
    narrowed = Table(
        table.values[:, held], table.index, columns, table.labelled, table.one_dimensional
    )
    return narrowed, Weights(weights.values[:, held], weights.single, weights.portfolios)


def is_weights_by_date(weights: object) -> bool:
    """True for a pandas DataFrame of weights whose index holds dates."""
    frame: Any = weights
    return is_pandas(weights) and frame.ndim == 2 and _date_stamps(frame.index) is not None


def refuse_weights_by_date(weights: object) -> None:
    """Weights by date mean one portfolio over time, which only `rolling_volatility` reads;
    elsewhere they would pass for K portfolios named by date."""
    if is_weights_by_date(weights):
        raise ShapeMismatchError(
            "`weights` are indexed by dates, i.e. weights that change over time: only "
            "`rolling_volatility` takes weights by date; pass one row (e.g. "
            "`weights.iloc[-1]`), or name K portfolios with labels that are not dates"
        )


def checked_portfolio_returns(
    returns: Any, weights: Any, nan_policy: str
) -> tuple[Table, Weights, FloatArray]:
    """Checked returns of the held assets, their weights, and `R Wᵀ` (T, K).

    NaN or inf in a held column always reaches `R Wᵀ` (its weight is not zero), so the
    full O(T·N) scan for the cell to name runs only when the product is not finite.
    """
    check_nan_policy(nan_policy, pairwise=False)
    refuse_weights_by_date(weights)
    table = as_table(returns, "returns")
    checked = as_weights(weights, table.columns, table.values.shape[1])
    table, checked = held_columns(table, checked)
    product = portfolio_returns(table.values, checked.values)
    if not np.isfinite(product).all():
        table = apply_nan_policy(table, nan_policy, "returns")
        product = portfolio_returns(table.values, checked.values)
    return table, checked, product


def check_alpha(alpha: float) -> float:
    """The confidence level, in the open interval (0, 1)."""
    if isinstance(alpha, bool) or not 0.0 < alpha < 1.0:
        raise InvalidParameterError(f"`alpha` must be in the open interval (0, 1), got {alpha!r}")
    return float(alpha)


def portfolio_returns(returns: FloatArray, weights: FloatArray) -> FloatArray:
    """`R Wᵀ`: (T, N) returns and (K, N) weights -> (T, K) portfolio returns (one BLAS call,
    as the one-liner `R @ w` a user would write)."""
    product: FloatArray
    if weights.shape[0] == 1:
        # np.dot, as pandas' `R @ w`: a little faster than matmul on column-major frames.
        product = np.dot(returns, weights[0])[:, np.newaxis]
    else:
        product = returns @ weights.T
    return product


def check_window(window: int, n_rows: int) -> int:
    """A rolling window of at least 2 rows and at most the `n_rows` of the data."""
    window = positive_int(window, "window", minimum=2)
    if window > n_rows:
        raise InsufficientDataError(f"`window` ({window}) is longer than the data ({n_rows} rows)")
    return window


def per_date(values: FloatArray, table: Table, checked: Weights, name: str) -> Any:
    """(T, K) values per date: (T,) for one portfolio; a Series / DataFrame when labelled."""
    if checked.single:
        return series(values[:, 0], table.index, name) if table.labelled else values[:, 0]
    if table.labelled:
        return frame(values, table.index, checked.portfolios)
    return values


def positive_int(value: object, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidParameterError(f"`{name}` must be an integer >= {minimum}, got {value!r}")
    return int(value)


def lam_from(lam: float, halflife: float | None) -> float:
    """The EWMA decay: `0.5 ** (1 / halflife)` when a half-life is given, else `lam`."""
    if halflife is not None:
        if not halflife > 0:
            raise InvalidParameterError(f"`halflife` must be > 0, got {halflife!r}")
        lam = float(0.5 ** (1.0 / halflife))
        if not 0.0 < lam < 1.0:
            raise InvalidParameterError(
                f"`halflife` {halflife!r} gives λ = {lam!r}, outside the open interval (0, 1)"
            )
        return lam
    if not 0.0 < lam < 1.0:
        raise InvalidParameterError(f"`lam` must be in the open interval (0, 1), got {lam!r}")
    return float(lam)


def series(values: FloatArray, index: Any, name: object = None) -> Any:
    """A pandas Series of `values` labelled by `index`."""
    return pandas().Series(values, index=index, name=name, copy=False)


def frame(values: FloatArray, index: Any, columns: Any) -> Any:
    """A pandas DataFrame of `values` with the given labels."""
    return pandas().DataFrame(values, index=index, columns=columns, copy=False)
