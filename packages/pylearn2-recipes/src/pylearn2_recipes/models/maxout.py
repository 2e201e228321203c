"""Maxout units (Goodfellow et al. 2013) on vectors: pylearn2's ``models.maxout.Maxout``.

A unit is the max of ``num_pieces`` affine pieces: with ``z = x @ W + b`` of width
``num_units · num_pieces``, unit u is ``max_i z[:, u·num_pieces + i]`` (pylearn2's
default ``pool_stride = num_pieces``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Symbolic, pt
from pylearn2_recipes.models.mlp import LAYER_TYPES, Linear, _check_positive_int

__all__ = ["Maxout", "MaxoutConvC01B"]


class Maxout(Linear):
    """A maxout layer of ``num_units`` units with ``num_pieces`` pieces each.

    Parameters
    ----------
    layer_name : str
    num_units : int
    num_pieces : int
    pool_stride : int, optional
        Must equal ``num_pieces`` (pylearn2's default; overlapping pools are not
        implemented).
    randomize_pools : bool, default=False
        Not implemented (must be False).
    min_zero : bool, default=False
        Also take the max with 0.
    irange, istdev, sparse_init, sparse_stdev, include_prob, init_bias,
    W_lr_scale, b_lr_scale, max_row_norm, max_col_norm
        As for ``Linear``, over the ``num_units · num_pieces`` pieces.
    mask_weights : None
        Not implemented.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> h0 = Maxout(layer_name="h0", num_units=3, num_pieces=2, irange=.05)
    >>> model = MLP([h0, Softmax(2, "y", irange=.05)], nvis=4)
    >>> h0.W.get_value().shape, model.predict_proba([[0, 1, 2, 3]]).shape
    ((4, 6), (1, 2))
    """

    def __init__(
        self,
        layer_name: str,
        num_units: int,
        num_pieces: int,
        pool_stride: int | None = None,
        randomize_pools: bool = False,
        irange: float | None = None,
        istdev: float | None = None,
        sparse_init: int | None = None,
        sparse_stdev: float = 1.0,
        include_prob: float = 1.0,
        init_bias: float = 0.0,
        W_lr_scale: float | None = None,
        b_lr_scale: float | None = None,
        max_col_norm: float | None = None,
        max_row_norm: float | None = None,
        mask_weights: Any = None,
        min_zero: bool = False,
    ) -> None:
        self.num_units = _check_positive_int(num_units, "num_units")
        self.num_pieces = _check_positive_int(num_pieces, "num_pieces")
        if pool_stride is not None and pool_stride != num_pieces:
            raise ValueError("Maxout: `pool_stride` other than `num_pieces` is not implemented")
        if randomize_pools or mask_weights is not None:
            raise ValueError("Maxout: `randomize_pools` and `mask_weights` are not implemented")
        self.min_zero = bool(min_zero)
        super().__init__(
            dim=self.num_units * self.num_pieces,
            layer_name=layer_name,
            irange=irange,
            istdev=istdev,
            sparse_init=sparse_init,
            sparse_stdev=sparse_stdev,
            include_prob=include_prob,
            init_bias=init_bias,
            W_lr_scale=W_lr_scale,
            b_lr_scale=b_lr_scale,
            max_row_norm=max_row_norm,
            max_col_norm=max_col_norm,
        )
        self.detector_layer_dim = self.dim
        # Linear's arithmetic uses `dim` for W; the layer's output width is num_units.
        self._output_dim = self.num_units
        self.dim = self.num_units

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """``[W, b]`` over the pieces."""
        super().set_param_arrays(input_dim, arrays)
        self.dim = self._output_dim

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Draw the pieces' weights like ``Linear`` does."""
        self.dim = self.detector_layer_dim
        super().set_input_space(input_dim, rng)
        self.dim = self._output_dim

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """``[(input_dim, num_units · num_pieces), (num_units · num_pieces,)]``."""
        width = self.detector_layer_dim
        return [(input_dim, width), (width,)]

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """The max over each unit's pieces."""
        z = self.affine(state_below)
        pieces = z.reshape((z.shape[0], self.num_units, self.num_pieces))
        out = pieces.max(axis=2)
        return pt.maximum(out, 0.0) if self.min_zero else out

    def fprop_numpy(self, state_below: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """The max over pieces, in numpy."""
        z = self._affine_numpy(state_below)
        out = z.reshape(z.shape[0], self.num_units, self.num_pieces).max(axis=2)
        result: npt.NDArray[Any] = np.maximum(out, 0.0) if self.min_zero else out
        return result

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """Not an output layer."""
        raise TypeError(f"layer {self.layer_name!r} (Maxout) cannot be the output layer")

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments."""
        args = super().architecture()
        for key in ("dim",):
            args.pop(key)
        return {
            **args,
            "num_units": self.num_units,
            "num_pieces": self.num_pieces,
            "min_zero": self.min_zero,
        }


LAYER_TYPES["Maxout"] = Maxout

# pylearn2 defines MaxoutConvC01B in models/maxout.py; it lives in models/_maxout_conv.py.
from pylearn2_recipes.models._maxout_conv import MaxoutConvC01B  # noqa: E402
