"""The blog's two scripts, run as published (see the header of each script)."""

from __future__ import annotations

import random
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

BLOG = Path(__file__).parent / "blog"


def test_xor_script_learns_xor(capsys: pytest.CaptureFixture[str]) -> None:
    random.seed(0)
    namespace = runpy.run_path(str(BLOG / "xor_blog.py"), run_name="__main__")
    printed = capsys.readouterr().out
    probabilities = np.array([float(v) for v in re.findall(r"[\d.]+(?:e-?\d+)?", printed)])
    assert probabilities.shape == (2,)
    assert probabilities[1] > 0.9
    ann = namespace["ann"]
    assert ann.predict_proba(np.array([[0, 1]]))[0, 1] == pytest.approx(probabilities[1], rel=1e-6)
    truth = ann.predict_proba(np.array([[0, 0], [0, 1], [1, 0], [1, 1]])).argmax(axis=1)
    assert truth.tolist() == [0, 1, 1, 0]
    # The hand loop asks EpochCounter first after epoch 1, so it trains 401 epochs,
    # exactly as pylearn2 does; Train.main_loop asks after epoch 0 and trains 400.
    assert ann.monitor.get_epochs_seen() == 401


def test_pima_script_scores_like_the_blog(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    pima_csv: Path,
    tmp_path: Path,
) -> None:
    best = tmp_path / "best.pkl"
    monkeypatch.setenv("PIMA_DATASET", str(pima_csv))
    monkeypatch.setenv("PIMA_BEST_PATH", str(best))
    namespace = runpy.run_path(str(BLOG / "pima_blog.py"), run_name="__main__")
    printed = capsys.readouterr().out
    scores = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) correct", printed)]
    assert [total for _, total in scores] == [537, 161, 70]
    (_, _), (_, _), (test_correct, test_total) = scores
    assert test_correct / test_total >= 0.70
    assert best.read_bytes()[:2] == b"PK"  # the safe format, despite the .pkl name
    trainer = namespace["trainer"]
    criterion = namespace["termination_criterion"]
    # The reloaded best model keeps its monitor's history up to the save, as pylearn2's
    # pickle did; it was saved on a strict improvement, so its last value is its best.
    misclass = namespace["ann"].monitor
    assert 0 < misclass.get_epochs_seen() < trainer.model.monitor.get_epochs_seen()
    record = misclass.channels["output_misclass"].val_record
    assert len(record) == misclass.get_epochs_seen()  # the blog's loop monitors after each epoch
    assert record[-1] == min(record)
    assert criterion.countdown == 0
    assert float(trainer.learning_rate.get_value()) == pytest.approx(0.005)
    assert float(trainer.learning_rule.momentum.get_value()) == pytest.approx(0.99)
