"""pylearn2's pooling functions of ``models/mlp.py``: ``max_pool``, ``mean_pool``, ``pool_dnn``.

``max_pool`` and ``mean_pool`` take a ``('b', 'c', 0, 1)`` batch and pool it with
pylearn2's window arithmetic (windows every ``pool_stride`` until the image is covered;
a max window that would start past the image is dropped, a mean window's missing cells
are left out of its mean). ``pool_dnn`` was cuDNN's pooling, which PyTensor's CPU backend
does not have: it raises ``BackendUnavailableError``, and ``max_pool(try_dnn=True)``
computes on the CPU, as pylearn2 did wherever cuDNN was absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pylearn2_recipes._backend import Symbolic
from pylearn2_recipes.exceptions import BackendUnavailableError
from pylearn2_recipes.models._conv import pool_bc01

__all__ = ["max_pool", "mean_pool", "pool_dnn"]


def _checked(
    bc01: Any, pool_shape: Sequence[int], image_shape: Sequence[int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    if getattr(bc01, "ndim", None) != 4:
        raise ValueError(f"expected a 4-D ('b', 'c', 0, 1) batch, got {bc01!r}")
    (pr, pc), (r, c) = pool_shape, image_shape
    if pr > r or pc > c:
        raise ValueError(
            f"pool_shape {tuple(pool_shape)} is larger than the image {tuple(image_shape)}"
        )
    return (int(pr), int(pc)), (int(r), int(c))


def _named(result: Symbolic, kind: str, bc01: Any) -> Symbolic:
    result.name = f"{kind}({bc01.name or 'anon_bc01'})"
    return result


def max_pool(
    bc01: Symbolic,
    pool_shape: Sequence[int],
    pool_stride: Sequence[int],
    image_shape: Sequence[int],
    try_dnn: bool = True,
) -> Symbolic:
    """Max pooling of a ``('b', 'c', 0, 1)`` batch with any stride; pylearn2's ``max_pool``.

    ``try_dnn`` is accepted for pylearn2's signature; there is no cuDNN, so the pooling
    is always computed by PyTensor's CPU ops.

    Examples
    --------
    >>> import numpy as np, pytensor
    >>> from pylearn2_recipes._backend import pt
    >>> x = pt.tensor4("x")
    >>> f = pytensor.function([x], max_pool(x, (2, 2), (2, 2), (2, 4)), mode="FAST_COMPILE")
    >>> f(np.arange(8.0).reshape(1, 1, 2, 4))[0, 0]
    array([[5., 7.]])
    """
    shape, image = _checked(bc01, pool_shape, image_shape)
    stride = (int(pool_stride[0]), int(pool_stride[1]))
    return _named(pool_bc01(bc01, "max", shape, stride, image), "max_pool", bc01)


def mean_pool(
    bc01: Symbolic,
    pool_shape: Sequence[int],
    pool_stride: Sequence[int],
    image_shape: Sequence[int],
) -> Symbolic:
    """Mean pooling of a ``('b', 'c', 0, 1)`` batch; pylearn2's ``mean_pool``.

    Examples
    --------
    >>> import numpy as np, pytensor
    >>> from pylearn2_recipes._backend import pt
    >>> x = pt.tensor4("x")
    >>> f = pytensor.function([x], mean_pool(x, (2, 2), (2, 2), (2, 4)), mode="FAST_COMPILE")
    >>> f(np.arange(8.0).reshape(1, 1, 2, 4))[0, 0]
    array([[2.5, 4.5]])
    """
    shape, image = _checked(bc01, pool_shape, image_shape)
    stride = (int(pool_stride[0]), int(pool_stride[1]))
    return _named(pool_bc01(bc01, "mean", shape, stride, image), "mean_pool", bc01)


def pool_dnn(
    bc01: Symbolic, pool_shape: Sequence[int], pool_stride: Sequence[int], mode: str = "max"
) -> Symbolic:
    """cuDNN pooling in pylearn2; unavailable here (PyTensor has no cuDNN backend).

    Raises
    ------
    BackendUnavailableError
        Always; use ``max_pool`` (same result, computed on the CPU).

    Examples
    --------
    >>> try:
    ...     pool_dnn(None, (2, 2), (2, 2))
    ... except BackendUnavailableError as error:
    ...     print(str(error)[:20])
    pool_dnn needs cuDNN
    """
    if mode not in ("max", "mean"):
        raise ValueError(f"`mode` must be 'max' or 'mean', got {mode!r}")
    raise BackendUnavailableError(
        "pool_dnn needs cuDNN, which PyTensor's CPU backend does not have; "
        "use max_pool (or mean_pool), which computes the same pooling on the CPU"
    )
