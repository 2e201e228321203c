from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import plot_channels
from pylearn2_recipes.models.mlp import MLP, Softmax


def scripted(n: int) -> MLP:
    model = MLP([Softmax(2, "output", irange=0.1)], nvis=2)
    values = iter(np.linspace(1.0, 0.1, n))
    model.monitor.add_channel("output_misclass", ipt=None, val=lambda: next(values))
    for _ in range(n):
        model.monitor()
        model.monitor.report_epoch()
    return model


def test_plots_the_default_channels_to_svg(tmp_path: Path) -> None:
    path = tmp_path / "curves.svg"
    assert plot_channels(scripted(5), path) == ["output_misclass"]
    assert "<svg" in path.read_text()


def test_unknown_channel_and_nothing_to_plot(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="unknown channels \\['valid_objective'\\]"):
        plot_channels(scripted(2), tmp_path / "x.png", channels=["valid_objective"])
    with pytest.raises(ValueError, match="no channels to plot"):
        plot_channels(MLP([Softmax(2, "y", irange=0.1)], nvis=2), tmp_path / "x.png")
