"""Hard local winner-take-all units (Srivastava et al. 2013), pylearn2's ``models.lwta.LWTA``.

Units come in blocks of ``block_size``; in each block only the unit with the largest
net input keeps it, the others output 0. Ties go to the last unit, as pylearn2's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Symbolic, pt, pytensor
from pylearn2_recipes.models.mlp import LAYER_TYPES, Linear, _check_positive_int

__all__ = ["LWTA"]


class LWTA(Linear):
    """A ``Linear`` layer followed by the hard winner-take-all within each block.

    Parameters
    ----------
    block_size : int
        Units per block; must divide ``dim``.
    **kwargs
        ``Linear``'s arguments.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP
    >>> h0 = LWTA(block_size=2, layer_name="h0", dim=4, irange=0.05)
    >>> out = MLP([h0], nvis=3).predict_proba([[1.0, 2.0, 3.0]])
    >>> int((out != 0).sum())
    2
    """

    def __init__(self, block_size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.block_size = _check_positive_int(block_size, "block_size")
        if self.dim % self.block_size:
            raise ValueError(f"`block_size` {block_size} does not divide `dim` {self.dim}")

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """Net inputs with every non-winner of its block set to 0."""
        p = self.affine(state_below)
        blocks = p.reshape((p.shape[0], self.dim // self.block_size, self.block_size))
        last_max = self.block_size - 1 - pt.argmax(blocks[:, :, ::-1], axis=2)
        winners = pt.eq(pt.arange(self.block_size), last_max.dimshuffle(0, 1, "x"))
        return (blocks * pt.cast(winners, pytensor.config.floatX)).reshape(p.shape)

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """The same in numpy."""
        p = self._affine_numpy(state_below)
        blocks = p.reshape(p.shape[0], -1, self.block_size)
        last_max = self.block_size - 1 - blocks[:, :, ::-1].argmax(axis=2)
        winners = np.arange(self.block_size) == last_max[:, :, None]
        result: npt.NDArray[Any] = (blocks * winners).reshape(p.shape)
        return result

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        return {**super().architecture(), "block_size": self.block_size}


LAYER_TYPES["LWTA"] = LWTA
