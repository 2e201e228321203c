"""Draw rolling volatility over stacked rolling risk contributions (matplotlib, optional)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np

from ._inputs import FloatArray
from .exceptions import MissingExtraError

__all__: list[str] = []


def _pyplot() -> Any:
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        raise MissingExtraError(
            "--plot needs matplotlib: pip install 'portfolio-vol[plot]'"
        ) from None
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def plot_rolling(
    path: Path,
    dates: list[str],
    volatility: FloatArray,
    contributions: FloatArray,
    assets: list[str],
    *,
    title: str,
) -> None:
    """Save a two-panel PNG: rolling volatility, and contributions stacked to that volatility,
    both in per cent like the report on screen (`volatility` and `contributions` are
    fractions)."""
    pyplot = _pyplot()
    days = np.array(dates, dtype="datetime64[D]")
    volatility, contributions = 100.0 * volatility, 100.0 * contributions
    figure, (top, bottom) = pyplot.subplots(2, 1, sharex=True, figsize=(9, 6))
    top.plot(days, volatility, color="black", label="portfolio")
    top.set_ylabel("volatility (%)")
    top.set_title(title)
    top.legend(loc="upper left")
    # Negative contributions (hedges) stack below zero, positive ones above.
    colors = [f"C{i}" for i in range(len(assets))]
    bottom.stackplot(days, np.maximum(contributions, 0.0).T, labels=assets, colors=colors)
    bottom.stackplot(days, np.minimum(contributions, 0.0).T, colors=colors)
    bottom.set_ylabel("risk contribution (%)")
    bottom.legend(loc="upper left", ncol=min(len(assets), 6))
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
