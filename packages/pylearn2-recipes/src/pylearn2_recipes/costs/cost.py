"""Costs: what training minimises, and the data it reads; pylearn2's ``costs.cost``.

A cost says which data it needs (``get_data_specs(model)``: a space and the dataset
sources) and computes a symbolic scalar from a batch of it (``expr(model, data)``);
``get_gradients`` returns ``(gradients, updates)`` and ``get_monitoring_channels`` the
extra channels it wants monitored. ``DefaultDataSpecsMixin`` asks for the model's
input (and, when ``supervised``, its targets); ``NullDataSpecsMixin`` for nothing
(penalties on parameters).

Examples
--------
>>> import pytensor.tensor as pt
>>> class MeanSquare(DefaultDataSpecsMixin, Cost):
...     supervised = True
...     def expr(self, model, data, **kwargs):
...         X, Y = data
...         return pt.sqr(model.fprop(X) - Y).mean()
>>> MeanSquare().supervised
True
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pylearn2_recipes._backend import Shared, Symbolic, pytensor
from pylearn2_recipes.space import CompositeSpace, NullSpace, Space
from pylearn2_recipes.utils import safe_union
from pylearn2_recipes.utils.data_specs import DataSpecsMapping

if TYPE_CHECKING:
    from pylearn2_recipes.models.model import Model

__all__ = [
    "Cost",
    "DefaultDataSpecsMixin",
    "FixedVarDescr",
    "LpPenalty",
    "MethodCost",
    "NullDataSpecsMixin",
    "SumOfCosts",
    "merge",
]

Gradients = tuple[dict[Shared, Symbolic], dict[Shared, Symbolic]]


class Cost:
    """A symbolic scalar to minimise; pylearn2's ``Cost``.

    Implement ``expr`` (or ``cost_per_example``) and ``get_data_specs`` (or mix in
    ``DefaultDataSpecsMixin``). Built-ins are listed in
    ``pylearn2_recipes.registry.COSTS``.
    """

    supervised = False

    def expr(self, model: Model, data: Any, **kwargs: Any) -> Symbolic:
        """The cost of ``model`` on the batch ``data`` (the mean of ``cost_per_example``)."""
        try:
            per_example = self.cost_per_example(model, data, **kwargs)
        except NotImplementedError:
            raise NotImplementedError(f"{type(self)} does not implement expr.") from None
        if per_example is None:
            return None
        if per_example.ndim != 1:
            raise ValueError(f"cost_per_example must be 1-D, got {per_example.ndim} dimensions")
        return per_example.mean()

    def cost_per_example(self, model: Model, data: Any, **kwargs: Any) -> Symbolic:
        """The cost of each example of the batch (a vector)."""
        raise NotImplementedError(f"{type(self)} does not implement cost_per_example.")

    def get_gradients(self, model: Model, data: Any, **kwargs: Any) -> Gradients:
        """``(gradient of expr per parameter, extra updates)``.

        Raises
        ------
        NotImplementedError
            If ``expr`` is None (an intractable cost without a gradient scheme).
        """
        try:
            cost = self.expr(model=model, data=data, **kwargs)
        except TypeError as error:
            raise TypeError(f"Error while calling {type(self)}.expr: {error}") from error
        if cost is None:
            raise NotImplementedError(
                f"{type(self)} represents an intractable cost and does not provide a "
                "gradient approximation scheme."
            )
        params = list(model.get_params())
        grads = pytensor.grad(cost, params, disconnected_inputs="ignore")
        return OrderedDict(zip(params, grads, strict=True)), OrderedDict()

    def get_monitoring_channels(
        self, model: Model, data: Any, **kwargs: Any
    ) -> dict[str, Symbolic]:
        """Symbolic channels the monitor should record for this cost (none by default)."""
        self.get_data_specs(model)[0].validate(data)
        return OrderedDict()

    def get_fixed_var_descr(self, model: Model, data: Any) -> FixedVarDescr:
        """Variables held fixed during a step (none by default)."""
        self.get_data_specs(model)[0].validate(data)
        return FixedVarDescr()

    def get_data_specs(self, model: Model) -> tuple[Space, Any]:
        """``(space, sources)`` of the data ``expr`` reads."""
        raise NotImplementedError(f"{type(self)} does not implement get_data_specs.")

    def is_stochastic(self) -> bool:
        """Whether ``expr`` draws random numbers."""
        raise NotImplementedError(f"{type(self)} needs to implement is_stochastic.")


class NullDataSpecsMixin:
    """Data specs for a cost that reads no data: ``(NullSpace(), '')``."""

    def get_data_specs(self, model: Model) -> tuple[Space, Any]:
        """``(NullSpace(), '')``."""
        return (NullSpace(), "")


class DefaultDataSpecsMixin:
    """Data specs of the model's input, plus its targets when the cost is ``supervised``."""

    supervised: bool

    def get_data_specs(self, model: Model) -> tuple[Space, Any]:
        """``(input space, input source)`` or the composite of input and target."""
        if self.supervised:
            space = CompositeSpace([model.get_input_space(), model.get_target_space()])
            return space, (model.get_input_source(), model.get_target_source())
        return model.get_input_space(), model.get_input_source()


