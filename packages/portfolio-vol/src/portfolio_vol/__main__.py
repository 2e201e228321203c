"""Command line: a risk report for a price file, and an offline demo.

python -m portfolio_vol [report] prices.csv --weights AAPL=0.5,MSFT=0.3,KHC=0.2 [options]
python -m portfolio_vol demo [--out prices.csv] [options]

Options go before or after the subcommand. Exit codes: 0 success, 1 the price file or its
data were refused, 2 bad command-line arguments.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from ._calendar import Spacing, infer_spacing, period_word
from ._demo import WEIGHTS, factor_model_prices
from ._prices_csv import PriceFile, read_prices, write_prices
from .contributions import risk_contributions
from .covariance_matrix import covariance
from .estimators import ESTIMATORS
from .exceptions import PortfolioVolError
from .returns import returns_from_prices
from .rolling import rolling_risk_contributions, rolling_volatility
from .tail_risk import cornish_fisher_var, historical_es, historical_var
from .value_at_risk import parametric_es, parametric_var
from .volatility import annualize, diversification_ratio, naive_volatility, portfolio_volatility

PROG = "python -m portfolio_vol"
COMMANDS = ("report", "demo")
# Options that take a value: their value is never the subcommand.
VALUED = {"--weights", "--window", "--method", "--nan-policy", "--plot", "--out"}
VALUED |= {"--periods-per-year", "--alpha"}
EXIT_DATA, EXIT_USAGE = 1, 2


class UsageError(Exception):
    """A bad command line: one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _weights(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise argparse.ArgumentTypeError(f"expected TICKER=WEIGHT, got {item!r}")
        if name.strip() in weights:
            raise argparse.ArgumentTypeError(f"{name.strip()!r} is given twice")
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
        if not math.isfinite(number):
            raise argparse.ArgumentTypeError(f"the weight of {name.strip()!r} is not finite")
        weights[name.strip()] = number
    total = sum(weights.values())
    if 90 <= total <= 110:
        raise argparse.ArgumentTypeError(
            f"the weights sum to {total:g}: write them as fractions that sum to about 1 "
            "(AAPL=0.5, not AAPL=50)"
        )
    return weights


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


EPILOG = (
    "Options go before or after the subcommand. Exit codes: 0 the report was printed, "
    "1 the price file or its data were refused, 2 bad arguments."
)


def _parser(command: str) -> argparse.ArgumentParser:
    if command == "demo":
        parser = _Parser(
            prog=f"{PROG} demo",
            epilog=EPILOG,
            description="Report on a synthetic three-stock price file (seeded factor model); "
            "nothing is written unless --out is given.",
        )
        parser.add_argument("--out", type=Path, help="also write the price file here (kept)")
    else:
        parser = _Parser(
            prog=f"{PROG} [report]",
            description="Volatility, diversification, VaR/ES and risk contributions of a "
            f"portfolio. Subcommands: report (the default) and demo; run `{PROG} demo` for "
            "an offline example.",
            epilog=EPILOG,
        )
        parser.add_argument("prices", type=Path, help="CSV price file (layouts: see README)")
        parser.add_argument(
            "--weights", type=_weights, required=True, help="e.g. AAPL=0.5,MSFT=0.3,KHC=0.2"
        )
    parser.add_argument("--window", type=int, default=60, help="rolling window in rows")
    parser.add_argument("--method", choices=sorted(ESTIMATORS), default="sample")
    parser.add_argument(
        "--periods-per-year",
        type=_positive,
        help="252 daily, 52 weekly, 12 monthly...; inferred from the dates when omitted",
    )
    parser.add_argument("--annualize", action="store_true", help="report in annual units")
    parser.add_argument("--alpha", type=float, default=0.99, help="VaR/ES confidence level")
    parser.add_argument("--nan-policy", choices=["raise", "drop"], default="raise")
    parser.add_argument("--plot", type=Path, help="save rolling volatility and contributions")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    return parser


def split_command(args: list[str]) -> tuple[str, list[str]]:
    """The subcommand (`report` when none is named) and the other arguments, so that
    options may come before or after it."""
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in VALUED
            continue
        if arg in COMMANDS:
            return arg, args[:i] + args[i + 1 :]
        break
    return "report", args


def _spacing(prices: PriceFile, given: float | None) -> Spacing:
    if given is not None:
        return Spacing(f"{given:g} a year", given, False)
    return infer_spacing(prices.stamps)


def build_report(
    prices: PriceFile, weights: dict[str, float], options: argparse.Namespace
) -> dict[str, Any]:
    """Every figure of the report, in per-period units (annualised ones say so)."""
    unknown = [name for name in weights if name not in prices.assets]
    if unknown:
        raise PortfolioVolError(f"no price column for {unknown}; the file has {prices.assets}")
    if not 0 < options.alpha < 1:
        raise UsageError(f"--alpha must be in (0, 1), got {options.alpha}")
    if options.window < 2:
        raise UsageError(f"--window must be at least 2, got {options.window}")
    spacing = _spacing(prices, options.periods_per_year)
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
    if len(dates) < 3:
        raise PortfolioVolError(f"{len(dates)} complete rows of prices; the report needs 3")
    returns = returns_from_prices(price_table)
    cov = covariance(returns, method=options.method)
    vols = np.sqrt(np.diag(cov))
    contributions = risk_contributions(w, cov)
    alpha = options.alpha
    year = spacing.periods_per_year
    figures: dict[str, Any] = {
        "periods_per_year": year,
        "spacing": spacing.name,
        "spacing_inferred": spacing.inferred,
        "layout": prices.layout,
        "sorted_from_newest_first": prices.reversed,
        "assets": assets,
        "weights": w.tolist(),
        "first_date": dates[0],
        "last_date": dates[-1],
        "returns": len(returns),
        "method": options.method,
        "alpha": alpha,
        "volatility": portfolio_volatility(w, cov),
        "volatility_annualised": annualize(portfolio_volatility(w, cov), year),
        "naive_volatility": naive_volatility(w, vols),
        "diversification_ratio": diversification_ratio(w, cov),
        "normal_var": parametric_var(w, cov, alpha=alpha),
        "normal_es": parametric_es(w, cov, alpha=alpha),
        "historical_var": historical_var(returns, w, alpha=alpha),
        "historical_es": historical_es(returns, w, alpha=alpha),
        "cornish_fisher_var": cornish_fisher_var(returns, w, alpha=alpha),
        "contributions": [
            {
                "asset": name,
                "weight": float(w[i]),
                "volatility": float(vols[i]),
                "marginal": float(contributions.marginal[i]),
                "component": float(contributions.component[i]),
                "percent": float(contributions.percent[i]),
            }
            for i, name in enumerate(assets)
        ],
        "rolling": None,
        "plot": None,
    }
    if options.window <= len(returns):
        rolling = rolling_volatility(returns, w, options.window)[options.window - 1 :]
        figures["rolling"] = {
            "window": options.window,
            "last": float(rolling[-1]),
            "min": float(rolling.min()),
            "max": float(rolling.max()),
        }
        if options.plot is not None:
            from ._plot import plot_rolling

            scale = math.sqrt(year) if options.annualize else 1.0
            parts = rolling_risk_contributions(returns, w, options.window)
            plot_rolling(
                options.plot,
                dates[options.window :],
                scale * rolling,
                scale * parts[options.window - 1 :],
                assets,
                title=f"rolling {options.window}-{period_word(spacing)} volatility "
                f"({_unit(spacing, options.annualize)})",
            )
            figures["plot"] = str(options.plot)
    return figures


def _unit(spacing: Spacing, annualised: bool) -> str:
    if annualised:
        return "annualised"
    return spacing.name if spacing.inferred else "per period"


def _percent(value: float) -> str:
    return f"{100 * value:8.3f}%"


def render(figures: dict[str, Any], options: argparse.Namespace) -> str:
    """The text report; with --annualize every volatility figure is annualised."""
    year = figures["periods_per_year"]
    spacing = Spacing(figures["spacing"], year, figures["spacing_inferred"])
    unit = _unit(spacing, options.annualize)
    word = period_word(spacing)
    scale = math.sqrt(year) if options.annualize else 1.0
    level = f"{100 * figures['alpha']:g}%"
    lines = [
        f"{figures['returns']} {spacing.describe()} of {', '.join(figures['assets'])} "
        f"({figures['first_date']} .. {figures['last_date']}); covariance: {figures['method']}; "
        f"file layout: {figures['layout']}",
        "",
        f"{'':28}{'per ' + word:>10}{'annualised':>12}",
    ]
    for label, key in (
        ("portfolio volatility", "volatility"),
        ("naive Σ wᵢσᵢ (wrong)", "naive_volatility"),
    ):
        value = figures[key]
        lines.append(f"{label:28}{_percent(value)}  {_percent(annualize(value, year))}")
    lines.append(f"{'diversification ratio':28}{figures['diversification_ratio']:9.3f}")
    for label, key in (
        ("normal VaR", "normal_var"),
        ("normal ES", "normal_es"),
        ("historical VaR", "historical_var"),
        ("historical ES", "historical_es"),
        ("Cornish–Fisher VaR", "cornish_fisher_var"),
    ):
        lines.append(f"{f'{level} 1-{word} {label}':28}{_percent(figures[key])}")
    lines += [
        "",
        f"risk contributions ({unit}):",
        f"{'asset':8}{'weight':>8}{'vol':>10}{'marginal':>10}{'component':>11}{'percent':>9}",
    ]
    for part in figures["contributions"]:
        lines.append(
            f"{part['asset']:8}{part['weight']:8.3f}{100 * scale * part['volatility']:9.3f}%"
            f"{scale * part['marginal']:10.4f}"
            f"{100 * scale * part['component']:10.3f}%"
            f"{100 * part['percent']:8.1f}%"
        )
    total = sum(part["weight"] for part in figures["contributions"])
    lines.append(
        f"{'total':8}{total:8.3f}{'':20}{100 * scale * figures['volatility']:10.3f}%{100.0:8.1f}%"
    )
    rolling = figures["rolling"]
    if rolling is None:
        lines += [
            "",
            f"no rolling figures: --window {options.window} > {figures['returns']} returns",
        ]
    else:
        lines += [
            "",
            f"rolling {rolling['window']}-{word} volatility ({unit}): "
            f"last {100 * scale * rolling['last']:.3f}%, min {100 * scale * rolling['min']:.3f}%, "
            f"max {100 * scale * rolling['max']:.3f}%",
        ]
    if figures["plot"] is not None:
        lines.append(f"plot ({unit}) saved to {figures['plot']}")
    return "\n".join(lines)


def _run(command: str, options: argparse.Namespace) -> None:
    if command == "demo":
        prices = factor_model_prices()
        if options.out is not None:
            write_prices(options.out, prices)
            prices = read_prices(options.out)
            where = f"wrote {len(prices.dates)} synthetic prices to {options.out} (kept)"
        else:
            where = "synthetic prices in memory (pass --out FILE to keep them)"
        print(f"demo: seeded factor model, {where}", file=sys.stderr)
        weights = WEIGHTS
    else:
        prices = read_prices(options.prices)
        weights = options.weights
    if prices.reversed:
        print(
            f"note: {options.prices} lists dates newest first; sorted into date order",
            file=sys.stderr,
        )
    figures = build_report(prices, weights, options)
    if options.json:
        print(json.dumps(figures, allow_nan=True))
    else:
        print(render(figures, options))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = split_command(args)
    try:
        options = _parser(command).parse_args(rest)
        _run(command, options)
    except UsageError as error:
        print(f"{PROG} {command}: error: {error} (see --help)", file=sys.stderr)
        return EXIT_USAGE
    except (PortfolioVolError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DATA
    return 0


if __name__ == "__main__":
    sys.exit(main())
