import subprocess
import sys

import numpy as np
import pytest

from portfolio_vol import covariance, portfolio_volatility, returns_from_prices
from portfolio_vol.__main__ import main

PRICES_CSV = """date,AAPL,MSFT,KHC
2024-01-02,100,200,30
2024-01-03,101,202,30.3
2024-01-04,99,199,30.1
2024-01-05,100.5,201,29.8
2024-01-08,102,203,30.2
2024-01-09,101,204,30.0
"""


@pytest.fixture
def prices_file(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text(PRICES_CSV)
    return path


def test_report_prints_the_figures(prices_file, capsys):
    assert main([str(prices_file), "--weights", "AAPL=0.5,MSFT=0.3,KHC=0.2", "--window", "3"]) == 0
    out = capsys.readouterr().out
    prices = np.loadtxt(prices_file, delimiter=",", skiprows=1, usecols=(1, 2, 3))
    vol = portfolio_volatility([0.5, 0.3, 0.2], covariance(returns_from_prices(prices)))
    assert f"{100 * vol:8.3f}%" in out
    for label in (
        "portfolio volatility",
        "naive",
        "diversification ratio",
        "VaR",
        "rolling 3-day",
    ):
        assert label in out
    assert out.count("%") > 10
    assert "total" in out


def test_demo_writes_a_deterministic_file_and_reports(tmp_path, capsys):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main(["demo", "--out", str(first)]) == 0
    assert main(["demo", "--out", str(second), "--method", "ewma", "--annualize"]) == 0
    assert first.read_text() == second.read_text()
    assert first.read_text().startswith("date,MSFT,AAPL,KHC\n2023-01-02,")
    out = capsys.readouterr().out
    assert "covariance: ewma" in out
    assert "(annualised)" in out


def test_plot_is_saved(tmp_path, capsys):
    out = tmp_path / "risk.png"
    assert main(["demo", "--out", str(tmp_path / "p.csv"), "--plot", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plot saved to {out}" in capsys.readouterr().out


def test_plot_without_matplotlib_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["demo", "--out", str(tmp_path / "p.csv"), "--plot", str(tmp_path / "x.png")]) == 2
    assert "pip install 'portfolio-vol[plot]'" in capsys.readouterr().err


def test_unknown_ticker(prices_file, capsys):
    assert main([str(prices_file), "--weights", "AAPL=0.5,TSLA=0.5"]) == 2
    assert "no price column for ['TSLA']" in capsys.readouterr().err


def test_malformed_weights(prices_file, capsys):
    with pytest.raises(SystemExit):
        main([str(prices_file), "--weights", "AAPL:0.5"])
    assert "expected TICKER=WEIGHT" in capsys.readouterr().err


def test_ticker_given_twice(prices_file, capsys):
    with pytest.raises(SystemExit):
        main([str(prices_file), "--weights", "AAPL=0.5,MSFT=0.3,AAPL=0.2"])
    assert "'AAPL' is given twice" in capsys.readouterr().err


def test_weight_that_is_not_a_number(prices_file, capsys):
    with pytest.raises(SystemExit):
        main([str(prices_file), "--weights", "AAPL=half"])
    assert "'half' is not a number" in capsys.readouterr().err


def test_file_without_rows(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("date,AAPL\n")
    assert main([str(path), "--weights", "AAPL=1"]) == 2
    assert "expected a header and rows of `date,price,...`" in capsys.readouterr().err


def test_ragged_row(tmp_path, capsys):
    path = tmp_path / "ragged.csv"
    path.write_text("date,AAPL,MSFT\n2024-01-02,100,200\n2024-01-03,101\n")
    assert main([str(path), "--weights", "AAPL=1"]) == 2
    assert "line 3: 2 cells, the header has 3" in capsys.readouterr().err


def test_missing_price_names_date_and_ticker(tmp_path, capsys):
    path = tmp_path / "holes.csv"
    path.write_text(PRICES_CSV.replace("2024-01-04,99,199", "2024-01-04,,199"))
    assert main([str(path), "--weights", "AAPL=0.5,MSFT=0.5"]) == 2
    assert "no AAPL price on 2024-01-04" in capsys.readouterr().err
    assert main([str(path), "--weights", "AAPL=0.5,MSFT=0.5", "--nan-policy", "drop"]) == 0


def test_non_positive_price_names_date_and_ticker(tmp_path, capsys):
    path = tmp_path / "zero.csv"
    text = PRICES_CSV.replace("2024-01-03,101,202", "2024-01-03,101,").replace("29.8", "0")
    path.write_text(text)
    argv = [str(path), "--weights", "MSFT=0.5,KHC=0.5", "--nan-policy", "drop"]
    assert main(argv) == 2
    assert "the KHC price on 2024-01-05 is 0; prices must be > 0" in capsys.readouterr().err


def test_short_file_skips_rolling_figures(prices_file, capsys):
    assert main([str(prices_file), "--weights", "AAPL=1"]) == 0
    assert "no rolling figures: --window 60 > 5 returns" in capsys.readouterr().out


def test_not_a_number_in_the_file(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("date,AAPL\n2024-01-02,100\n2024-01-03,abc\n")
    assert main([str(path), "--weights", "AAPL=1"]) == 2
    assert "line 3: 'abc' is not a number" in capsys.readouterr().err


def test_module_entry_point_runs_the_demo(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "portfolio_vol", "demo", "--out", str(tmp_path / "p.csv")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "portfolio volatility" in result.stdout
