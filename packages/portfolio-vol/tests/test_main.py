import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import portfolio_vol as pv
from portfolio_vol.__main__ import main

REAL = Path(__file__).parent / "data" / "sp500_etf_2013_2015.csv"

PRICES_CSV = """date,AAPL,MSFT,KHC
2024-01-02,100,200,30
2024-01-03,101,202,30.3
2024-01-04,99,199,30.1
2024-01-05,100.5,201,29.8
2024-01-08,102,203,30.2
2024-01-09,101,204,30.0
"""


@pytest.fixture
def real():
    return pd.read_csv(REAL, index_col="date", parse_dates=True)


@pytest.fixture
def prices_file(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text(PRICES_CSV)
    return path


def _json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_report_prints_the_figures(prices_file, capsys):
    assert main([str(prices_file), "--weights", "AAPL=0.5,MSFT=0.3,KHC=0.2", "--window", "3"]) == 0
    out = capsys.readouterr().out
    prices = np.loadtxt(prices_file, delimiter=",", skiprows=1, usecols=(1, 2, 3))
    vol = pv.portfolio_volatility([0.5, 0.3, 0.2], pv.covariance(pv.returns_from_prices(prices)))
    assert f"{100 * vol:8.3f}%" in out
    for label in (
        "portfolio volatility",
        "naive",
        "diversification ratio",
        "normal VaR",
        "historical ES",
        "Cornish–Fisher VaR",
        "rolling 3-day",
        "total",
    ):
        assert label in out


def test_json_report_is_one_object_with_the_figures(real, tmp_path, capsys):
    path = tmp_path / "p.csv"
    real.to_csv(path)
    report = _json(capsys, [str(path), "--weights", "AAPL=0.5,MSFT=0.3,KO=0.2"])
    returns = pv.returns_from_prices(real[["AAPL", "MSFT", "KO"]])
    w = [0.5, 0.3, 0.2]
    assert report["periods_per_year"] == 252
    assert report["spacing"] == "daily"
    assert report["volatility"] == pytest.approx(
        pv.portfolio_volatility(w, pv.covariance(returns)), rel=1e-12
    )
    assert report["historical_var"] == pv.historical_var(returns, w)
    assert report["returns"] == len(returns)
    assert [c["asset"] for c in report["contributions"]] == ["AAPL", "MSFT", "KO"]
    assert sum(c["component"] for c in report["contributions"]) == pytest.approx(
        report["volatility"]
    )
    rolling = pv.rolling_volatility(returns, w, 60).dropna()
    assert report["rolling"]["last"] == pytest.approx(rolling.iloc[-1], rel=1e-12)


def test_newest_first_file_is_sorted_and_said_so(real, tmp_path, capsys):
    forward, backward = tmp_path / "forward.csv", tmp_path / "backward.csv"
    real.to_csv(forward)
    real.iloc[::-1].to_csv(backward)
    argv = ["--weights", "AAPL=0.6,MSFT=0.4", "--method", "ewma"]
    expected = _json(capsys, [str(forward), *argv])
    got = _json(capsys, [str(backward), *argv])
    assert got.pop("sorted_from_newest_first") is True
    expected.pop("sorted_from_newest_first")
    assert got == expected
    assert main([str(backward), *argv]) == 0
    assert "lists dates newest first; sorted into date order" in capsys.readouterr().err


def test_other_disorder_is_refused_naming_the_lines(prices_file, capsys):
    lines = PRICES_CSV.splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    prices_file.write_text("\n".join(lines) + "\n")
    assert main([str(prices_file), "--weights", "AAPL=1"]) == 1
    err = capsys.readouterr().err
    assert "2024-01-05 is followed by the earlier 2024-01-04" in err
    assert "lines 4 and 5" in err


def test_repeated_date_is_refused(prices_file, capsys):
    prices_file.write_text(PRICES_CSV.replace("2024-01-05", "2024-01-04"))
    assert main([str(prices_file), "--weights", "AAPL=1"]) == 1
    assert "2024-01-04 is repeated" in capsys.readouterr().err


@pytest.mark.parametrize("spelling", ["null", "NaN", "nan", "NA", "N/A", "#N/A", ""])
def test_missing_price_spellings(prices_file, capsys, spelling):
    prices_file.write_text(PRICES_CSV.replace("2024-01-04,99,", f"2024-01-04,{spelling},"))
    assert main([str(prices_file), "--weights", "AAPL=0.5,MSFT=0.5"]) == 1
    assert "no AAPL price on 2024-01-04; pass --nan-policy drop" in capsys.readouterr().err
    assert main([str(prices_file), "--weights", "AAPL=0.5,MSFT=0.5", "--nan-policy", "drop"]) == 0


def test_yahoo_single_ticker_export_reads_adj_close(real, tmp_path, capsys):
    aapl = real["AAPL"]
    yahoo = pd.DataFrame(
        {
            "Date": aapl.index.strftime("%Y-%m-%d"),
            "Open": aapl * 1.1,
            "High": aapl * 1.2,
            "Low": aapl * 0.9,
            "Close": aapl * 1.05,
            "Adj Close": aapl,
            "Volume": 1000,
        }
    )
    yahoo = yahoo.reset_index(drop=True)
    yahoo.loc[7, "Adj Close"] = None
    path = tmp_path / "AAPL.csv"
    yahoo.to_csv(path, index=False, na_rep="null")
    report = _json(capsys, [str(path), "--weights", "AAPL=1", "--nan-policy", "drop"])
    assert report["layout"] == "Yahoo single-ticker (Adj Close)"
    expected = pv.returns_from_prices(aapl.drop(aapl.index[7]).to_numpy())
    assert report["volatility"] == pytest.approx(expected.std(ddof=1), rel=1e-12)


@pytest.mark.parametrize("group_by", ["column", "ticker"])
def test_yfinance_multi_ticker_header(real, tmp_path, capsys, group_by):
    fields = ["Adj Close", "Close", "Volume"]
    tickers = ["AAPL", "MSFT"]
    levels = (fields, tickers) if group_by == "column" else (tickers, fields)
    names = ["Price", "Ticker"] if group_by == "column" else ["Ticker", "Price"]
    columns = pd.MultiIndex.from_product(levels, names=names)
    frame = pd.DataFrame(index=real.index.rename("Date"), columns=columns, dtype=float)
    for ticker in tickers:
        key = ("Adj Close", ticker) if group_by == "column" else (ticker, "Adj Close")
        frame[key] = real[ticker]
        close = ("Close", ticker) if group_by == "column" else (ticker, "Close")
        frame[close] = real[ticker] * 1.5
    path = tmp_path / "multi.csv"
    frame.to_csv(path)
    report = _json(capsys, [str(path), "--weights", "AAPL=0.5,MSFT=0.5"])
    assert report["layout"] == "yfinance multi-ticker (Adj Close)"
    returns = pv.returns_from_prices(real[tickers])
    vol = pv.portfolio_volatility([0.5, 0.5], pv.covariance(returns))
    assert report["volatility"] == pytest.approx(vol, rel=1e-12)


def test_long_layout_with_late_listers(real, tmp_path, capsys):
    long = real[["AAPL", "MTUM"]].stack(future_stack=True).rename("price").reset_index()
    long.columns = ["date", "ticker", "price"]
    path = tmp_path / "long.csv"
    long.sample(frac=1.0, random_state=0).to_csv(path, index=False, na_rep="#N/A")  # any row order
    report = _json(capsys, [str(path), "--weights", "AAPL=0.5,MTUM=0.5", "--nan-policy", "drop"])
    assert report["layout"] == "long (date,ticker,price)"
    assert report["first_date"] == "2014-01-02"
    returns = pv.returns_from_prices(real[["AAPL", "MTUM"]].dropna())
    assert report["volatility"] == pytest.approx(
        pv.portfolio_volatility([0.5, 0.5], pv.covariance(returns)), rel=1e-12
    )


def test_an_unknown_layout_lists_the_layouts_read(tmp_path, capsys):
    path = tmp_path / "odd.csv"
    path.write_text("just one column\n1\n2\n")
    assert main([str(path), "--weights", "A=1"]) == 1
    err = capsys.readouterr().err
    for layout in (
        "wide (date,AAPL,MSFT,...)",
        "Yahoo single-ticker",
        "yfinance multi-ticker",
        "long (date,ticker,price)",
    ):
        assert layout in err


def test_not_a_number_says_how_to_write_missing_prices(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("date,AAPL\n2024-01-02,100\n2024-01-03,abc\n")
    assert main([str(path), "--weights", "AAPL=1"]) == 1
    assert (
        "line 3: 'abc' is not a number (missing prices may be written" in capsys.readouterr().err
    )


def test_dates_must_be_iso(tmp_path, capsys):
    path = tmp_path / "us.csv"
    path.write_text("date,AAPL\n01/02/2024,100\n01/03/2024,101\n")
    assert main([str(path), "--weights", "AAPL=1"]) == 1
    assert "'01/02/2024' is not an ISO 8601 date" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("rule", "spacing", "periods"),
    [("W-FRI", "weekly", 52), ("ME", "monthly", 12), ("QE", "quarterly", 4)],
)
def test_spacing_is_inferred_and_printed(real, tmp_path, capsys, rule, spacing, periods):
    path = tmp_path / "resampled.csv"
    resampled = real[["AAPL", "MSFT"]].resample(rule).last()
    resampled.to_csv(path)
    argv = [str(path), "--weights", "AAPL=0.5,MSFT=0.5", "--window", "4"]
    report = _json(capsys, argv)
    assert (report["spacing"], report["periods_per_year"]) == (spacing, periods)
    returns = pv.returns_from_prices(resampled)
    vol = pv.portfolio_volatility([0.5, 0.5], pv.covariance(returns))
    assert report["volatility_annualised"] == pytest.approx(vol * np.sqrt(periods), rel=1e-12)
    assert main([*argv, "--annualize"]) == 0
    out = capsys.readouterr().out
    assert f"{spacing} returns, {periods} a year (inferred from the dates)" in out


@pytest.mark.parametrize(
    ("calendar", "spacing", "periods"),
    [
        ("Sunday to Thursday", "daily", 252),  # Tadawul, Egypt: five trading days a week
        ("every day", "daily (weekends included)", 365),  # crypto
    ],
)
def test_daily_files_count_trading_days_a_week(real, tmp_path, capsys, calendar, spacing, periods):
    prices = real[["AAPL", "MSFT"]]
    if calendar == "every day":
        prices = prices.asfreq("D").ffill()
    else:
        prices = prices.set_axis(prices.index - pd.Timedelta(days=1))  # Mon-Fri -> Sun-Thu
    path = tmp_path / "daily.csv"
    prices.to_csv(path)
    report = _json(capsys, [str(path), "--weights", "AAPL=0.5,MSFT=0.5"])
    assert (report["spacing"], report["periods_per_year"]) == (spacing, periods)


def test_periods_per_year_overrides_the_inference(real, tmp_path, capsys):
    path = tmp_path / "weekly.csv"
    real[["AAPL"]].resample("W-FRI").last().to_csv(path)
    report = _json(capsys, [str(path), "--weights", "AAPL=1", "--periods-per-year", "50"])
    assert report["periods_per_year"] == 50
    assert report["spacing_inferred"] is False
    assert main([str(path), "--weights", "AAPL=1", "--periods-per-year", "50"]) == 0
    assert "50 a year (from --periods-per-year)" in capsys.readouterr().out


def test_irregular_dates_ask_for_periods_per_year(tmp_path, capsys):
    path = tmp_path / "irregular.csv"
    path.write_text("date,A\n2020-01-01,1\n2020-01-20,2\n2020-02-05,3\n2020-02-20,4\n")
    assert main([str(path), "--weights", "A=1"]) == 1
    assert "pass --periods-per-year" in capsys.readouterr().err


@pytest.mark.parametrize("weights", ["AAPL=50,MSFT=30,KHC=20", "AAPL=60,MSFT=40"])
def test_weights_in_percent_are_refused(prices_file, capsys, weights):
    assert main([str(prices_file), "--weights", weights]) == 2
    err = capsys.readouterr().err
    assert "write them as fractions" in err
    assert len(err.strip().splitlines()) == 1


def test_annualised_report_and_plot_share_the_unit(tmp_path, capsys, monkeypatch):
    from matplotlib.figure import Figure

    drawn = {}
    save = Figure.savefig

    def record(figure, *args, **kwargs):
        top, bottom = figure.axes
        drawn["volatility"] = top.lines[0].get_ydata()
        drawn["labels"] = (top.get_ylabel(), bottom.get_ylabel())
        drawn["stacked"] = bottom.dataLim.ymax  # contributions stack up to the volatility
        return save(figure, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    plot = tmp_path / "risk.png"
    assert main(["demo", "--annualize", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "rolling 60-day volatility (annualised)" in out
    assert f"plot (annualised) saved to {plot}" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Per cent on the axes as on screen (the axes showed 0.30 beside a printed 30.2 %).
    printed = re.search(r"max (\d+\.\d+)%", out).group(1)
    assert f"{drawn['volatility'].max():.3f}" == printed
    assert drawn["stacked"] == pytest.approx(drawn["volatility"].max(), rel=1e-9)
    assert all("%" in label for label in drawn["labels"])


def test_options_before_or_after_the_subcommand(tmp_path, capsys):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["--method", "ewma", "demo", "--out", str(first), "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["demo", "--json", "--method", "ewma", "--out", str(second)]) == 0
    after = json.loads(capsys.readouterr().out)
    assert before == after
    assert before["method"] == "ewma"
    assert first.read_text() == second.read_text()
    assert (
        main(
            [
                "--json",
                "report",
                str(first),
                "--weights",
                "MSFT=0.3,AAPL=0.5,KHC=0.2",
                "--method",
                "ewma",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["volatility"] == before["volatility"]


def test_demo_keeps_what_it_writes_and_writes_nothing_else(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert main(["demo"]) == 0
    assert "pass --out FILE to keep them" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert main(["demo", "--out", "prices.csv"]) == 0
    assert "to prices.csv (kept)" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["prices.csv"]
    assert (tmp_path / "prices.csv").read_text().startswith("date,MSFT,AAPL,KHC\n2023-01-02,")


def test_plot_without_matplotlib_names_the_extra(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["demo", "--plot", str(tmp_path / "x.png")]) == 1
    assert "pip install 'portfolio-vol[plot]'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'date,A\n2024-01-02,"' + b"1" * 200_000 + b'"\n', "line 2"),  # csv's field limit
        (b"date,A\n2024-01-02,1\x00\n2024-01-03,2\n", "line 2"),  # NUL: csv.Error on 3.10
        (b"date,A\n2024-01-02,\xff\n", "UTF-8"),
    ],
    ids=["huge-field", "nul", "not-utf-8"],
)
def test_a_file_csv_cannot_parse_is_a_one_line_error(tmp_path, capsys, content, message):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    assert main([str(path), "--weights", "A=1"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err
    assert message in err


def test_unknown_ticker(prices_file, capsys):
    assert main([str(prices_file), "--weights", "AAPL=0.5,TSLA=0.5"]) == 1
    assert "no price column for ['TSLA']" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ("AAPL:0.5", "expected TICKER=WEIGHT"),
        ("AAPL=0.5,MSFT=0.3,AAPL=0.2", "'AAPL' is given twice"),
        ("AAPL=half", "'half' is not a number"),
        ("AAPL=nan", "is not finite"),
    ],
)
def test_bad_weights_are_one_line_usage_errors(prices_file, capsys, weights, message):
    assert main([str(prices_file), "--weights", weights]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_option_is_a_one_line_error(capsys):
    assert main(["demo", "--window", "many"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m portfolio_vol demo: error: argument --window")
    assert len(err.strip().splitlines()) == 1
    assert "invalid int value: 'many'" in err


def test_ragged_row(tmp_path, capsys):
    path = tmp_path / "ragged.csv"
    path.write_text("date,AAPL,MSFT\n2024-01-02,100,200\n2024-01-03,101\n")
    assert main([str(path), "--weights", "AAPL=1"]) == 1
    assert "line 3: 2 cells, the header has 3" in capsys.readouterr().err


def test_non_positive_price_names_date_and_ticker(tmp_path, capsys):
    path = tmp_path / "zero.csv"
    path.write_text(PRICES_CSV.replace("29.8", "0"))
    assert main([str(path), "--weights", "MSFT=0.5,KHC=0.5"]) == 1
    assert "the KHC price on 2024-01-05 is 0; prices must be > 0" in capsys.readouterr().err


def test_short_file_skips_rolling_figures(prices_file, capsys):
    assert main([str(prices_file), "--weights", "AAPL=1"]) == 0
    assert "no rolling figures: --window 60 > 5 returns" in capsys.readouterr().out


def test_module_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "portfolio_vol", "demo", "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert json.loads(result.stdout)["assets"] == ["MSFT", "AAPL", "KHC"]
    assert list(tmp_path.iterdir()) == []
