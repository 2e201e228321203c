"""A per-epoch progress bar showing monitored channels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from pylearn2_recipes.train_extensions.interface import TrainExtension

if TYPE_CHECKING:
    from pylearn2_recipes.datasets.dataset import Dataset
    from pylearn2_recipes.models.model import Model

__all__ = ["ProgressBar", "compile_cache_dir", "compile_notice"]


def compile_notice() -> str:
    """The line a first run prints before PyTensor compiles: what happens and where it goes.

    Examples
    --------
    >>> compile_notice().startswith("compiling the training graph with PyTensor")
    True
    """
    return (
        "compiling the training graph with PyTensor (up to a minute on a first run; "
        f"cached in {compile_cache_dir()}, later runs start in seconds)"
    )


def compile_cache_dir() -> str:
    """Where PyTensor keeps what it compiles in the default mode.

    Numba's JIT (PyTensor's default linker) caches under ``<base_compiledir>/numba``;
    the C backend under ``compiledir``.

    Examples
    --------
    >>> import os
    >>> from pylearn2_recipes._backend import pytensor
    >>> compile_cache_dir().startswith(os.fspath(pytensor.config.base_compiledir))
    True
    """
    import os

    from pylearn2_recipes._backend import pytensor

    linker = pytensor.compile.mode.get_default_mode().linker
    if type(linker).__name__ == "NumbaLinker":
        return str(os.path.join(pytensor.config.base_compiledir, "numba"))
    return str(pytensor.config.compiledir)


class ProgressBar(TrainExtension):
    """A tqdm bar advanced once per epoch, its postfix the latest channel values.

    Parameters
    ----------
    channels : sequence of str, optional
        Channels to show; by default those ending in ``objective`` or ``misclass``
        and ``learning_rate``.
    total : int, optional
        Expected number of epochs (taken from an ``EpochCounter`` when there is one).
    disable : bool, default=False

    Examples
    --------
    >>> ProgressBar(channels=["output_misclass"], disable=True).channels
    ['output_misclass']
    """

    def __init__(
        self,
        channels: Sequence[str] | None = None,
        total: int | None = None,
        disable: bool = False,
    ) -> None:
        self.channels = None if channels is None else list(channels)
        self.total = total
        self.disable = disable
        self._bar: Any = None
        self._compiling = False

    def setup(self, model: Model, dataset: Dataset, algorithm: Any) -> None:
        """Open the bar."""
        total = self.total
        criterion = getattr(algorithm, "termination_criterion", None)
        if total is None and criterion is not None and hasattr(criterion, "max_epochs"):
            total = int(criterion.max_epochs)
        if self._bar is None:
            self._bar = tqdm(total=total, unit="epoch", disable=self.disable, leave=False)
        elif total is not None:
            self._bar.total = total
        self._compiling = True
        self._bar.set_description_str(compile_notice())

    def announce_compile(self) -> None:
        """Open the bar saying it compiles (``Train`` calls it before the algorithm's setup)."""
        if self._bar is None:
            self._bar = tqdm(total=self.total, unit="epoch", disable=self.disable, leave=False)
        self._compiling = True
        self._bar.set_description_str(compile_notice())

    def on_monitor(self, model: Model, dataset: Dataset, algorithm: Any) -> None:
        """Show the newest channel values; advance once per trained epoch."""
        if self._bar is None:
            self.setup(model, dataset, algorithm)
        latest = model.monitor.latest_values()
        names = (
            self.channels
            if self.channels is not None
            else [
                name
                for name in latest
                if name.endswith(("objective", "misclass")) or name == "learning_rate"
            ]
        )
        self._bar.set_postfix({name: f"{latest[name]:.4g}" for name in names if name in latest})
        self._bar.n = model.monitor.get_epochs_seen()
        if self._compiling and self._bar.n > 0:  # the first epoch ran: graphs are compiled
            self._compiling = False
            self._bar.set_description_str("")
        self._bar.refresh()

    def close(self) -> None:
        """Close the bar (``Train`` calls this when the loop ends)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
