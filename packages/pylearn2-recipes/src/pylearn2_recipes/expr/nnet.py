"""Neural-network expressions; pylearn2's ``pylearn2.expr.nnet``.

The numpy helpers (``softmax_numpy``, ``pseudoinverse_softmax_numpy``, ...) compute what
pylearn2's do. ``arg_of_softmax`` and ``arg_of_sigmoid`` find the argument of a softmax
or sigmoid output by tracing the graph, as pylearn2's: PyTensor's own ``Softmax`` op and
``sigmoid``, or the written-out softmax this package's layers build (which records its
argument on the output variable, see ``softmax``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes._backend import Symbolic, pt

__all__ = [
    "arg_of_sigmoid",
    "arg_of_softmax",
    "compute_f1",
    "compute_precision",
    "compute_recall",
    "elemwise_kl",
    "inverse_sigmoid_numpy",
    "kl",
    "pseudoinverse_softmax_numpy",
    "sigmoid_numpy",
    "softmax",
    "softmax_numpy",
]

# The tag attribute under which ``softmax`` records its argument.
_ARGUMENT = "softmax_argument"


def softmax_numpy(x: npt.ArrayLike) -> npt.NDArray[Any]:
    """Row-wise softmax of a 2-D array (max subtracted first).

    Examples
    --------
    >>> softmax_numpy([[0.0, 0.0]])
    array([[0.5, 0.5]])
    """
    x = np.asarray(x)
    numer = np.exp(x - x.max(axis=1, keepdims=True))
    result: npt.NDArray[Any] = numer / numer.sum(axis=1, keepdims=True)
    return result


def pseudoinverse_softmax_numpy(x: npt.ArrayLike) -> npt.NDArray[Any]:
    """A ``y`` with ``softmax(y) == x`` and ``y.mean() == 0``: ``log(x) - mean(log(x))``.

    Examples
    --------
    >>> pseudoinverse_softmax_numpy([0.5, 0.5])
    array([0., 0.])
    """
    logs: npt.NDArray[Any] = np.log(np.asarray(x))
    return np.asarray(logs - logs.mean())


def sigmoid_numpy(x: npt.ArrayLike) -> npt.NDArray[Any]:
    """``1 / (1 + exp(-x))``.

    Examples
    --------
    >>> float(sigmoid_numpy(0.0))
    0.5
    """
    result: npt.NDArray[Any] = 1.0 / (1.0 + np.exp(-np.asarray(x)))
    return result


def inverse_sigmoid_numpy(x: npt.ArrayLike) -> npt.NDArray[Any]:
    """``log(x / (1 - x))``, the inverse of ``sigmoid_numpy``.

    Examples
    --------
    >>> float(inverse_sigmoid_numpy(0.5))
    0.0
    """
    x = np.asarray(x)
    result: npt.NDArray[Any] = np.log(x / (1.0 - x))
    return result


def softmax(z: Symbolic) -> Symbolic:
    """Row-wise softmax of ``z``, with ``z`` recorded so ``arg_of_softmax`` finds it.

    Written out (``exp`` over its sum) rather than PyTensor's ``Softmax`` op: PyTensor 3's
    op compiles its Python implementation with Numba even in ``FAST_COMPILE``.

    Examples
    --------
    >>> z = pt.matrix()
    >>> arg_of_softmax(softmax(z)) is z
    True
    """
    e = pt.exp(z - pt.max(z, axis=-1, keepdims=True))
    result = e / e.sum(axis=-1, keepdims=True)
    setattr(result.tag, _ARGUMENT, z)
    return result


def _traced_argument(Y_hat: Symbolic, kind: str, made_by: Callable[[Any], bool]) -> Symbolic:
    """The one input of the node that made ``Y_hat``, if ``made_by(its op)`` holds.

    Raises
    ------
    ValueError
        Naming the op that did make ``Y_hat`` (pylearn2's message) otherwise.
    """
    owner = getattr(Y_hat, "owner", None)
    if owner is None or not made_by(owner.op):
        op = None if owner is None else owner.op
        raise ValueError(
            f"Expected Y_hat to be the output of a {kind}, but it appears to be the "
            f"output of {op} of type {type(op)}"
        )
    (z,) = owner.inputs
    return z


def arg_of_softmax(Y_hat: Symbolic) -> Symbolic:
    """The argument ``Z`` of ``Y_hat = softmax(Z)``, found by tracing the graph.

    Raises
    ------
    ValueError
        If ``Y_hat`` is not the output of a softmax.

    Examples
    --------
    >>> from pytensor.tensor.special import softmax as pt_softmax
    >>> z = pt.matrix()
    >>> arg_of_softmax(pt_softmax(z, axis=-1)) is z
    True
    """
    recorded = getattr(getattr(Y_hat, "tag", None), _ARGUMENT, None)
    if recorded is not None:
        return recorded
    from pytensor.tensor.special import Softmax

    return _traced_argument(Y_hat, "softmax", lambda op: isinstance(op, Softmax))


def arg_of_sigmoid(Y_hat: Symbolic) -> Symbolic:
    """The argument ``Z`` of ``Y_hat = sigmoid(Z)``, found by tracing the graph.

    Raises
    ------
    ValueError
        If ``Y_hat`` is not the output of a sigmoid.

    Examples
    --------
    >>> z = pt.matrix()
    >>> arg_of_sigmoid(pt.sigmoid(z)) is z
    True
    """
    return _traced_argument(
        Y_hat,
        "sigmoid",
        lambda op: getattr(getattr(op, "scalar_op", None), "name", None) == "sigmoid",
    )


def elemwise_kl(Y: Symbolic, Y_hat: Symbolic) -> Symbolic:
    """KL divergence of each sigmoid unit from its binary target, elementwise.

    ``Y * softplus(-z) + (1 - Y) * softplus(z)`` with ``z = arg_of_sigmoid(Y_hat)``.

    Raises
    ------
    ValueError
        If ``Y_hat`` is not the output of a sigmoid.

    Examples
    --------
    >>> z = pt.matrix()
    >>> float(elemwise_kl(pt.ones((1, 1)), pt.sigmoid(z)).eval({z: [[0.0]]})[0, 0])
    0.6931471805599453
    """
    z = arg_of_sigmoid(Y_hat)
    return Y * pt.softplus(-z) + (1 - Y) * pt.softplus(z)


def kl(Y: Symbolic, Y_hat: Symbolic, batch_axis: int) -> Symbolic:
    """``elemwise_kl`` averaged over every axis but ``batch_axis``: one value per example.

    Examples
    --------
    >>> z = pt.matrix()
    >>> kl(pt.zeros((2, 3)), pt.sigmoid(z), batch_axis=0).eval({z: np.zeros((2, 3))}).shape
    (2,)
    """
    total = elemwise_kl(Y, Y_hat)
    axes = [axis for axis in range(total.ndim) if axis != batch_axis % total.ndim]
    return total.mean(axis=axes)


def compute_precision(tp: Any, fp: Any) -> Any:
    """``tp / max(1, tp + fp)``.

    Examples
    --------
    >>> float(compute_precision(pt.constant(3.0), pt.constant(1.0)).eval())
    0.75
    """
    return tp / pt.maximum(1.0, tp + fp)


def compute_recall(y: Any, tp: Any) -> Any:
    """``tp / max(1, sum(y))``.

    Examples
    --------
    >>> float(compute_recall(pt.as_tensor([1.0, 1.0, 0.0]), pt.constant(1.0)).eval())
    0.5
    """
    return tp / pt.maximum(1.0, y.sum())


def compute_f1(precision: Any, recall: Any) -> Any:
    """``2 · precision · recall / max(1, precision + recall)``, as pylearn2 computes it.

    Examples
    --------
    >>> float(compute_f1(pt.constant(0.5), pt.constant(0.5)).eval())
    0.5
    """
    return 2.0 * precision * recall / pt.maximum(1.0, precision + recall)
