"""``PretrainedLayer``: a trained model used as a layer of an ``MLP`` (pylearn2's ``models.mlp``).

``models.mlp`` re-exports it, so ``pylearn2.models.mlp.PretrainedLayer`` resolves as in
pylearn2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Shared, Symbolic
from pylearn2_recipes.models.mlp import LAYER_TYPES, Layer

__all__ = ["PretrainedLayer"]


def _content(value: Any) -> Any:
    from pylearn2_recipes.models.autoencoder import MODEL_TYPES, Autoencoder

    if isinstance(value, Autoencoder):
        return value
    # A saved MLP stores the content as its architecture() dict; the values follow.
    if isinstance(value, Mapping) and value.get("class") in MODEL_TYPES:
        return MODEL_TYPES[value["class"]].from_architecture(value)
    raise ValueError(f"`layer_content` must be an autoencoder, got {value!r}")


class PretrainedLayer(Layer):
    """The encoder of a trained autoencoder (``layer_content``) as a hidden layer.

    Its output is ``layer_content.upward_pass(input)``; its parameters are the
    content's own (all of them, as pylearn2's: the decoder's get no gradient), so
    training fine-tunes the encoder unless ``freeze_params``.

    Parameters
    ----------
    layer_name : str
    layer_content : Autoencoder
        Usually ``!pkl:`` of a model file saved by an earlier run.
    freeze_params : bool, default=False
        Keep the content's parameters fixed.

    Raises
    ------
    ValueError
        If the content is not an autoencoder or its width does not fit the input.

    Examples
    --------
    >>> from pylearn2_recipes.models.autoencoder import Autoencoder
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> h1 = PretrainedLayer("h1", Autoencoder(4, 3, "tanh", None, irange=0.1))
    >>> MLP([h1, Softmax(2, "y", irange=0.1)], nvis=4).layers[0].dim
    3
    """

    def __init__(self, layer_name: str, layer_content: Any, freeze_params: bool = False) -> None:
        if not isinstance(layer_name, str) or not layer_name:
            raise ValueError(f"`layer_name` must be a non-empty str, got {layer_name!r}")
        self.layer_name = layer_name
        self.layer_content = _content(layer_content)
        self.freeze_params = bool(freeze_params)
        self.dim = int(self.layer_content.nhid)
        self.W = self.layer_content.weights
        self.b = self.layer_content.hidbias
        self.W_lr_scale = self.b_lr_scale = None
        self.max_row_norm = self.max_col_norm = None

    def _check_width(self, input_dim: int) -> None:
        if input_dim != self.layer_content.nvis:
            raise ValueError(
                f"layer {self.layer_name!r}: its content takes {self.layer_content.nvis} "
                f"inputs but the layer below gives {input_dim}"
            )

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Check the width; the content's parameters are kept (nothing is drawn)."""
        self._check_width(input_dim)

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """The content's parameter shapes (none when frozen)."""
        if self.freeze_params:
            return []
        return [tuple(p.get_value(borrow=True).shape) for p in self.layer_content.get_params()]

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """Overwrite the content's parameters with stored values."""
        self._check_width(input_dim)
        if not self.freeze_params:
            self.layer_content.set_param_values(list(arrays))

    def get_params(self) -> list[Shared]:
        """The content's parameters, or none when ``freeze_params``."""
        return [] if self.freeze_params else self.layer_content.get_params()

    def fprop(self, state_below: Symbolic) -> Symbolic:
        """``layer_content.upward_pass(state_below)``."""
        return self.layer_content.upward_pass(state_below)

    def get_weight_decay(self, coeff: float) -> Symbolic:
        """Not defined for a pretrained layer (as pylearn2's)."""
        raise NotImplementedError(
            f"layer {self.layer_name!r}: no weight decay on a PretrainedLayer"
        )

    def get_l1_weight_decay(self, coeff: float) -> Symbolic:
        """Not defined for a pretrained layer (as pylearn2's)."""
        raise NotImplementedError(
            f"layer {self.layer_name!r}: no weight decay on a PretrainedLayer"
        )

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments; the content as its own architecture dict.

        Raises
        ------
        NotImplementedError
            With ``freeze_params``: a model file stores trained parameters only, so
            frozen content could not be restored.
        """
        if self.freeze_params:
            raise NotImplementedError(
                f"layer {self.layer_name!r}: an MLP with a frozen PretrainedLayer cannot "
                "be saved as a model file"
            )
        return {
            "layer_name": self.layer_name,
            "layer_content": self.layer_content.architecture(),
            "freeze_params": self.freeze_params,
        }


LAYER_TYPES["PretrainedLayer"] = PretrainedLayer
