"""Read and write price files: a header row, dates in the first column, one column per asset."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._inputs import FloatArray

__all__: list[str] = []


@dataclass(frozen=True)
class PriceFile:
    dates: list[str]
    assets: list[str]
    prices: FloatArray


def read_prices(path: Path) -> PriceFile:
    """Parse `path`; an empty cell is a missing price (NaN)."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    if len(rows) < 2 or len(rows[0]) < 2:
        raise ValueError(f"{path}: expected a header and rows of `date,price,...`")
    header, body = rows[0], [row for row in rows[1:] if row]
    prices = np.full((len(body), len(header) - 1), np.nan)
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {i}: {len(row)} cells, the header has {len(header)}")
        for j, cell in enumerate(row[1:]):
            if cell.strip():
                try:
                    prices[i - 2, j] = float(cell)
                except ValueError:
                    raise ValueError(f"{path}, line {i}: {cell!r} is not a number") from None
    return PriceFile([row[0] for row in body], [name.strip() for name in header[1:]], prices)


def write_prices(path: Path, prices: PriceFile) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", *prices.assets])
        for date, row in zip(prices.dates, prices.prices, strict=True):
            writer.writerow([date, *(f"{value:.4f}" for value in row)])
