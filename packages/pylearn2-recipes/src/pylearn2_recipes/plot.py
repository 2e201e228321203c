"""Learning curves of a finished (or running) training."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pylearn2_recipes.train import Train

__all__ = ["plot_channels"]


def plot_channels(
    train: Train | Any,
    path: str | os.PathLike[str],
    channels: Sequence[str] | None = None,
) -> list[str]:
    """Draw monitored channels against epochs into an image file (needs ``[plot]``).

    Parameters
    ----------
    train : Train or MLP
        Anything with a ``model.monitor`` (a ``Train``) or a ``monitor`` (a model).
    path : str or os.PathLike
        Output file; the format follows the extension (``.png``, ``.svg``, ``.pdf``).
    channels : sequence of str, optional
        Defaults to every channel ending in ``objective``, ``misclass`` or ``nll``.

    Returns
    -------
    list of str
        The channels drawn.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install pylearn2-recipes[plot]``).
    KeyError
        If a requested channel does not exist.
    ValueError
        If there is nothing to plot (no monitoring dataset).

    Examples
    --------
    >>> import os, tempfile
    >>> from pylearn2_recipes import xor_recipe
    >>> result = xor_recipe(n_examples=20, epochs=2)
    >>> plot_channels(result.train, os.path.join(tempfile.mkdtemp(), "curves.png"))
    ['objective', 'output_misclass', 'output_nll']
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "plot_channels needs matplotlib: pip install 'pylearn2-recipes[plot]'"
        ) from error
    model: Any = getattr(train, "model", train)
    monitor = model.monitor
    if channels is None:
        names = [
            name
            for name, ch in monitor.channels.items()
            if ch.val_record and name.endswith(("objective", "misclass", "nll"))
        ]
    else:
        missing = [name for name in channels if name not in monitor.channels]
        if missing:
            raise KeyError(f"unknown channels {missing}; monitored: {sorted(monitor.channels)}")
        names = list(channels)
    if not names:
        raise ValueError("no channels to plot: train with a monitoring_dataset")
    figure, axes = plt.subplots(figsize=(7, 4))
    for name in names:
        channel = monitor.channels[name]
        axes.plot(channel.epoch_record, channel.val_record, label=name)
    axes.set_xlabel("epoch")
    axes.set_ylabel("value")
    axes.legend()
    figure.tight_layout()
    figure.savefig(os.fspath(path))
    plt.close(figure)
    return names
