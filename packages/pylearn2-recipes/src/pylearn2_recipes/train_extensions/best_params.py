"""Keep the best model seen so far, judged by a monitored channel."""

from __future__ import annotations

import copy
import math
import os
import socket
from typing import TYPE_CHECKING, Any

from pylearn2_recipes.train_extensions.interface import TrainExtension
from pylearn2_recipes.utils import serial

if TYPE_CHECKING:
    from pylearn2_recipes.datasets.dataset import Dataset
    from pylearn2_recipes.models.mlp import MLP

__all__ = ["MonitorBasedSaveBest"]


class MonitorBasedSaveBest(TrainExtension):
    """Save (and/or keep a copy of) the model whenever a channel strictly improves.

    The first call always improves on +inf, so with ``start_epoch=0`` the untrained
    epoch-0 model is saved first, as in pylearn2. Files are written in the safe format
    of ``utils.serial.save`` whatever their extension.

    Parameters
    ----------
    channel_name : str
        E.g. ``"output_misclass"``.
    save_path : str, optional
    store_best_model : bool, default=False
        Keep a deep copy in ``self.best_model``.
    start_epoch : int, default=0
        Ignore improvements before this many epochs.
    higher_is_better : bool, default=False
    tag_key : str, optional
        Key of ``model.tag`` to record in (default: the class name).

    Raises
    ------
    ValueError
        If neither ``save_path`` nor ``store_best_model`` is given.

    Examples
    --------
    >>> saver = MonitorBasedSaveBest("output_misclass", store_best_model=True)
    >>> saver.best_cost
    inf
    """

    def __init__(
        self,
        channel_name: str,
        save_path: str | os.PathLike[str] | None = None,
        store_best_model: bool = False,
        start_epoch: int = 0,
        higher_is_better: bool = False,
        tag_key: str | None = None,
    ) -> None:
        if save_path is None and not store_best_model:
            raise ValueError("MonitorBasedSaveBest needs `save_path` or `store_best_model=True`")
        self.channel_name = channel_name
        self.save_path = None if save_path is None else os.fspath(save_path)
        self.store_best_model = store_best_model
        self.start_epoch = start_epoch
        self.higher_is_better = higher_is_better
        self.coeff = -1.0 if higher_is_better else 1.0
        self.best_cost = self.coeff * math.inf
        self.best_model: MLP | None = None
        self.tag_key = tag_key if tag_key is not None else type(self).__name__

    def setup(self, model: MLP, dataset: Dataset, algorithm: Any) -> None:
        """Record channel, path, host and ``best_cost`` in ``model.tag[tag_key]``."""
        tag = model.tag.setdefault(self.tag_key, {})
        tag["channel_name"] = self.channel_name
        if self.save_path is not None:
            tag["save_path"] = os.path.abspath(self.save_path)
        tag["hostname"] = socket.gethostname()
        tag["best_cost"] = self.best_cost

    def on_monitor(self, model: MLP, dataset: Dataset, algorithm: Any) -> None:
        """Save when the channel's newest value is strictly better than the best so far.

        Raises
        ------
        KeyError
            If the channel is not monitored (the message names it).
        """
        channel = model.monitor.channels.get(self.channel_name)
        if channel is None or not channel.val_record:
            known = ", ".join(sorted(model.monitor.channels)) or "none"
            raise KeyError(
                f"MonitorBasedSaveBest: channel {self.channel_name!r} has no values "
                f"(channels: {known})"
            )
        value = channel.val_record[-1]
        if model.monitor.get_epochs_seen() < self.start_epoch:
            return
        if self.coeff * value < self.coeff * self.best_cost:
            self.best_cost = value
            model.tag.setdefault(self.tag_key, {})["best_cost"] = value
            if self.store_best_model:
                self.best_model = copy.deepcopy(model)
            if self.save_path is not None:
                serial.save(self.save_path, model, on_overwrite="backup")
