"""Layers made of layers: pylearn2's ``CompositeLayer`` and ``FlattenerLayer``.

pylearn2 defines them in ``models/mlp.py``; they live here and ``models.mlp`` re-exports
them. A ``CompositeLayer`` runs its layers side by side: each gets the whole input, or,
with ``inputs_to_layers``, the components of a ``CompositeSpace`` input routed to it
(several components are concatenated into one vector); its output is the tuple of their
outputs, in a ``CompositeSpace``. A ``FlattenerLayer`` turns a layer's composite output
into one vector (the parts flattened and concatenated; a ``('b', 'c', 0, 1)`` part in
``('b', 0, 1, 'c')`` order, as pylearn2's ``format_as``), and splits vector targets back
into parts for the wrapped layer's cost, so composite outputs can be trained.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Shared, Symbolic, pt, pytensor
from pylearn2_recipes.models import _conv
from pylearn2_recipes.models.mlp import LAYER_TYPES, Layer, Updates
from pylearn2_recipes.space import CompositeSpace, Space, VectorSpace
from pylearn2_recipes.utils import safe_union

__all__ = ["CompositeLayer", "FlattenerLayer", "leaf_layers"]


def leaf_layers(layers: Sequence[Layer]) -> Iterator[Layer]:
    """The layers that hold parameters themselves, inside composite and nested layers."""
    for layer in layers:
        inner = getattr(layer, "sublayers", None)
        if inner is None:
            yield layer
        else:
            yield from leaf_layers(inner())


def _single(parts: Sequence[Any]) -> Any:
    return parts[0] if len(parts) == 1 else tuple(parts)


class CompositeLayer(Layer):
    """Layers side by side on one input (or on routed parts of a composite input).

    Parameters
    ----------
    layer_name : str
    layers : list of Layer
    inputs_to_layers : dict of int to list of int, optional
        For a ``CompositeSpace`` input: component ``i`` goes to the layers
        ``inputs_to_layers[i]``; a component not listed goes to every layer.

    Raises
    ------
    TypeError
        If ``inputs_to_layers`` is not a dict.
    ValueError
        If it names a layer that does not exist, or the input is not composite.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Linear
    >>> from pylearn2_recipes.space import VectorSpace
    >>> both = CompositeLayer("both", [Linear(2, "h0", irange=.1), Linear(3, "h1", irange=.1)])
    >>> mlp = MLP([both], nvis=4)
    >>> both.get_output_space()
    CompositeSpace(VectorSpace(dim=2, dtype=float64), VectorSpace(dim=3, dtype=float64))
    """

    _numpy_monitoring = False

    def __init__(
        self,
        layer_name: str,
        layers: Sequence[Layer],
        inputs_to_layers: Mapping[int, Sequence[int]] | None = None,
    ) -> None:
        if not isinstance(layer_name, str) or not layer_name:
            raise ValueError(f"`layer_name` must be a non-empty str, got {layer_name!r}")
        self.layer_name = layer_name
        if not isinstance(layers, Sequence) or not layers:
            raise ValueError("`layers` must be a non-empty list of layers")
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"`layers[{index}]` is not a Layer: {layer!r}")
        self.layers = list(layers)
        self.num_layers = len(self.layers)
        self.inputs_to_layers: dict[int, list[int]] | None = None
        if inputs_to_layers is not None:
            if not isinstance(inputs_to_layers, Mapping):
                raise TypeError(
                    "CompositeLayer expected inputs_to_layers to be dict, got "
                    f"{type(inputs_to_layers)}"
                )
            self.inputs_to_layers = {}
            for key in sorted(inputs_to_layers):
                value = [int(v) for v in inputs_to_layers[key]]
                if any(not 0 <= v < self.num_layers for v in value):
                    raise ValueError(
                        f"layer {layer_name!r}: inputs_to_layers[{key}] names a layer out of "
                        f"0..{self.num_layers - 1}: {value}"
                    )
                self.inputs_to_layers[int(key)] = sorted(value)
        self.W_lr_scale = None
        self.b_lr_scale = None
        self.max_row_norm = None
        self.max_col_norm = None
        self.layers_to_inputs: dict[int, list[int]] = {}

    def sublayers(self) -> list[Layer]:
        """The layers, in order."""
        return self.layers

    @property
    def routing_needed(self) -> bool:
        """Whether ``inputs_to_layers`` routes the input's components."""
        return self.inputs_to_layers is not None

    # Spaces ---------------------------------------------------------------------

    def connect(self, space: Space, flatten_output: bool = False) -> None:
        """Give every layer its input space (routed components with ``inputs_to_layers``)."""
        if not isinstance(space, CompositeSpace):
            if self.inputs_to_layers is not None:
                raise ValueError(
                    f"CompositeLayer {self.layer_name!r} received an inputs_to_layers mapping, "
                    f"but does not have a CompositeSpace as its input space, so there is "
                    f"nothing to map. Received {space} as input space."
                )
        elif self.inputs_to_layers is not None:
            if self.inputs_to_layers and max(self.inputs_to_layers) >= len(space.components):
                raise ValueError(
                    f"The inputs_to_layers mapping of {self.layer_name!r} contains the key "
                    f"{max(self.inputs_to_layers)} (0-based) but the input space only "
                    f"contains {len(space.components)} components."
                )
            mapping = self.inputs_to_layers
            self.layers_to_inputs = {
                i: [j for j in range(len(space.components)) if j not in mapping or i in mapping[j]]
                for i in range(self.num_layers)
            }
        self.input_space = space
        for index, layer in enumerate(self.layers):
            _conv.connect_spaces([layer], self._space_of(index))
        self.output_space = CompositeSpace([layer.get_output_space() for layer in self.layers])
        self.dim = self.output_space.get_total_dimension()

    def _space_of(self, index: int) -> Space:
        space = self.input_space
        if not self.routing_needed or not isinstance(space, CompositeSpace):
            return space
        chosen = self.layers_to_inputs[index]
        if len(chosen) == 1:
            return space.components[chosen[0]]
        parts = [space.components[j] for j in chosen]
        return VectorSpace(sum(part.get_total_dimension() for part in parts))

    def _state_of(self, index: int, state_below: Any) -> Any:
        if not self.routing_needed or not isinstance(self.input_space, CompositeSpace):
            return state_below
        chosen = self.layers_to_inputs[index]
        if len(chosen) == 1:
            return state_below[chosen[0]]
        parts = [self.input_space.components[j] for j in chosen]
        target = VectorSpace(sum(part.get_total_dimension() for part in parts))
        return CompositeSpace(parts).format_as(tuple(state_below[j] for j in chosen), target)

    def get_output_space(self) -> Space:
        """``CompositeSpace`` of the layers' output spaces."""
        return self.output_space

    def get_target_space(self) -> Space:
        """``CompositeSpace`` of the layers' target spaces."""
        return CompositeSpace([layer.get_target_space() for layer in self.layers])

    # Parameters -----------------------------------------------------------------

    def _widths(self) -> list[int]:
        return [layer.get_input_space().get_total_dimension() for layer in self.layers]

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """The layers' parameter shapes, in ``get_params`` order."""
        per_layer = [
            layer.param_shapes(width)
            for layer, width in zip(self.layers, self._widths(), strict=True)
        ]
        return [shape for shapes in reversed(per_layer) for shape in shapes]

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Initialise the layers in order from ``rng`` (as pylearn2 does)."""
        for layer, width in zip(self.layers, self._widths(), strict=True):
            layer.set_input_space(width, rng)

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """Stored values, in ``get_params`` order (last layer's first, as pylearn2's union)."""
        remaining = list(arrays)
        for layer, width in reversed(list(zip(self.layers, self._widths(), strict=True))):
            count = len(layer.param_shapes(width))
            layer.set_param_arrays(width, remaining[:count])
            remaining = remaining[count:]

    def get_params(self) -> list[Shared]:
        """The union of the layers' parameters (pylearn2's order: later layers first)."""
        params: list[Shared] = []
        for layer in self.layers:
            params = safe_union(layer.get_params(), params)
        return params

    def get_lr_scalers(self) -> dict[Shared, float]:
        """The layers' learning-rate multipliers."""
        scalers: dict[Shared, float] = {}
        for layer in self.layers:
            scalers.update(layer.get_lr_scalers())
        return scalers

    def modify_updates(self, updates: Updates) -> None:
        """Every layer's constraints."""
        for layer in self.layers:
            layer.modify_updates(updates)

    def _decay(self, method: str, coeff: Any) -> Symbolic:
        if isinstance(coeff, (int, float)) and not isinstance(coeff, bool):
            return pt.sum([getattr(layer, method)(coeff) for layer in self.layers])
        if hasattr(coeff, "__iter__"):
            coeffs = list(coeff)
            if any(c < 0 for c in coeffs):
                raise ValueError(f"{method} coefficients must be >= 0, got {coeffs}")
            if len(coeffs) != self.num_layers:
                raise ValueError(f"expected {self.num_layers} coefficients, got {len(coeffs)}")
            return pt.sum(
                [
                    getattr(layer, method)(c)
                    for layer, c in zip(self.layers, coeffs, strict=True)
                    if c > 0
                ],
                dtype=pytensor.config.floatX,
            )
        raise TypeError(
            f"CompositeLayer's {method} received coefficients of type {type(coeff)} but "
            "must be provided with a float or list/tuple"
        )

    def get_weight_decay(self, coeff: Any) -> Symbolic:
        """Sum of the layers' L2 penalties (one coefficient, or one per layer)."""
        return self._decay("get_weight_decay", coeff)

    def get_l1_weight_decay(self, coeff: Any) -> Symbolic:
        """Sum of the layers' L1 penalties (one coefficient, or one per layer)."""
        return self._decay("get_l1_weight_decay", coeff)

    def get_weights(self) -> npt.NDArray[Any]:
        """Not defined for several layers.

        Raises
        ------
        NotImplementedError
            Always (ask one of ``layers``).
        """
        raise NotImplementedError(f"CompositeLayer {self.layer_name!r} has no single W")

    # Forward pass and cost --------------------------------------------------------

    def fprop(self, state_below: Any) -> Any:
        """The tuple of the layers' outputs."""
        return tuple(
            layer.fprop(self._state_of(index, state_below))
            for index, layer in enumerate(self.layers)
        )

    def cost(self, Y: Any, Y_hat: Any) -> Symbolic:
        """The sum of the layers' costs, part by part."""
        if len(Y) != self.num_layers or len(Y_hat) != self.num_layers:
            raise ValueError(f"expected {self.num_layers} target and output parts")
        total: Any = 0
        for layer, y, y_hat in zip(self.layers, Y, Y_hat, strict=True):
            total = total + layer.cost(y, y_hat)
        return total

    def get_layer_monitoring_channels(
        self, state_below: Any = None, state: Any = None, targets: Any = None
    ) -> dict[str, Symbolic]:
        """Every layer's channels, prefixed ``<layer_name>_``."""
        channels: dict[str, Symbolic] = {}
        for index, layer in enumerate(self.layers):
            below = None if state_below is None else self._state_of(index, state_below)
            for key, value in layer.get_layer_monitoring_channels(
                below,
                None if state is None else state[index],
                None if targets is None else targets[index],
            ).items():
                channels[f"{layer.layer_name}_{key}"] = value
        return channels

    def architecture(self) -> dict[str, Any]:
        """Constructor arguments, the layers as ``{"class", "args"}`` objects."""
        return {
            "layer_name": self.layer_name,
            "layers": [
                {"class": type(layer).__name__, "args": layer.architecture()}
                for layer in self.layers
            ],
            "inputs_to_layers": None
            if self.inputs_to_layers is None
            else {str(k): v for k, v in self.inputs_to_layers.items()},
        }

    @classmethod
    def from_architecture_args(cls, args: Mapping[str, Any], build: Any) -> CompositeLayer:
        """Rebuild from ``architecture()``; ``build`` turns a layer spec into a layer."""
        routing = args.get("inputs_to_layers")
        return cls(
            args["layer_name"],
            [build(spec) for spec in args["layers"]],
            None if routing is None else {int(k): v for k, v in routing.items()},
        )