class SumOfCosts(Cost):
    """The sum of several costs, optionally weighted; each reads its own data.

    Parameters
    ----------
    costs : list of Cost or [coefficient, Cost]
        Terms; a ``(coefficient, cost)`` pair scales its term.

    Raises
    ------
    ValueError
        If ``costs`` is empty or a term is not a Cost.

    Examples
    --------
    >>> from pylearn2_recipes.costs.mlp import Default, WeightDecay
    >>> total = SumOfCosts([Default(), (0.5, WeightDecay([1e-4, 1e-4]))])
    >>> total.coeffs, total.supervised
    ([1.0, 0.5], True)
    """

    def __init__(self, costs: Sequence[Cost | tuple[float, Cost] | list[Any]]) -> None:
        if not isinstance(costs, (list, tuple)) or not costs:
            raise ValueError("`costs` must name at least one cost")
        self.costs: list[Cost] = []
        self.coeffs: list[float] = []
        for index, term in enumerate(costs):
            coefficient: Any = 1.0
            cost: Any = term
            if isinstance(term, (tuple, list)):
                if len(term) != 2:
                    raise ValueError(f"`costs[{index}]` must be a Cost or [coefficient, Cost]")
                coefficient, cost = term
            if not isinstance(cost, Cost):
                raise ValueError(f"`costs[{index}]` is not a Cost instance: {cost!r}")
            self.coeffs.append(float(coefficient))
            self.costs.append(cost)
        self.supervised = any(cost.supervised for cost in self.costs)

    def get_composite_data_specs(self, model: Model) -> tuple[CompositeSpace, tuple[Any, ...]]:
        """The terms' data specs side by side (nested, possibly repeating sources)."""
        specs = [cost.get_data_specs(model) for cost in self.costs]
        return CompositeSpace([space for space, _ in specs]), tuple(source for _, source in specs)

    def get_composite_specs_and_mapping(
        self, model: Model
    ) -> tuple[tuple[CompositeSpace, tuple[Any, ...]], DataSpecsMapping]:
        """The composite specs and the mapping between them and the flat specs."""
        specs = self.get_composite_data_specs(model)
        return specs, DataSpecsMapping(specs)

    def get_data_specs(self, model: Model) -> tuple[Space, Any]:
        """The flat, de-duplicated specs of every term's data."""
        (space, sources), mapping = self.get_composite_specs_and_mapping(model)
        return mapping.flatten(space), mapping.flatten(sources)

    def _nested(self, model: Model, data: Any) -> Any:
        _, mapping = self.get_composite_specs_and_mapping(model)
        return mapping.nest(data)

    def expr(self, model: Model, data: Any, **kwargs: Any) -> Symbolic:
        """Σ coefficient · term (None if a term is None)."""
        self.get_data_specs(model)[0].validate(data)
        values = [
            cost.expr(model, part, **kwargs)
            for cost, part in zip(self.costs, self._nested(model, data), strict=True)
        ]
        if any(value is None for value in values):
            return None
        terms = [
            coefficient * value for coefficient, value in zip(self.coeffs, values, strict=True)
        ]
        return functools.reduce(lambda a, b: a + b, terms)

    def get_gradients(self, model: Model, data: Any, **kwargs: Any) -> Gradients:
        """The coefficient-weighted sum of the terms' gradients; their updates merged.

        Raises
        ------
        ValueError
            If a term returns a gradient for something that is not a model parameter,
            or two terms update the same variable.
        """
        params = model.get_params()
        grads: dict[Shared, Symbolic] = OrderedDict()
        updates: dict[Shared, Symbolic] = OrderedDict()
        for coefficient, cost, part in zip(
            self.coeffs, self.costs, self._nested(model, data), strict=True
        ):
            term_grads, term_updates = cost.get_gradients(model, part, **kwargs)
            for param, grad in term_grads.items():
                if param not in params:
                    raise ValueError(
                        f"A shared variable ({param}) that is not a parameter appeared a cost "
                        "gradient dictionary."
                    )
                scaled = coefficient * grad
                grads[param] = scaled if param not in grads else grads[param] + scaled
            clash = [state for state in term_updates if state in updates or state in params]
            if clash:
                raise ValueError(f"two costs update the same variables: {clash}")
            updates.update(term_updates)
        return grads, updates

    def get_monitoring_channels(
        self, model: Model, data: Any, **kwargs: Any
    ) -> dict[str, Symbolic]:
        """Every term's channels, plus ``term_<i>[_<name>]`` with each term's value."""
        self.get_data_specs(model)[0].validate(data)
        channels: dict[str, Symbolic] = OrderedDict()
        for index, (cost, part) in enumerate(
            zip(self.costs, self._nested(model, data), strict=True)
        ):
            channels.update(cost.get_monitoring_channels(model, part, **kwargs))
            value = cost.expr(model, part, **kwargs)
            if value is not None:
                name = getattr(value, "name", None)
                channels[f"term_{index}" + (f"_{name}" if name else "")] = value
        return channels

    def get_fixed_var_descr(self, model: Model, data: Any) -> FixedVarDescr:
        """The terms' fixed-variable descriptions merged."""
        self.get_data_specs(model)[0].validate(data)
        descriptions = [
            cost.get_fixed_var_descr(model, part)
            for cost, part in zip(self.costs, self._nested(model, data), strict=True)
        ]
        return functools.reduce(merge, descriptions)

    def is_stochastic(self) -> bool:
        """Whether any term is."""
        return any(cost.is_stochastic() for cost in self.costs)


