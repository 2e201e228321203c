from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import pylearn2_recipes.__main__ as cli
from pylearn2_recipes.__main__ import main

XOR_CONFIG = """
!obj:pylearn2.train.Train {
  dataset: &d !obj:pylearn2.datasets.csv_dataset.CSVDataset {
    path: '${PYLEARN2_TRAIN_DIR}/xor.csv'},
  model: !obj:pylearn2.models.mlp.MLP {nvis: 2, layers: [
    !obj:pylearn2.models.mlp.Sigmoid {layer_name: hidden, dim: 2, irange: .1, init_bias: 1.},
    !obj:pylearn2.models.mlp.Softmax {layer_name: output, n_classes: 2, irange: .1}]},
  algorithm: !obj:pylearn2.training_algorithms.sgd.SGD {
    learning_rate: .05, batch_size: 10, monitoring_dataset: *d,
    termination_criterion: !obj:pylearn2.termination_criteria.EpochCounter {max_epochs: 3}}
}
"""


def test_recipe_xor_prints_the_blog_output_and_plots(capsys, tmp_path: Path) -> None:
    plot = tmp_path / "curves.png"
    assert main(["recipe", "xor", "--no-progress", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "XOR truth table: 4/4 correct" in out
    p1 = float(re.search(r"\[\[\s*[\d.e-]+\s+([\d.e-]+)\]\]", out).group(1))
    assert p1 > 0.9
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_recipe_pima_with_a_csv_reaches_70_percent_on_test(capsys, pima_csv: Path) -> None:
    assert main(["recipe", "pima", "--data", str(pima_csv)]) == 0
    captured = capsys.readouterr()
    scores = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) correct", captured.out)]
    assert [total for _, total in scores] == [537, 161, 70]
    correct, total = scores[2]
    assert correct / total >= 0.70
    assert "output_misclass=" in captured.err  # the progress bar


def test_train_runs_a_yaml_experiment(capsys, tmp_path: Path) -> None:
    config = tmp_path / "xor.yaml"
    (tmp_path / "xor.csv").write_text("y,a,b\n0,0,0\n1,0,1\n1,1,0\n0,1,1\n")
    config.write_text(XOR_CONFIG)
    assert main(["train", str(config), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "trained 3 epochs" in out
    assert re.search(r"^output_misclass: [\d.]+$", out, re.M)


def test_train_refuses_an_unsafe_config(capsys, tmp_path: Path) -> None:
    config = tmp_path / "evil.yaml"
    config.write_text("!obj:os.system {command: 'echo hi'}\n")
    assert main(["train", str(config)]) == 2
    err = capsys.readouterr().err
    assert "refused YAML tag '!obj:os.system'" in err
    assert "--allow-unsafe" in err
    assert "allow_unsafe=True" not in err


def test_missing_data_is_a_clear_error(capsys, tmp_path: Path) -> None:
    assert main(["recipe", "pima", "--data", str(tmp_path / "none.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err


def test_unknown_command_is_one_line_and_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["fly"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "invalid choice: 'fly'" in err


@pytest.mark.parametrize("order", ["before", "after"])
def test_options_go_before_or_after_the_subcommand(capsys, order: str) -> None:
    argv = ["--json", "--no-progress", "recipe", "xor"]
    if order == "after":
        argv = ["recipe", "xor", "--json", "--no-progress"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["recipe"] == "xor"
    assert summary["correct"] == 4
    assert summary["epochs"] == 400


def test_demo_without_the_data_extra_says_how_to_get_pima_and_exits_0(
    capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_pima_data_installed", lambda: False)
    assert main(["demo"]) == 0
    captured = capsys.readouterr()
    assert "XOR truth table: 4/4 correct" in captured.out
    lines = [line for line in captured.out.splitlines() if "Pima" in line]
    assert lines == [
        "Pima: skipped, its data is not installed: pip install 'pylearn2-recipes[data]'"
    ]
    assert "compiling the training graph with PyTensor" in captured.err
    # where Numba, PyTensor's default JIT, writes its cache (not the C backend's compiledir)
    from pylearn2_recipes._backend import pytensor

    numba_cache = os.path.join(pytensor.config.base_compiledir, "numba")
    assert f"cached in {numba_cache}," in captured.err
    assert os.path.isdir(numba_cache)
    assert os.listdir(numba_cache)


def test_recipe_pima_without_data_names_the_flag(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_pima_data_installed", lambda: False)
    assert main(["recipe", "pima"]) == 2
    assert (
        "pass --data FILE.csv or `pip install 'pylearn2-recipes[data]'`" in capsys.readouterr().err
    )


def test_a_softmax_wider_than_the_labels_is_named_before_compiling(capsys, tmp_path: Path) -> None:
    config = tmp_path / "xor.yaml"
    (tmp_path / "xor.csv").write_text("y,a,b\n0,0,0\n1,0,1\n1,1,0\n0,1,1\n")
    config.write_text(XOR_CONFIG.replace("n_classes: 2", "n_classes: 3"))
    assert main(["train", str(config), "--no-progress"]) == 2
    assert (
        "layer 'output' is Softmax(n_classes=3) but the labels of the training dataset have "
        "2 classes" in capsys.readouterr().err
    )


def test_demo_runs_both_recipes_offline(capsys) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "XOR truth table: 4/4 correct" in out
    assert re.search(r"Accuracy of test set:\n\d+/70 correct", out)
