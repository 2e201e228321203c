"""Read price files as they come: four CSV layouts, the usual spellings of a missing price.

* **wide**: `date,AAPL,MSFT,...`, one column per ticker;
* **Yahoo single ticker**: `Date,Open,High,Low,Close,Adj Close,Volume` (Yahoo Finance's
  download), read from `Adj Close` (else `Close`), the ticker named after the file;
* **yfinance multi-ticker**: the two header rows `Price,Adj Close,...` / `Ticker,AAPL,...`
  (either order, with or without the third `Date,,,` row) of `yf.download(...).to_csv()`,
  read from the `Adj Close` columns (else `Close`);
* **long**: `date,ticker,price` (also `symbol`, `close`, `adj close`, `value`), one row per
  price.

Dates are ISO 8601 (`2024-01-31`, optionally with a time; a time-zone offset is ignored).
`null`, `NaN`, `nan`, `NA`, `N/A`, `#N/A`, `None` and empty cells are missing prices.
Dates must be strictly increasing; a file in exactly reverse order (newest first, as some
downloads are) is put in date order and the reader says so (`PriceFile.reversed`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._inputs import FloatArray, unsorted_error
from .exceptions import PortfolioVolError

__all__: list[str] = []

LAYOUTS = (
    "wide (date,AAPL,MSFT,...)",
    "Yahoo single-ticker export (Date,Open,High,Low,Close,Adj Close,Volume)",
    "yfinance multi-ticker (two header rows: Price/Adj Close,... and Ticker/AAPL,...)",
    "long (date,ticker,price)",
)
MISSING = frozenset({"", "null", "nan", "na", "n/a", "#n/a", "none"})
_FIELDS = frozenset({"open", "high", "low", "close", "adj close", "volume", "price"})
_TICKER_NAMES = ("ticker", "symbol")
_PRICE_NAMES = ("adj close", "adj_close", "adjclose", "price", "close", "value")
# A long file of n rows could name n dates and n tickers: refuse an n² table.
MAX_CELLS = 50_000_000


class PriceFileError(PortfolioVolError, ValueError):
    """A price file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class PriceFile:
    dates: list[str]
    assets: list[str]
    prices: FloatArray
    layout: str = "wide"
    reversed: bool = False

    @property
    def stamps(self) -> np.ndarray:
        return np.array(self.dates, dtype="datetime64[s]")


def _number(cell: str, path: Path, line: int) -> float:
    text = cell.strip()
    if text.lower() in MISSING:
        return np.nan
    try:
        return float(text)
    except ValueError:
        raise PriceFileError(
            f"{path}, line {line}: {cell!r} is not a number (missing prices may be written "
            "as an empty cell, null, NaN, NA, N/A or #N/A)"
        ) from None


def _date(cell: str, path: Path, line: int) -> str:
    text = cell.strip()
    if len(text) > 10 and text[10] in "T ":
        text = text[:19].replace(" ", "T")  # drop a time-zone offset such as -05:00
    try:
        np.datetime64(text, "s")
    except ValueError:
        raise PriceFileError(
            f"{path}, line {line}: {cell!r} is not an ISO 8601 date (YYYY-MM-DD)"
        ) from None
    return text


def _unknown_layout(path: Path, why: str) -> PriceFileError:
    layouts = "; ".join(LAYOUTS)
    return PriceFileError(f"{path}: {why}. The layouts read are: {layouts}")


def read_prices(path: Path) -> PriceFile:
    """Parse `path` in whichever of the four layouts it is; see the module docstring."""
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, row in enumerate(csv.reader(handle), 1):
                if row:
                    rows.append((number, row))
    except csv.Error as error:  # a field past csv's size limit; NUL bytes on Python 3.10
        raise PriceFileError(f"{path}, line {number + 1}: {error}") from None
    except UnicodeDecodeError as error:
        raise PriceFileError(
            f"{path}: not UTF-8 text (byte {error.start}: {error.reason}); save it as CSV UTF-8"
        ) from None
    if len(rows) < 2:
        raise _unknown_layout(path, "expected a header and at least one row of prices")
    header = [cell.strip() for cell in rows[0][1]]
    lowered = [cell.lower() for cell in header]
    second = [cell.strip().lower() for cell in rows[1][1]]
    # yfinance: fields over tickers (a second row that is not prices), or tickers over fields.
    fields_then_tickers = _is_field_row(lowered[1:]) and not _looks_like_date(rows[1][1][0])
    if fields_then_tickers or (len(second) > 1 and _is_field_row(second[1:])):
        return _yfinance(path, rows)
    if len(header) < 2:
        raise _unknown_layout(path, "the header has a single column")
    if "adj close" in lowered or ("close" in lowered and "open" in lowered):
        return _yahoo(path, header, lowered, rows[1:])
    if len(header) == 3 and any(n in lowered for n in _TICKER_NAMES):
        return _long(path, lowered, rows[1:])
    return _wide(path, header, rows[1:])


def _is_field_row(cells: list[str]) -> bool:
    present = [c for c in cells if c]
    return bool(present) and all(c in _FIELDS for c in present)


def _looks_like_date(cell: str) -> bool:
    try:
        np.datetime64(cell.strip()[:10], "D")
    except ValueError:
        return False
    return True


def _check_width(path: Path, line: int, row: list[str], width: int) -> None:
    if len(row) != width:
        raise PriceFileError(f"{path}, line {line}: {len(row)} cells, the header has {width}")


