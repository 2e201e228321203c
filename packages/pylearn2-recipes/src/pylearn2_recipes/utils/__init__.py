"""Helpers pylearn2 code imports from ``pylearn2.utils``: ``sharedX``, ``safe_zip``, ...

Models, costs and datasets written for pylearn2 use these to build their parameters
and graphs; they behave as pylearn2's, on PyTensor.

Examples
--------
>>> W = sharedX([[1, 2], [3, 4]], name="W")
>>> str(W.dtype) == pytensor.config.floatX, W.name
(True, 'W')
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np

from pylearn2_recipes._backend import pt, pytensor

__all__ = [
    "CallbackOp",
    "as_floatX",
    "block_gradient",
    "constantX",
    "function",
    "grad",
    "is_iterable",
    "make_name",
    "py_complex_types",
    "py_float_types",
    "py_integer_types",
    "py_number_types",
    "safe_izip",
    "safe_union",
    "safe_update",
    "safe_zip",
    "sharedX",
    "subdict",
    "wraps",
]

T = TypeVar("T")

py_integer_types: tuple[type, ...] = (int, np.integer)
"""Types ``isinstance`` accepts as integers (Python's and numpy's)."""
py_float_types: tuple[type, ...] = (float, np.floating)
"""Types ``isinstance`` accepts as floats."""
py_complex_types: tuple[type, ...] = (complex, np.complexfloating)
"""Types ``isinstance`` accepts as complex numbers."""
py_number_types: tuple[type, ...] = (int, float, complex, np.number)
"""Types ``isinstance`` accepts as numbers."""


def is_iterable(obj: Any) -> bool:
    """Whether ``obj`` can be iterated over (pylearn2's test: ``iter(obj)`` works).

    Examples
    --------
    >>> is_iterable([0.7, 0.3]), is_iterable(0.5)
    (True, False)
    """
    try:
        iter(obj)
    except TypeError:
        return False
    return True


def make_name(variable: Any, anon: str = "anonymous_variable") -> str:
    """``variable.name`` if it has one, else ``anon``.

    Examples
    --------
    >>> make_name(sharedX(0.0)), make_name(sharedX(0.0, name="lr"))
    ('anonymous_variable', 'lr')
    """
    name = getattr(variable, "name", None)
    return anon if name is None else str(name)


def sharedX(value: Any, name: str | None = None, borrow: bool = False, dtype: Any = None) -> Any:
    """A PyTensor shared variable holding ``value`` as ``dtype`` (default ``floatX``).

    Examples
    --------
    >>> sharedX(np.zeros(3)).get_value().shape
    (3,)
    """
    array = np.asarray(value, dtype=pytensor.config.floatX if dtype is None else dtype)
    return pytensor.shared(array, name=name, borrow=borrow)


def as_floatX(variable: Any) -> Any:
    """``variable`` in ``floatX``: numpy stays numpy (a float becomes a 0-d array), else symbolic.

    Examples
    --------
    >>> as_floatX(1.5).dtype == pytensor.config.floatX
    True
    """
    if isinstance(variable, (float, np.ndarray)):
        return np.asarray(variable, dtype=pytensor.config.floatX)
    return pt.cast(variable, pytensor.config.floatX)


def constantX(value: Any) -> Any:
    """A symbolic constant of ``value`` in ``floatX``.

    Examples
    --------
    >>> float(constantX(2).eval())
    2.0
    """
    return pt.constant(np.asarray(value, dtype=pytensor.config.floatX))


def subdict(d: Mapping[Any, T], keys: Iterable[Any]) -> dict[Any, T]:
    """The entries of ``d`` whose keys are in ``keys`` (missing keys are skipped).

    Examples
    --------
    >>> subdict({"a": 1, "b": 2}, ["a", "c"])
    {'a': 1}
    """
    return {key: d[key] for key in keys if key in d}


def safe_update(dict_to: dict[Any, Any], dict_from: Mapping[Any, Any]) -> dict[Any, Any]:
    """``dict_to.update(dict_from)`` that raises KeyError rather than overwrite a key.

    Examples
    --------
    >>> safe_update({"a": 1}, {"b": 2})
    {'a': 1, 'b': 2}
    """
    for key, value in dict_from.items():
        if key in dict_to:
            raise KeyError(key)
        dict_to[key] = value
    return dict_to


def safe_zip(*args: Any) -> list[tuple[Any, ...]]:
    """``zip`` that raises ValueError when the arguments' lengths differ (a list, as pylearn2's).

    Examples
    --------
    >>> safe_zip([1, 2], "ab")
    [(1, 'a'), (2, 'b')]
    """
    base = len(args[0])
    for index, arg in enumerate(args[1:], start=1):
        if len(arg) != base:
            raise ValueError(
                f"Argument 0 has length {base} but argument {index} has length {len(arg)}"
            )
    return list(zip(*args, strict=True))


def safe_izip(*args: Any) -> Iterator[tuple[Any, ...]]:
    """``safe_zip`` as an iterator.

    Examples
    --------
    >>> list(safe_izip([1], [2]))
    [(1, 2)]
    """
    return iter(safe_zip(*args))


def safe_union(a: list[Any], b: list[Any]) -> list[Any]:
    """The elements of ``a`` then of ``b``, each once, in order (a set union with order).

    Examples
    --------
    >>> safe_union([1, 2], [2, 3])
    [1, 2, 3]
    """
    if not isinstance(a, list) or not isinstance(b, list):
        raise TypeError(f"safe_union takes two lists, got {type(a)} and {type(b)}")
    union: list[Any] = []
    for item in a + b:
        if item not in union:
            union.append(item)
    return union


def function(*args: Any, **kwargs: Any) -> Any:
    """``pytensor.function`` with unused inputs ignored (pylearn2's default).

    Examples
    --------
    >>> x, y = pt.scalars("x", "y")
    >>> float(function([x, y], x * 2)(3, 5))
    6.0
    """
    kwargs.setdefault("on_unused_input", "ignore")
    return pytensor.function(*args, **kwargs)


def grad(*args: Any, **kwargs: Any) -> Any:
    """``pytensor.grad`` with disconnected inputs ignored (pylearn2's default).

    Examples
    --------
    >>> x = pt.scalar("x")
    >>> float(function([x], grad(x**2, x))(3.0))
    6.0
    """
    kwargs.setdefault("disconnected_inputs", "ignore")
    return pytensor.grad(*args, **kwargs)


def block_gradient(variable: Any) -> Any:
    """``variable`` with no gradient flowing back through it.

    Examples
    --------
    >>> x = pt.scalar("x")
    >>> float(function([x], grad(x * block_gradient(x), x))(3.0))
    3.0
    """
    return pytensor.gradient.disconnected_grad(variable)


def wraps(wrapped: Callable[..., Any], **_: Any) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``functools.wraps`` that keeps the wrapper's docstring when it has one.

    pylearn2 decorates overriding methods with it to inherit the parent's docstring.

    Examples
    --------
    >>> def parent():
    ...     "Parent's doc."
    >>> @wraps(parent)
    ... def child():
    ...     pass
    >>> child.__doc__
    "Parent's doc."
    """

    def decorate(wrapper: Callable[..., T]) -> Callable[..., T]:
        own = wrapper.__doc__
        result = functools.wraps(wrapped)(wrapper)
        if own:
            result.__doc__ = own
        return result

    return decorate


def _callback_op_class() -> Any:
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op

    class CallbackOpImpl(Op):
        """The identity, calling ``callback(value)`` each time it is computed."""

        __props__ = ("callback",)

        def __init__(self, callback: Callable[[Any], Any]) -> None:
            self.callback = callback
            self.view_map = {0: [0]}

        def make_node(self, *inputs: Any) -> Any:
            x = pt.as_tensor_variable(inputs[0])
            return Apply(self, [x], [x.type()])

        def perform(self, node: Any, inputs: Any, outputs: Any) -> None:
            (value,) = inputs
            self.callback(value)
            outputs[0][0] = value

        def grad(self, inputs: Any, output_gradients: Any) -> Any:
            return output_gradients

        def R_op(self, inputs: Any, eval_points: Any) -> Any:
            return eval_points

    return CallbackOpImpl


def CallbackOp(callback: Callable[[Any], Any]) -> Any:
    """An op that passes its input through and calls ``callback`` on the numeric value.

    The callback is Python, so Numba's JIT runs it in object mode (and warns): compile
    graphs holding it in ``FAST_COMPILE`` mode.

    Examples
    --------
    >>> seen = []
    >>> x = pt.vector("x")
    >>> f = function([x], CallbackOp(seen.append)(x) * 2, mode="FAST_COMPILE")
    >>> f(np.array([1.0])).tolist(), [s.tolist() for s in seen]
    ([2.0], [[1.0]])
    """
    return _CALLBACK_OP()(callback)


class _Lazy:
    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make
        self.value: Any = None

    def __call__(self) -> Any:
        if self.value is None:
            self.value = self.make()
        return self.value


_CALLBACK_OP = _Lazy(_callback_op_class)
