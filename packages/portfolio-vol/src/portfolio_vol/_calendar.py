"""How many periods a year a price file holds, from the spacing of its dates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exceptions import PortfolioVolError

__all__: list[str] = []

# (name, periods a year, shortest and longest median gap in days)
SPACINGS = (
    ("daily", 252, 0.5, 1.5),
    ("weekly", 52, 5.0, 9.0),
    ("monthly", 12, 26.0, 35.0),
    ("quarterly", 4, 85.0, 95.0),
    ("annual", 1, 350.0, 380.0),
)
# A weekday holding at least this share of a daily file's dates is a trading day; a file
# that trades on all seven (crypto) has 365 periods a year. Counting weekdays rather than
# weekend dates keeps Sunday-to-Thursday markets (Tadawul, Egypt) at 252, and a one-off
# Saturday or Sunday session does not make a file trade every day.
TRADING_WEEKDAY_SHARE = 1 / 14


@dataclass(frozen=True)
class Spacing:
    name: str
    periods_per_year: float
    inferred: bool

    def describe(self) -> str:
        how = "inferred from the dates" if self.inferred else "from --periods-per-year"
        return f"{self.name} returns, {self.periods_per_year:g} a year ({how})"


class SpacingError(PortfolioVolError, ValueError):
    """The dates are too irregular to say how many periods a year they hold."""


def infer_spacing(stamps: np.ndarray) -> Spacing:
    """Daily, weekly, monthly, quarterly or annual from the median gap between dates."""
    days = stamps.astype("datetime64[D]")
    if days.size < 2:
        raise SpacingError("one date is too few to infer the spacing; pass --periods-per-year")
    gap = float(np.median(np.diff(days).astype(np.int64)))
    for name, periods, shortest, longest in SPACINGS:
        if shortest <= gap <= longest:
            if name == "daily":
                weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
                shares = np.bincount(weekday, minlength=7) / days.size
                if (shares >= TRADING_WEEKDAY_SHARE).all():
                    return Spacing("daily (weekends included)", 365, True)
            return Spacing(name, periods, True)
    raise SpacingError(
        f"cannot tell the spacing of the dates (a median of {gap:g} days between them); "
        "pass --periods-per-year"
    )


def period_word(spacing: Spacing) -> str:
    """'day', 'week', ... for labels such as '60-day'; 'period' when given by hand."""
    words = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter"}
    words["annual"] = "year"
    return words.get(spacing.name.split(" ")[0], "period") if spacing.inferred else "period"