def _ordered(
    path: Path,
    dates: list[str],
    lines: list[int],
    prices: FloatArray,
    *,
    assets: list[str],
    layout: str,
) -> PriceFile:
    """Dates in strictly increasing order: reverse an exactly reversed file, refuse others."""
    stamps = np.array(dates, dtype="datetime64[s]")
    steps = np.diff(stamps).astype(np.int64)
    reverse = len(dates) > 1 and bool((steps < 0).all())
    if reverse:
        dates, lines, prices = dates[::-1], lines[::-1], prices[::-1]
        steps = -steps[::-1]
    bad = np.flatnonzero(steps <= 0)
    if bad.size:
        row = int(bad[0]) + 1
        error = unsorted_error(f"{path} dates", dates[row - 1], dates[row], row)
        raise type(error)(
            f"{error} (lines {lines[row - 1]} and {lines[row]})",
            first=error.first,
            second=error.second,
            row=lines[row],
        )
    return PriceFile(dates, assets, prices, layout=layout, reversed=reverse)


def _wide(path: Path, header: list[str], body: list[tuple[int, list[str]]]) -> PriceFile:
    assets = header[1:]
    if any(not a for a in assets) or len(set(assets)) != len(assets):
        raise _unknown_layout(path, "the header must name each price column once")
    prices = np.empty((len(body), len(assets)))
    dates, lines = [], []
    for i, (line, row) in enumerate(body):
        _check_width(path, line, row, len(header))
        dates.append(_date(row[0], path, line))
        lines.append(line)
        prices[i] = [_number(cell, path, line) for cell in row[1:]]
    return _ordered(path, dates, lines, prices, assets=assets, layout="wide")


def _yahoo(
    path: Path, header: list[str], lowered: list[str], body: list[tuple[int, list[str]]]
) -> PriceFile:
    column = lowered.index("adj close") if "adj close" in lowered else lowered.index("close")
    prices = np.empty((len(body), 1))
    dates, lines = [], []
    for i, (line, row) in enumerate(body):
        _check_width(path, line, row, len(header))
        dates.append(_date(row[0], path, line))
        lines.append(line)
        prices[i, 0] = _number(row[column], path, line)
    layout = f"Yahoo single-ticker ({header[column]})"
    return _ordered(path, dates, lines, prices, assets=[path.stem], layout=layout)


def _yfinance(path: Path, rows: list[tuple[int, list[str]]]) -> PriceFile:
    first, second = ([c.strip() for c in rows[i][1]] for i in (0, 1))
    fields_first = _is_field_row([c.lower() for c in first[1:]])
    fields, tickers = (first, second) if fields_first else (second, first)
    body = rows[2:]
    if body and not _looks_like_date(body[0][1][0]):
        body = body[1:]  # the `Date,,,` row
    lowered = [f.lower() for f in fields]
    wanted = "adj close" if "adj close" in lowered else "close"
    columns = [j for j in range(1, len(fields)) if lowered[j] == wanted]
    if not columns:
        raise _unknown_layout(path, "a yfinance header without Adj Close or Close columns")
    assets = [tickers[j] for j in columns]
    prices = np.empty((len(body), len(columns)))
    dates, lines = [], []
    for i, (line, row) in enumerate(body):
        _check_width(path, line, row, len(fields))
        dates.append(_date(row[0], path, line))
        lines.append(line)
        prices[i] = [_number(row[j], path, line) for j in columns]
    layout = f"yfinance multi-ticker ({fields[columns[0]]})"
    return _ordered(path, dates, lines, prices, assets=assets, layout=layout)


def _long(path: Path, lowered: list[str], body: list[tuple[int, list[str]]]) -> PriceFile:
    ticker = next(lowered.index(n) for n in _TICKER_NAMES if n in lowered)
    others = [j for j in range(3) if j != ticker]
    price_names = [j for j in others if lowered[j] in _PRICE_NAMES]
    if len(price_names) != 1:
        raise _unknown_layout(path, "a long file needs columns date, ticker and price")
    price = price_names[0]
    (date,) = [j for j in others if j != price]
    cells: dict[tuple[str, str], float] = {}
    first_line: dict[str, int] = {}
    for line, row in body:
        _check_width(path, line, row, 3)
        key = (_date(row[date], path, line), row[ticker].strip())
        if key in cells:
            raise PriceFileError(f"{path}, line {line}: a second price for {key[1]} on {key[0]}")
        cells[key] = _number(row[price], path, line)
        first_line.setdefault(key[0], line)
    dates = sorted(first_line, key=lambda d: np.datetime64(d, "s"))
    assets = list(dict.fromkeys(t for _, t in cells))
    if len(dates) * len(assets) > MAX_CELLS:
        raise PriceFileError(
            f"{path}: {len(dates)} dates × {len(assets)} tickers is too sparse a table to build"
        )
    prices = np.full((len(dates), len(assets)), np.nan)
    row_of = {d: i for i, d in enumerate(dates)}
    column_of = {a: j for j, a in enumerate(assets)}
    for (day, name), value in cells.items():
        prices[row_of[day], column_of[name]] = value
    # Long files are pivoted in date order: the order of their rows does not matter.
    return PriceFile(dates, assets, prices, layout="long (date,ticker,price)")


def write_prices(path: Path, prices: PriceFile) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", *prices.assets])
        for date, row in zip(prices.dates, prices.prices, strict=True):
            writer.writerow([date, *(f"{value:.4f}" for value in row)])
