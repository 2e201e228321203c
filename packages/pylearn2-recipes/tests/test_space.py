"""pylearn2's spaces: layouts, conversions both ways, dtype rules (issue 16 item 2).

pylearn2's own ``space/tests/test_space.py`` runs unchanged in the archive session
(``archive_tests/test_pylearn2_unit.py``); these check the behaviours this package's
own code relies on, quickly.
"""

from __future__ import annotations

import numpy as np
import pytest

from pylearn2_recipes._backend import pytensor
from pylearn2_recipes.space import (
    CompositeSpace,
    Conv2DSpace,
    IndexSpace,
    NullSpace,
    VectorSpace,
    is_numeric_batch,
    is_symbolic_batch,
)

AXES = [("b", 0, 1, "c"), ("b", "c", 0, 1), ("c", 0, 1, "b"), ("c", "b", 1, 0)]


@pytest.mark.parametrize("axes", AXES)
def test_conv2d_round_trips_through_vector_space_in_default_axis_order(axes: tuple) -> None:
    image = Conv2DSpace((2, 3), num_channels=4, axes=axes)
    flat = VectorSpace(image.get_total_dimension())
    rows = np.arange(5 * 24, dtype=float).reshape(5, 24)
    batch = flat.np_format_as(rows, image)
    # Whatever the axes, the flat layout is the default ('b', 0, 1, 'c') one.
    default = rows.reshape(5, 2, 3, 4)
    assert np.array_equal(
        batch, default.transpose(*[Conv2DSpace.default_axes.index(a) for a in axes])
    )
    assert np.array_equal(image.np_format_as(batch, flat), rows)


def test_symbolic_format_as_matches_numeric_and_undoes_to_the_same_variable() -> None:
    image = Conv2DSpace((2, 2), channels=3, axes=("c", 0, 1, "b"), dtype="float32")
    flat = VectorSpace(12, dtype="float64")
    X = image.make_theano_batch()
    Y = image.format_as(X, flat)
    assert Y.dtype == "float64"
    assert image.undo_format_as(Y, flat) is X
    data = np.random.RandomState(0).randn(*image.get_origin_batch(3).shape).astype("float32")
    got = pytensor.function([X], Y)(data)
    assert np.allclose(got, image.np_format_as(data, flat))


def test_index_space_formats_labels_as_one_hot_rows() -> None:
    labels = np.array([[1, 2], [0, 0]])
    index = IndexSpace(max_labels=3, dim=2)
    merged = index.np_format_as(labels, VectorSpace(3))
    concatenated = index.np_format_as(labels, VectorSpace(6))
    assert merged.tolist() == [[0, 1, 1], [1, 0, 0]]
    assert concatenated.tolist() == [[0, 1, 0, 0, 0, 1], [1, 0, 0, 1, 0, 0]]
    with pytest.raises(ValueError, match="Expected either dim=3"):
        index.np_format_as(labels, VectorSpace(4))


def test_composite_space_flattens_and_splits_in_order() -> None:
    both = CompositeSpace([VectorSpace(2), Conv2DSpace((1, 2), num_channels=1)])
    flat = VectorSpace(4)
    rows = np.arange(8.0).reshape(2, 4)
    parts = flat.np_format_as(rows, both)
    assert parts[0].tolist() == [[0, 1], [4, 5]]
    assert parts[1].shape == (2, 1, 2, 1)
    assert np.array_equal(both.np_format_as(parts, flat), rows)
    assert both.dtype == (pytensor.config.floatX, pytensor.config.floatX)


def test_validation_refuses_lossy_kinds_and_wrong_shapes() -> None:
    with pytest.raises(TypeError, match="Cannot safely cast batch dtype float64"):
        IndexSpace(max_labels=3, dim=1).np_validate(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="must match with the space's dimension"):
        VectorSpace(3).np_validate(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="Expected axis 3 to be number of channels"):
        Conv2DSpace((2, 2), num_channels=3).np_validate(np.zeros((1, 2, 2, 1)))
    # bool and integers cast to an integer space without loss.
    IndexSpace(max_labels=2, dim=1).np_validate(np.zeros((2, 1), dtype=bool))


def test_dtype_rules() -> None:
    assert VectorSpace(3).dtype == pytensor.config.floatX
    untyped = VectorSpace(3, dtype=None)
    with pytest.raises(TypeError, match=r"self\.dtype is None"):
        untyped.get_origin_batch(2)
    assert untyped.get_origin_batch(2, dtype="int8").dtype == np.int8
    with pytest.raises(TypeError, match='Unrecognized value "float128"'):
        VectorSpace(3, dtype="float128")
    with pytest.raises(ValueError, match="integer type"):
        IndexSpace(max_labels=3, dim=1, dtype="float32")


def test_batches_are_numeric_or_symbolic() -> None:
    assert is_numeric_batch((np.zeros(2), (np.ones(1),)))
    assert is_symbolic_batch(VectorSpace(2).make_theano_batch())
    assert is_numeric_batch(None)
    assert is_symbolic_batch(())
    with pytest.raises(TypeError, match="mixes numeric and symbolic"):
        is_numeric_batch((np.zeros(2), VectorSpace(2).make_theano_batch()))
    NullSpace().np_validate(None)


def test_conv2d_space_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="exactly one of `channels` and `num_channels`"):
        Conv2DSpace((2, 2))
    with pytest.raises(ValueError, match="axes"):
        Conv2DSpace((2, 2), num_channels=1, axes=("b", 0, 0, "c"))
    assert Conv2DSpace((2, 2), channels=1, axes=["c", 0, 1, "b"]).get_batch_axis() == 3
