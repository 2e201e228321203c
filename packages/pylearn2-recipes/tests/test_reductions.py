"""LoopReduce gives PyTensor's own reductions bit for bit, in every memory layout."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pylearn2_recipes._backend import default_mode, pt, pytensor
from pylearn2_recipes.datasets import DenseDesignMatrix
from pylearn2_recipes.models.mlp import MLP, Sigmoid, Softmax
from pylearn2_recipes.training_algorithms import SGD, Momentum


def pytensor_default() -> Any:
    from pytensor.compile.mode import get_default_mode

    return get_default_mode()


def op_names(function: Any) -> list[str]:
    return [type(node.op).__name__ for node in function.maker.fgraph.apply_nodes]


def layouts(dtype: str) -> list[np.ndarray]:
    """C- and F-ordered, strided, reversed, with NaN and infinities, empty (a max is -inf)."""
    rng = np.random.RandomState(0)
    base = (rng.randn(23, 17) * 10.0 ** rng.randint(-8, 9, size=(23, 17))).astype(dtype)
    odd = base.copy()
    odd[3, 4], odd[5, 0], odd[7, 2] = np.nan, np.inf, -np.inf
    return [
        base,
        np.asfortranarray(base),
        base.T,
        base[::2, ::3],
        base[::-1, ::-2],
        base.T[::3, ::-1],
        odd,
        odd.T,
        base[:, :1],
        base[:1, :],
        base[:0, :],
        base[:, :0],
    ]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("reduce", ["sum", "max"])
@pytest.mark.parametrize("axis", [0, 1])
def test_matches_pytensors_reduction_in_every_layout(dtype: str, reduce: str, axis: int) -> None:
    x = pt.matrix("x", dtype=dtype)
    # (a float32 sum accumulates in float64 unless told: that one is left alone, below)
    out = pt.max(x, axis=axis) if reduce == "max" else pt.sum(x, axis=axis, acc_dtype=dtype)
    ours = pytensor.function([x], out, mode=default_mode())
    theirs = pytensor.function([x], out, mode=pytensor_default())
    assert "LoopReduce" in op_names(ours)
    assert "LoopReduce" not in op_names(theirs)
    for value in layouts(dtype):
        expected, got = theirs(value), ours(value)
        assert got.dtype == expected.dtype
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected, strict=True)
        assert got.tobytes() == expected.tobytes()


def test_other_reductions_are_left_to_pytensor() -> None:
    matrix, tensor3, ints = pt.matrix("m"), pt.tensor3("t"), pt.imatrix("i")
    single = pt.matrix("s", dtype="float32")
    outputs = [
        pt.sum(matrix),  # every axis
        pt.sum(tensor3, axis=1),  # not a matrix
        pt.sum(ints, axis=1),  # integers
        pt.prod(matrix, axis=0),  # neither a sum nor a maximum
        pt.sum(single, axis=1),  # accumulates in float64
    ]
    function = pytensor.function([matrix, tensor3, ints, single], outputs, mode=default_mode())
    assert "LoopReduce" not in op_names(function)


@pytest.mark.parametrize(("nvis", "dim", "classes", "batch"), [(2, 2, 2, 10), (9, 13, 5, 7)])
def test_training_with_it_is_bit_for_bit_pytensors_default(
    nvis: int, dim: int, classes: int, batch: int
) -> None:
    rng = np.random.RandomState(1)
    X = rng.rand(60, nvis) * 4.0
    y = np.eye(classes)[rng.randint(0, classes, 60)]

    def train(mode: Any) -> tuple[list[np.ndarray], list[str]]:
        model = MLP(
            [Sigmoid(layer_name="h", dim=dim, irange=0.1), Softmax(classes, "y", irange=0.1)],
            nvis=nvis,
            seed=[2, 3, 4],
        )
        dataset = DenseDesignMatrix(X=X, y=y)
        algorithm = SGD(
            learning_rate=0.1,
            batch_size=batch,
            learning_rule=Momentum(0.5),
            theano_function_mode=mode,
        )
        algorithm.setup(model, dataset)
        for _ in range(3):
            algorithm.train(dataset)
        return [p.get_value() for p in model.get_params()], op_names(algorithm.sgd_update)

    ours, our_ops = train(None)  # SGD's default: default_mode()
    theirs, their_ops = train(pytensor_default())
    assert "LoopReduce" in our_ops
    assert "LoopReduce" not in their_ops
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.tobytes() == reference.tobytes()
