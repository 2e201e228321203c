"""The base class of trainable models, as pylearn2's ``models.model.Model``.

Write your own model for ``SGD`` and ``Train`` by subclassing ``Model``: keep the
parameters as shared variables (``sharedX``) and return them from ``get_params``, say
what data the model reads (``input_space``, ``get_input_source``) and produces
(``get_output_space``, ``get_target_space``), and compute the output symbolically
(``fprop`` or ``__call__``, whatever your cost calls). Optional hooks:
``get_monitoring_channels``, ``modify_updates`` (norm constraints),
``get_lr_scalers``, ``get_default_cost``, ``set_batch_size``.

Examples
--------
>>> import numpy as np
>>> from pylearn2_recipes.space import VectorSpace
>>> from pylearn2_recipes.utils import sharedX
>>> class Scale(Model):
...     def __init__(self, dim):
...         super().__init__()
...         self.input_space = self.output_space = VectorSpace(dim)
...         self.w = sharedX(np.ones(dim), name="w")
...         self._params = [self.w]
...     def fprop(self, X):
...         return X * self.w
>>> Scale(3).get_param_vector().tolist()
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Shared, Symbolic, pytensor
from pylearn2_recipes.space import NullSpace, Space

if TYPE_CHECKING:
    from pylearn2_recipes.costs.cost import Cost
    from pylearn2_recipes.monitor import Monitor

__all__ = ["Model"]


class Model:
    """A model ``SGD`` can train: parameters, spaces, a symbolic forward pass.

    Parameters
    ----------
    extensions : list, optional
        Objects with ``post_modify_updates(updates, model)``, called after the model's
        own ``modify_updates`` (pylearn2's ``ModelExtension``).
    """

    _params: list[Shared]
    input_space: Space
    output_space: Space
    monitor: Monitor
    _test_batch_size: int

    def __init__(self, extensions: list[Any] | None = None) -> None:
        if extensions is not None and not isinstance(extensions, list):
            raise TypeError(f"`extensions` must be a list, got {extensions!r}")
        self.extensions: list[Any] = list(extensions or [])
        self.names_to_del: set[str] = set()

    # --- parameters -----------------------------------------------------------------

    def get_params(self) -> list[Shared]:
        """The shared variables training updates (``self._params`` by default)."""
        return list(getattr(self, "_params", []))

    def get_param_values(self, borrow: bool = False) -> list[npt.NDArray[Any]]:
        """The parameters' values, in ``get_params`` order."""
        return [param.get_value(borrow=borrow) for param in self.get_params()]

    def set_param_values(self, values: Iterable[Any], borrow: bool = False) -> None:
        """Set the parameters from ``values`` (``get_params`` order)."""
        for param, value in zip(self.get_params(), values, strict=False):
            param.set_value(value, borrow=borrow)

    def get_param_vector(self) -> npt.NDArray[Any]:
        """Every parameter flattened and concatenated into one vector."""
        values = [value.reshape(value.size) for value in self.get_param_values()]
        return np.concatenate(values, axis=0) if values else np.zeros(0)

    def set_param_vector(self, vector: npt.NDArray[Any]) -> None:
        """Inverse of ``get_param_vector``.

        Raises
        ------
        ValueError
            If the vector's length is not the total number of parameter values.
        """
        values = self.get_param_values()
        total = sum(value.size for value in values)
        if vector.size != total:
            raise ValueError(f"expected a vector of {total} values, got {vector.size}")
        position = 0
        for param, value in zip(self.get_params(), values, strict=True):
            param.set_value(vector[position : position + value.size].reshape(value.shape))
            position += value.size

    def get_lr_scalers(self) -> dict[Shared, float]:
        """Learning-rate multiplier per parameter (none by default)."""
        return OrderedDict()

    # --- updates and constraints -----------------------------------------------------

    def modify_updates(self, updates: dict[Shared, Symbolic]) -> None:
        """Adjust the symbolic ``updates`` in place (norm constraints, masks).

        Calls ``_modify_updates``, then a legacy ``censor_updates`` if the subclass
        defines one (pylearn2's old name), then each extension's ``post_modify_updates``.
        """
        self._modify_updates(updates)
        if type(self).censor_updates is not Model.censor_updates:
            self.censor_updates(updates)
        for extension in getattr(self, "extensions", []):
            extension.post_modify_updates(updates, self)

    def _modify_updates(self, updates: dict[Shared, Symbolic]) -> None:
        """Override to constrain updates (nothing by default)."""

    def censor_updates(self, updates: dict[Shared, Symbolic]) -> None:
        """pylearn2's former name of ``modify_updates``; a subclass may still override it."""

    def enforce_constraints(self) -> None:
        """Apply ``modify_updates`` to the current parameter values (``Train.setup`` calls it)."""
        params = self.get_params()
        updates: dict[Shared, Symbolic] = OrderedDict((param, param) for param in params)
        self.modify_updates(updates)
        changed = [(param, new) for param, new in updates.items() if new is not param]
        if changed:
            from pylearn2_recipes._backend import fast_compile_mode

            pytensor.function([], [], updates=changed, mode=fast_compile_mode())()

    # --- spaces and sources ------------------------------------------------------------

    def get_input_space(self) -> Space:
        """The space of the model's input (``self.input_space``)."""
        return self.input_space

    def get_output_space(self) -> Space:
        """The space of the model's output (``self.output_space``)."""
        return self.output_space

    def get_target_space(self) -> Space:
        """The space of the targets (the output space unless ``_target_space`` is set)."""
        target = getattr(self, "_target_space", None)
        return target if target is not None else self.get_output_space()

    def get_input_source(self) -> Any:
        """The dataset source the model reads (``'features'`` unless ``input_source``)."""
        return getattr(self, "input_source", "features")

    def get_target_source(self) -> Any:
        """The dataset source of the targets (``'targets'`` unless ``target_source``)."""
        return getattr(self, "target_source", "targets")

    # --- monitoring ----------------------------------------------------------------------

    def get_monitoring_data_specs(self) -> tuple[Space, Any]:
        """What ``get_monitoring_channels`` reads (nothing by default)."""
        return (NullSpace(), "")

    def get_monitoring_channels(self, data: Any) -> dict[str, Symbolic]:
        """Symbolic scalars to monitor, computed from ``data`` (none by default)."""
        self.get_monitoring_data_specs()[0].validate(data)
        return OrderedDict()

    @property
    def tag(self) -> defaultdict[str, dict[str, Any]]:
        """Free-form annotations, by key (``MonitorBasedSaveBest`` writes here)."""
        if getattr(self, "_tag", None) is None:
            self._tag: defaultdict[str, dict[str, Any]] = defaultdict(dict)
        return self._tag

    @tag.setter
    def tag(self, value: Any) -> None:
        self._tag = defaultdict(dict, value)

    # --- training hooks --------------------------------------------------------------

    def get_default_cost(self) -> Cost:
        """The cost ``SGD`` uses when given none."""
        raise NotImplementedError(f"{type(self)} does not implement get_default_cost.")

    def set_batch_size(self, batch_size: int) -> None:
        """Adapt to a batch size (nothing by default; see ``force_batch_size``)."""

    def get_test_batch_size(self) -> int:
        """The batch size of the last ``SGD.setup`` (for test values)."""
        return int(self._test_batch_size)

    def train_all(self, dataset: Any) -> None:
        """Train on the whole dataset at once (models that do not use SGD)."""
        raise NotImplementedError(f"{type(self)} does not implement train_all.")

    def continue_learning(self) -> bool:
        """Whether ``train_all``-style training should go on."""
        raise NotImplementedError(f"{type(self)} does not implement continue_learning.")

    def train_batch(self, dataset: Any, batch_size: int) -> bool:
        """One training step without a training algorithm."""
        raise NotImplementedError(f"{type(self)} does not implement train_batch.")

    def redo_theano(self) -> None:
        """Recompile the model's own functions (none by default)."""

    # --- introspection -------------------------------------------------------------------

    def get_weights(self) -> npt.NDArray[Any]:
        """The first layer's weights (models that have them)."""
        raise NotImplementedError(
            f"{type(self)} does not implement get_weights (perhaps by design)"
        )

    def get_weights_format(self) -> tuple[str, str]:
        """The axes of ``get_weights``: ``('v', 'h')`` (visible, hidden)."""
        return ("v", "h")

    def get_weights_topo(self) -> npt.NDArray[Any]:
        """``get_weights`` as images (models that have them)."""
        raise NotImplementedError(
            f"{type(self)} does not implement get_weights_topo (perhaps by design)"
        )

    def get_weights_view_shape(self) -> tuple[int, int]:
        """Grid shape to show the weights in."""
        raise NotImplementedError(
            f"{type(self)} does not implement get_weights_view_shape (perhaps by design)"
        )

    def get_input_dim(self) -> int:
        """Width of the input (models that know it)."""
        raise NotImplementedError(f"{type(self)} does not implement get_input_dim")

    def get_output_dim(self) -> int:
        """Width of the output (models that know it)."""
        raise NotImplementedError(f"{type(self)} does not implement get_output_dim")

    def free_energy(self, V: Symbolic) -> Symbolic:
        """Free energy of ``V`` (energy-based models)."""
        raise NotImplementedError(f"{type(self)} does not implement free_energy")

    def score(self, V: Symbolic) -> Symbolic:
        """The score function ``-d free_energy / dV``."""
        return pytensor.grad(-self.free_energy(V).sum(), V)

    def register_names_to_del(self, names: str | Iterable[str]) -> None:
        """Attributes to leave out when the model is pickled (compiled functions...)."""
        if isinstance(names, str):
            names = [names]
        names = list(names)
        if not all(isinstance(name, str) for name in names):
            raise ValueError("Invalid names argument")
        self.names_to_del = set(getattr(self, "names_to_del", set())) | set(names)

    def __getstate__(self) -> dict[str, Any]:
        skip: set[str] = getattr(self, "names_to_del", set())
        return {key: value for key, value in self.__dict__.items() if key not in skip}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("extensions", [])
