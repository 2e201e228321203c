"""Command line: a volatility report for a price file, and an offline demo.

python -m portfolio_vol prices.csv --weights AAPL=0.5,MSFT=0.3,KHC=0.2 [--window 60]
    [--method sample|ewma|ledoit_wolf|oas] [--annualize] [--plot out.png]
python -m portfolio_vol demo [--out prices.csv] [same options]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ._demo import WEIGHTS, factor_model_prices
from ._prices_csv import PriceFile, read_prices, write_prices
from .contributions import risk_contributions
from .covariance_matrix import covariance
from .estimators import ESTIMATORS
from .exceptions import PortfolioVolError
from .returns import returns_from_prices
from .rolling import rolling_risk_contributions, rolling_volatility
from .value_at_risk import parametric_es, parametric_var
from .volatility import annualize, diversification_ratio, naive_volatility, portfolio_volatility

PERIODS_PER_YEAR = 252


def _weights(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"expected TICKER=WEIGHT, got {item!r}")
        if name.strip() in weights:
            raise argparse.ArgumentTypeError(f"{name.strip()!r} is given twice")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    return weights


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--window", type=int, default=60, help="rolling window in rows")
    parser.add_argument("--method", choices=sorted(ESTIMATORS), default="sample")
    parser.add_argument(
        "--annualize", action="store_true", help=f"report in annual units (×√{PERIODS_PER_YEAR})"
    )
    parser.add_argument("--nan-policy", choices=["raise", "drop"], default="raise")
    parser.add_argument("--plot", type=Path, help="save rolling volatility and contributions")


def _parser(demo: bool) -> argparse.ArgumentParser:
    if demo:
        parser = argparse.ArgumentParser(
            prog="python -m portfolio_vol demo",
            description="Write a synthetic factor-model price file (seeded) and report on it.",
        )
        parser.add_argument("--out", type=Path, help="where to write the price file")
    else:
        parser = argparse.ArgumentParser(
            prog="python -m portfolio_vol",
            description="Volatility, diversification, VaR and risk contributions of a portfolio. "
            "Run `python -m portfolio_vol demo` for an offline example.",
        )
        parser.add_argument("prices", type=Path, help="CSV: date column, one column per asset")
        parser.add_argument(
            "--weights", type=_weights, required=True, help="e.g. AAPL=0.5,MSFT=0.3,KHC=0.2"
        )
    _add_report_options(parser)
    return parser


def _percent(value: float) -> str:
    return f"{100 * value:8.3f}%"


def report(prices: PriceFile, weights: dict[str, float], options: argparse.Namespace) -> str:
    """The text report; also saves the plot when `options.plot` is set."""
    unknown = [name for name in weights if name not in prices.assets]
    if unknown:
        raise PortfolioVolError(f"no price column for {unknown}; the file has {prices.assets}")
    assets = list(weights)
    columns = [prices.assets.index(name) for name in assets]
    w = np.array([weights[name] for name in assets])
    price_table = prices.prices[:, columns]
    missing = np.isnan(price_table)
    if options.nan_policy == "raise" and missing.any():
        row, column = np.argwhere(missing)[0]
        raise PortfolioVolError(
            f"no {assets[column]} price on {prices.dates[row]}; "
            "pass --nan-policy drop to skip incomplete rows"
        )
    keep = ~missing.any(axis=1)
    price_table = price_table[keep]
    dates = [prices.dates[row] for row in np.flatnonzero(keep)]
    non_positive = np.argwhere(price_table <= 0)
    if non_positive.size:
        row, column = non_positive[0]
        raise PortfolioVolError(
            f"the {assets[column]} price on {dates[row]} is {price_table[row, column]:g}; "
            "prices must be > 0"
        )
    returns = returns_from_prices(price_table)
    cov = covariance(returns, method=options.method)
    vol = portfolio_volatility(w, cov)
    vols = np.sqrt(np.diag(cov))
    naive = naive_volatility(w, vols)
    scale = annualize(1.0, PERIODS_PER_YEAR) if options.annualize else 1.0
    unit = "annualised" if options.annualize else "daily"
    lines = [
        f"{len(returns)} daily returns of {', '.join(assets)} ({dates[1]} .. {dates[-1]}); "
        f"covariance: {options.method}",
        "",
        f"{'':28}{'daily':>10}{'annualised':>12}",
        f"{'portfolio volatility':28}{_percent(vol)}  {_percent(annualize(vol))}",
        f"{'naive Σ wᵢσᵢ (wrong)':28}{_percent(naive)}  {_percent(annualize(naive))}",
        f"{'diversification ratio':28}{diversification_ratio(w, cov):9.3f}",
        f"{'99% 1-day normal VaR':28}{_percent(parametric_var(w, cov, alpha=0.99))}",
        f"{'99% 1-day normal ES':28}{_percent(parametric_es(w, cov, alpha=0.99))}",
        "",
        f"risk contributions ({unit}):",
        f"{'asset':8}{'weight':>8}{'vol':>10}{'marginal':>10}{'component':>11}{'percent':>9}",
    ]
    contributions = risk_contributions(w, cov)
    for i, name in enumerate(assets):
        lines.append(
            f"{name:8}{w[i]:8.3f}{100 * scale * vols[i]:9.3f}%"
            f"{scale * contributions.marginal[i]:10.4f}"
            f"{100 * scale * contributions.component[i]:10.3f}%"
            f"{100 * contributions.percent[i]:8.1f}%"
        )
    lines.append(
        f"{'total':8}{w.sum():8.3f}{'':20}{100 * scale * contributions.volatility:10.3f}%"
        f"{100 * contributions.percent.sum():8.1f}%"
    )
    if options.window > len(returns):
        lines += ["", f"no rolling figures: --window {options.window} > {len(returns)} returns"]
        return "\n".join(lines)
    rolling = scale * rolling_volatility(returns, w, options.window)
    full = rolling[options.window - 1 :]
    lines += [
        "",
        f"rolling {options.window}-day volatility ({unit}): last {100 * full[-1]:.3f}%, "
        f"min {100 * full.min():.3f}%, max {100 * full.max():.3f}%",
    ]
    if options.plot is not None:
        from ._plot import plot_rolling

        parts = scale * rolling_risk_contributions(returns, w, options.window)
        plot_rolling(
            options.plot,
            dates[options.window :],
            full,
            parts[options.window - 1 :],
            assets,
            title=f"rolling {options.window}-day volatility ({unit})",
        )
        lines.append(f"plot saved to {options.plot}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    demo = bool(args) and args[0] == "demo"
    options = _parser(demo).parse_args(args[1:] if demo else args)
    try:
        if demo:
            prices = factor_model_prices()
            out = options.out or Path(tempfile.mkdtemp(prefix="portfolio-vol-")) / "prices.csv"
            write_prices(out, prices)
            print(f"wrote {len(prices.dates)} synthetic prices (seeded factor model) to {out}")
            weights = WEIGHTS
        else:
            prices = read_prices(options.prices)
            weights = options.weights
        print(report(prices, weights, options))
    except (PortfolioVolError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