class FlattenerLayer(Layer):
    """A layer whose (composite) output is flattened into one vector; pylearn2's.

    The cost splits the vector targets into the wrapped layer's target parts.

    Parameters
    ----------
    raw_layer : Layer
        The wrapped layer, usually a ``CompositeLayer``; its name is this layer's name.

    Examples
    --------
    >>> from pylearn2_recipes.models.mlp import MLP, Linear
    >>> flat = FlattenerLayer(CompositeLayer("both", [Linear(2, "h0", irange=.1),
    ...                                                Linear(3, "h1", irange=.1)]))
    >>> mlp = MLP([flat], nvis=4)
    >>> flat.get_output_space()
    VectorSpace(dim=5, dtype=float64)
    """

    _numpy_monitoring = False

    def __init__(self, raw_layer: Layer) -> None:
        if not isinstance(raw_layer, Layer):
            raise ValueError(f"`raw_layer` is not a Layer: {raw_layer!r}")
        self.raw_layer = raw_layer
        self.layer_name = raw_layer.layer_name
        self.W_lr_scale = None
        self.b_lr_scale = None
        self.max_row_norm = None
        self.max_col_norm = None

    def sublayers(self) -> list[Layer]:
        """The wrapped layer."""
        return [self.raw_layer]

    def connect(self, space: Space, flatten_output: bool = False) -> None:
        """Connect the wrapped layer; the output is a ``VectorSpace`` of its total size."""
        _conv.connect_spaces([self.raw_layer], space)
        self.input_space = space
        self.dim = self.raw_layer.get_output_space().get_total_dimension()
        self.output_space = VectorSpace(self.dim)

    def get_input_space(self) -> Space:
        """The wrapped layer's input space."""
        return self.raw_layer.get_input_space()

    def get_output_space(self) -> Space:
        """``VectorSpace`` of the wrapped layer's total output size."""
        return self.output_space

    def param_shapes(self, input_dim: int) -> list[tuple[int, ...]]:
        """The wrapped layer's."""
        return self.raw_layer.param_shapes(input_dim)

    def set_input_space(self, input_dim: int, rng: np.random.RandomState) -> None:
        """Initialise the wrapped layer."""
        self.raw_layer.set_input_space(input_dim, rng)

    def set_param_arrays(self, input_dim: int, arrays: Sequence[npt.NDArray[Any]]) -> None:
        """The wrapped layer's stored values."""
        self.raw_layer.set_param_arrays(input_dim, arrays)

    def get_params(self) -> list[Shared]:
        """The wrapped layer's parameters."""
        return self.raw_layer.get_params()

    def get_lr_scalers(self) -> dict[Shared, float]:
        """The wrapped layer's multipliers."""
        return self.raw_layer.get_lr_scalers()

    def modify_updates(self, updates: Updates) -> None:
        """The wrapped layer's constraints."""
        self.raw_layer.modify_updates(updates)

    def get_weight_decay(self, coeff: Any) -> Symbolic:
        """The wrapped layer's L2 penalty."""
        return self.raw_layer.get_weight_decay(coeff)

    def get_l1_weight_decay(self, coeff: Any) -> Symbolic:
        """The wrapped layer's L1 penalty."""
        return self.raw_layer.get_l1_weight_decay(coeff)

    def get_weights(self) -> npt.NDArray[Any]:
        """The wrapped layer's weights."""
        return self.raw_layer.get_weights()

    def fprop(self, state_below: Any) -> Symbolic:
        """The wrapped layer's output, flattened and concatenated."""
        raw = self.raw_layer.fprop(state_below)
        return self.raw_layer.get_output_space().format_as(raw, self.output_space)

    def cost(self, Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
        """The wrapped layer's cost of the targets and outputs split back into parts."""
        raw_space = self.raw_layer.get_output_space()
        raw_Y = self.output_space.format_as(Y, self.raw_layer.get_target_space())
        raw_Y_hat = raw_space.undo_format_as(Y_hat, self.output_space)
        return self.raw_layer.cost(raw_Y, raw_Y_hat)

    def get_layer_monitoring_channels(
        self, state_below: Any = None, state: Any = None, targets: Any = None
    ) -> dict[str, Symbolic]:
        """The wrapped layer's channels, on the output and targets split into parts."""
        raw_space = self.raw_layer.get_output_space()
        if state is not None:
            state = raw_space.undo_format_as(state, self.output_space)
        if targets is not None:
            targets = self.get_target_space().format_as(targets, self.raw_layer.get_target_space())
        return self.raw_layer.get_layer_monitoring_channels(
            state_below=state_below, state=state, targets=targets
        )

    def architecture(self) -> dict[str, Any]:
        """The wrapped layer as a ``{"class", "args"}`` object."""
        raw = self.raw_layer
        return {"raw_layer": {"class": type(raw).__name__, "args": raw.architecture()}}

    @classmethod
    def from_architecture_args(cls, args: Mapping[str, Any], build: Any) -> FlattenerLayer:
        """Rebuild from ``architecture()``."""
        return cls(build(args["raw_layer"]))


LAYER_TYPES.update({cls.__name__: cls for cls in (CompositeLayer, FlattenerLayer)})