class LpPenalty(NullDataSpecsMixin, Cost):
    """``Σ_v sum(|v ** p|)`` over the given shared variables.

    Examples
    --------
    >>> from pylearn2_recipes.utils import sharedX
    >>> float(LpPenalty([sharedX([3.0, -4.0])], 2).expr(None, None).eval())
    25.0
    """

    def __init__(self, variables: Sequence[Shared], p: float) -> None:
        self.variables = list(variables)
        self.p = p

    def expr(self, model: Model, data: Any, **kwargs: Any) -> Symbolic:
        """The penalty."""
        self.get_data_specs(model)[0].validate(data)
        total: Symbolic = 0
        for variable in self.variables:
            total = total + abs(variable**self.p).sum()
        return total

    def is_stochastic(self) -> bool:
        """False."""
        return False


class MethodCost(Cost):
    """A cost that calls a method of the model: ``getattr(model, method)(data)``.

    Parameters
    ----------
    method : str
        Name of the model's method computing the cost from the data.
    data_specs : str, optional
        Name of the model's attribute or method giving the data specs; default
        ``<method>_data_specs``.

    Raises
    ------
    ValueError
        If a name is not a public attribute name (it starts with ``_``).

    Examples
    --------
    >>> MethodCost("cost_from_X").method
    'cost_from_X'
    """

    def __init__(self, method: str, data_specs: str | None = None) -> None:
        # A configuration names the method: only the model's public methods, so a
        # YAML file cannot reach dunder machinery through it.
        for name in (method, data_specs):
            if name is not None and (not isinstance(name, str) or name.startswith("_")):
                raise ValueError(f"MethodCost takes a public method name, got {name!r}")
        self.method = method
        self.data_specs = data_specs

    def expr(self, model: Model, data: Any, *args: Any, **kwargs: Any) -> Symbolic:
        """``model.<method>(data)``."""
        self.get_data_specs(model)[0].validate(data)
        return getattr(model, self.method)(data, *args, **kwargs)

    def get_data_specs(self, model: Model) -> tuple[Space, Any]:
        """``model.<data_specs>`` (called if it is a method)."""
        name = self.data_specs if self.data_specs is not None else f"{self.method}_data_specs"
        specs = getattr(model, name)
        result: tuple[Space, Any] = specs() if callable(specs) else specs
        return result

    def is_stochastic(self) -> bool:
        """False: the model's method decides."""
        return False


class FixedVarDescr:
    """Variables a cost holds fixed for a step, and callbacks run on each loaded batch.

    ``fixed_vars`` maps keyword names (passed to ``expr``) to shared variables;
    ``on_load_batch`` lists callables ``SGD`` calls with each batch before the step.
    """

    def __init__(self) -> None:
        self.fixed_vars: dict[str, Any] = {}
        self.on_load_batch: list[Any] = []


def merge(left: FixedVarDescr, right: FixedVarDescr) -> FixedVarDescr:
    """Two descriptions combined.

    Raises
    ------
    ValueError
        If both fix a variable of the same name.

    Examples
    --------
    >>> merge(FixedVarDescr(), FixedVarDescr()).fixed_vars
    {}
    """
    both = set(left.fixed_vars) & set(right.fixed_vars)
    if both:
        raise ValueError(f"Can't merge these FixedVarDescrs, both contain {sorted(both)}")
    merged = FixedVarDescr()
    merged.fixed_vars = {**left.fixed_vars, **right.fixed_vars}
    merged.on_load_batch = safe_union(left.on_load_batch, right.on_load_batch)
    return merged
