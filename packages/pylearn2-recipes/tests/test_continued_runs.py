"""Continuing a saved run: monitor histories in model files, push_monitor, MatchChannel.

pylearn2 pickled the whole model, monitor included, so ``papers/maxout/*_continued.yaml``
could ``!pkl:`` a saved model, ``push_monitor`` its monitor aside and train until a
channel reached the earlier run's value (``termination_criteria.MatchChannel``).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from pylearn2_recipes import ModelFileError
from pylearn2_recipes.config import yaml_parse
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.models.mlp import MLP, Softmax
from pylearn2_recipes.monitor import push_monitor
from pylearn2_recipes.termination_criteria import EpochCounter, MatchChannel
from pylearn2_recipes.train import Train
from pylearn2_recipes.training_algorithms.sgd import SGD
from pylearn2_recipes.utils import serial

FAST = "FAST_COMPILE"


def dataset() -> DenseDesignMatrix:
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    return DenseDesignMatrix(X=X, y=(X[:, 0] > 0).astype(int), y_labels=2)


def trained(path: Path, epochs: int) -> MLP:
    ds = dataset()
    model = MLP([Softmax(2, "y", irange=0.1)], nvis=3)
    algorithm = SGD(
        learning_rate=0.1,
        batch_size=10,
        monitoring_dataset=ds,
        termination_criterion=EpochCounter(epochs),
        theano_function_mode=FAST,
    )
    Train(ds, model, algorithm, save_path=str(path), save_freq=1).main_loop()
    return model


def test_model_files_keep_the_monitor_histories(tmp_path: Path) -> None:
    model = trained(tmp_path / "run.pkl", 3)
    loaded = serial.load(tmp_path / "run.pkl")
    assert loaded.monitor.get_epochs_seen() == 3
    assert loaded.monitor.get_batches_seen() == model.monitor.get_batches_seen() == 12
    assert loaded.monitor.get_examples_seen() == 120
    assert sorted(loaded.monitor.channels) == sorted(model.monitor.channels)
    for name, channel in model.monitor.channels.items():
        kept = loaded.monitor.channels[name]
        assert kept.val_record == pytest.approx(channel.val_record)
        assert kept.epoch_record == channel.epoch_record
        assert kept.example_record == channel.example_record


def test_a_continuation_reads_the_first_runs_monitor(tmp_path: Path) -> None:
    trained(tmp_path / "first.pkl", 2)
    ds = dataset()
    np.save(tmp_path / "X.npy", ds.X)
    np.save(tmp_path / "y.npy", (ds.X[:, 0] > 0).astype(int))
    config = f"""
!obj:pylearn2.train.Train {{
    dataset: &train !obj:pylearn2.datasets.dense_design_matrix.DenseDesignMatrix {{
        X: !pkl: "{tmp_path / "X.npy"}", y: !pkl: "{tmp_path / "y.npy"}", y_labels: 2 }},
    model: !obj:pylearn2.monitor.push_monitor {{
        model: !pkl: "{tmp_path / "first.pkl"}", name: "monitor_stage_0" }},
    algorithm: !obj:pylearn2.training_algorithms.sgd.SGD {{
        learning_rate: .1, batch_size: 10, theano_function_mode: FAST_COMPILE,
        monitoring_dataset: {{ 'train': *train }},
        termination_criterion: !obj:pylearn2.termination_criteria.And {{ criteria: [
            !obj:pylearn2.termination_criteria.MatchChannel {{
                channel_name: "train_objective", prev_channel_name: "objective",
                prev_monitor_name: "monitor_stage_0" }},
            !obj:pylearn2.termination_criteria.EpochCounter {{ max_epochs: 3 }} ] }}
    }}
}}
"""
    train = yaml_parse.load(config)
    previous = train.model.monitor_stage_0
    assert previous.get_epochs_seen() == 2
    target = previous.channels["objective"].val_record[-1]
    train.main_loop()
    match = train.algorithm.termination_criterion.criteria[0]
    assert match.target == target
    # the same parameters on the same data already match: no epoch is trained
    record = train.model.monitor.channels["train_objective"].val_record
    assert record == pytest.approx([target])
    assert train.model.monitor.get_epochs_seen() == 0


def test_match_channel_compares_with_the_previous_runs_last_value() -> None:
    def monitor(**channels: list[float]) -> SimpleNamespace:
        return SimpleNamespace(
            channels={k: SimpleNamespace(val_record=v) for k, v in channels.items()}
        )

    model = SimpleNamespace(monitor=monitor(valid=[5.0]), stage0=monitor(train=[9.0, 2.0]))
    criterion = MatchChannel("valid", "train", "stage0")
    assert criterion.continue_learning(model)  # 5 > 2
    model.monitor.channels["valid"].val_record.append(2.0)
    assert not criterion.continue_learning(model)  # equal: stop, as pylearn2's `>`
    model.stage0.channels["train"].val_record.append(-10.0)
    assert not criterion.continue_learning(model)  # the target was read once
    with pytest.raises(ValueError, match="no monitor 'stage1'"):
        MatchChannel("valid", "train", "stage1").continue_learning(model)
    with pytest.raises(ValueError, match="no value of channel 'nope'"):
        MatchChannel("nope", "train", "stage0").continue_learning(model)


def test_push_monitor_on_a_loaded_model_keeps_the_old_histories(tmp_path: Path) -> None:
    trained(tmp_path / "run.pkl", 1)
    model = push_monitor(serial.load(tmp_path / "run.pkl"), "old")
    assert model.old.get_epochs_seen() == 1
    assert len(model.old.channels["objective"].val_record) == 2


def test_malformed_monitor_records_are_refused(tmp_path: Path) -> None:
    import json
    import zipfile

    trained(tmp_path / "run.pkl", 1)
    with zipfile.ZipFile(tmp_path / "run.pkl") as archive:
        arrays = {
            name.removesuffix(".npy"): np.lib.format.read_array(archive.open(name))
            for name in archive.namelist()
        }
    header = json.loads(str(arrays["__model__"]))
    header["monitor"]["channels"]["objective"]["val_record"].append(1.0)
    arrays["__model__"] = np.array(json.dumps(header))
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelFileError, match="records of different lengths"):
        serial.load(tmp_path / "bad.npz")
