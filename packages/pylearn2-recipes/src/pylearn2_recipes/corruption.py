"""Input corruption for denoising autoencoders, pylearn2's ``corruption`` module.

The noise comes from a PyTensor random stream seeded with ``rng`` (pylearn2's default
2001), not Theano's MRG stream: same distribution, different draws.
"""

from __future__ import annotations

import warnings
from typing import Any

from pylearn2_recipes._backend import Symbolic, pt, pytensor

__all__ = ["BinomialCorruptor", "Corruptor"]


class Corruptor:
    """Base class: ``corruptor(x)`` is a corrupted copy of the symbolic batch ``x``.

    Parameters
    ----------
    corruption_level : float
        In [0, 1].
    rng : int, default=2001
        Seed of the random stream.

    Raises
    ------
    ValueError
        If ``corruption_level`` is outside [0, 1] or ``rng`` is not an int.

    Examples
    --------
    >>> BinomialCorruptor(corruption_level=0.5).architecture()
    {'class': 'BinomialCorruptor', 'args': {'corruption_level': 0.5, 'rng': 2001}}
    """

    def __init__(self, corruption_level: float, rng: int = 2001) -> None:
        if isinstance(corruption_level, bool) or not 0.0 <= float(corruption_level) <= 1.0:
            raise ValueError(f"`corruption_level` must be in [0, 1], got {corruption_level!r}")
        if isinstance(rng, bool) or not isinstance(rng, int):
            raise ValueError(f"`rng` must be an int seed, got {rng!r}")
        self.corruption_level = float(corruption_level)
        self.rng = rng
        self._stream: Any = None

    def stream(self) -> Any:
        """The PyTensor random stream (made on first use)."""
        if self._stream is None:
            from pytensor.tensor.random.utils import RandomStream

            with warnings.catch_warnings():  # PyTensor 3 deprecates default updates
                warnings.simplefilter("ignore", FutureWarning)
                self._stream = RandomStream(seed=self.rng)
        return self._stream

    def __call__(self, inputs: Symbolic) -> Symbolic:
        """The corrupted batch."""
        return self._corrupt(inputs)

    def _corrupt(self, x: Symbolic) -> Symbolic:
        raise NotImplementedError

    def architecture(self) -> dict[str, Any]:
        """``{"class": name, "args": constructor arguments}`` (JSON)."""
        return {
            "class": type(self).__name__,
            "args": {"corruption_level": self.corruption_level, "rng": self.rng},
        }


class BinomialCorruptor(Corruptor):
    """Zero each input independently with probability ``corruption_level``.

    Examples
    --------
    >>> BinomialCorruptor(0.2).corruption_level
    0.2
    """

    def _corrupt(self, x: Symbolic) -> Symbolic:
        with warnings.catch_warnings():  # RandomStream's own deprecation notices
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            keep = self.stream().binomial(1, 1.0 - self.corruption_level, size=x.shape)
        return x * pt.cast(keep, pytensor.config.floatX)


CORRUPTORS: dict[str, type[Corruptor]] = {"BinomialCorruptor": BinomialCorruptor}
