from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes.models.mlp import MLP, Softmax
from pylearn2_recipes.train_extensions.best_params import MonitorBasedSaveBest
from pylearn2_recipes.utils import serial


def scripted(values: list[float]) -> MLP:
    model = MLP([Softmax(2, "output", irange=0.1)], nvis=2)
    stream: Iterator[float] = iter(values)
    model.monitor.add_channel("output_misclass", ipt=None, val=lambda: next(stream))
    return model


def test_saves_only_on_strict_improvement(tmp_path: Path, monkeypatch) -> None:
    values = [0.5, 0.4, 0.4, 0.45, 0.3, 0.3]
    model = scripted(values)
    path = tmp_path / "best.pkl"
    saver = MonitorBasedSaveBest("output_misclass", save_path=path)
    saved_at: list[int] = []
    real_save = serial.save

    def spy(filepath, obj, **kwargs) -> None:
        saved_at.append(model.monitor.get_epochs_seen())
        real_save(filepath, obj, **kwargs)

    monkeypatch.setattr(serial, "save", spy)
    first_weights = model.layers[0].W.get_value().copy()
    for epoch in range(len(values)):
        model.monitor()
        saver.on_monitor(model, None, None)
        if epoch == 0:
            assert np.array_equal(serial.load(path).layers[0].W.get_value(), first_weights)
        model.layers[0].W.set_value(model.layers[0].W.get_value() + 1.0)
        model.monitor.report_epoch()
    assert saved_at == [0, 1, 4]  # the untrained model first; ties do not save
    best = serial.load(path)
    np.testing.assert_array_equal(best.layers[0].W.get_value(), first_weights + 4.0)
    assert best.tag["MonitorBasedSaveBest"]["best_cost"] == 0.3
    assert not (tmp_path / "best.pkl.bak").exists()


def test_store_best_model_keeps_an_independent_copy() -> None:
    model = scripted([0.5, 0.6])
    saver = MonitorBasedSaveBest("output_misclass", store_best_model=True)
    model.monitor()
    saver.on_monitor(model, None, None)
    kept = model.layers[0].W.get_value().copy()
    model.layers[0].W.set_value(kept + 1.0)
    model.monitor()
    saver.on_monitor(model, None, None)
    assert saver.best_model is not None
    assert saver.best_model is not model
    np.testing.assert_array_equal(saver.best_model.layers[0].W.get_value(), kept)


def test_higher_is_better_and_start_epoch() -> None:
    model = scripted([0.5, 0.9, 0.7])
    saver = MonitorBasedSaveBest(
        "output_misclass", store_best_model=True, higher_is_better=True, start_epoch=1
    )
    for _ in range(3):
        model.monitor()
        saver.on_monitor(model, None, None)
        model.monitor.report_epoch()
    assert saver.best_cost == 0.9


def test_needs_a_destination_and_a_known_channel() -> None:
    with pytest.raises(ValueError, match="needs `save_path` or `store_best_model=True`"):
        MonitorBasedSaveBest("output_misclass")
    model = scripted([0.1])
    model.monitor()
    with pytest.raises(KeyError, match="channel 'valid_y_misclass' has no values"):
        MonitorBasedSaveBest("valid_y_misclass", store_best_model=True).on_monitor(
            model, None, None
        )
