"""SGD's direct step and the block-gathered shuffled iterator: the same results, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from pylearn2_recipes.datasets import DenseDesignMatrix
from pylearn2_recipes.models.mlp import MLP, Sigmoid, Softmax
from pylearn2_recipes.training_algorithms._step import DirectStep, direct_step
from pylearn2_recipes.training_algorithms.learning_rule import Momentum
from pylearn2_recipes.training_algorithms.sgd import SGD, ExponentialDecay
from pylearn2_recipes.utils import iteration
from pylearn2_recipes.utils.iteration import (
    FiniteDatasetIterator,
    SequentialSubsetIterator,
    ShuffledSequentialSubsetIterator,
)


def pima_like(rows: int) -> DenseDesignMatrix:
    X = np.random.RandomState(3).rand(rows, 8)
    return DenseDesignMatrix(X=X, y=np.eye(2)[(X[:, 0] + X[:, 1] > 1).astype(int)])


def pima_net(seed: int) -> MLP:
    # The blog's Pima net, whose momentum graph the other training tests compile too.
    return MLP(
        [
            Sigmoid(layer_name="hidden", dim=20, irange=0.05, init_bias=1.0),
            Softmax(2, "output", irange=0.05),
        ],
        nvis=8,
        seed=seed,
    )


def trained(dataset: DenseDesignMatrix, epochs: int, direct: bool) -> list[np.ndarray]:
    model = pima_net(7)
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=10,
        learning_rule=Momentum(0.5),
        # Sets the shared learning rate after every batch: the step must read it anew.
        update_callbacks=[ExponentialDecay(decay_factor=1.001, min_lr=0.01)],
    )
    algorithm.setup(model, dataset)
    assert isinstance(algorithm._step, DirectStep)
    if not direct:
        algorithm._step = algorithm.sgd_update
    for _ in range(epochs):
        algorithm.train(dataset)
    assert algorithm.sgd_update is not None
    # parameters, velocities, learning rate and momentum
    return [shared.get_value() for shared in algorithm.sgd_update.get_shared()]


def test_direct_step_trains_bit_for_bit_like_the_pytensor_function() -> None:
    dataset = pima_like(537)
    direct = trained(dataset, 3, direct=True)
    ordinary = trained(dataset, 3, direct=False)
    assert len(direct) == len(ordinary) == 10
    for ours, theirs in zip(direct, ordinary, strict=True):
        assert ours.dtype == theirs.dtype
        assert np.array_equal(ours, theirs)
    # and training moved all but the momentum: parameters, velocities, learning rate
    untrained = trained(dataset, 0, direct=True)
    moved = [not np.array_equal(a, b) for a, b in zip(direct, untrained, strict=True)]
    assert sum(moved) == 9


def test_direct_step_updates_the_shared_variables_one_call_at_a_time() -> None:
    dataset = pima_like(40)
    model = pima_net(1)
    algorithm = SGD(learning_rate=0.1, batch_size=10, learning_rule=Momentum(0.5))
    algorithm.setup(model, dataset)
    step = algorithm._step
    assert isinstance(step, DirectStep)
    X, y = dataset.X[:10].copy(), dataset.y[:10].copy()
    assert algorithm.sgd_update is not None
    shared = algorithm.sgd_update.get_shared()
    before = [s.get_value() for s in shared]
    step(X, y)
    step(X, y)
    after_direct = [s.get_value() for s in shared]
    for variable, value in zip(shared, before, strict=True):
        variable.set_value(value)
    algorithm.sgd_update(X, y)
    algorithm.sgd_update(X, y)
    for variable, value in zip(shared, after_direct, strict=True):
        assert np.array_equal(variable.get_value(), value)
    moved = [not np.array_equal(a, b) for a, b in zip(after_direct, before, strict=True)]
    assert sum(moved) == 8  # parameters and velocities


def test_functions_the_shortcut_does_not_fit_are_called_as_they_are() -> None:
    import pytensor
    import pytensor.tensor as pt

    x = pt.dvector("x")
    # Numba compiles a graph at its first call: these are never called.
    returns_a_value = pytensor.function([x], x.sum())
    assert getattr(returns_a_value.vm, "jit_fn", None) is not None
    assert direct_step(returns_a_value) is returns_a_value
    shared = pytensor.shared(np.zeros(3), name="s")
    untrusted = pytensor.function([x], [], updates=[(shared, shared + x)])
    assert direct_step(untrusted) is untrusted  # trust_input is off
    untrusted.trust_input = True
    assert isinstance(direct_step(untrusted), DirectStep)
    python_vm = pytensor.function([x], [], updates=[(shared, shared + x)], mode="FAST_COMPILE")
    python_vm.trust_input = True
    assert direct_step(python_vm) is python_vm


def test_a_failing_step_raises_what_the_function_raises() -> None:
    dataset = pima_like(20)
    algorithm = SGD(learning_rate=0.1, batch_size=10, learning_rule=Momentum(0.5))
    algorithm.setup(pima_net(1), dataset)
    assert algorithm._step is not None
    assert algorithm.sgd_update is not None
    X, y = np.zeros((10, 3)), np.zeros((10, 2))  # 3 features for 8 inputs
    # The wording is PyTensor's and changes between its releases (3.13's names gemm):
    # what must hold is that both routes raise the same error.
    with pytest.raises(ValueError) as direct:  # noqa: PT011 - the wording is PyTensor's
        algorithm._step(X, y)
    with pytest.raises(ValueError) as ordinary:  # noqa: PT011 - compared below, not matched
        algorithm.sgd_update(X, y)
    assert str(direct.value) == str(ordinary.value)


@pytest.mark.parametrize("block_bytes", [1, 700, 1 << 20])
@pytest.mark.parametrize(("rows", "batch_size", "num_batches"), [(537, 10, None), (50, 7, 3)])
def test_block_gathered_batches_are_the_per_batch_gathers(
    monkeypatch, block_bytes, rows, batch_size, num_batches
) -> None:
    monkeypatch.setattr(iteration, "_BLOCK_BYTES", block_bytes)
    dataset = pima_like(rows)
    specs = dataset.get_data_specs()
    served = list(
        dataset.iterator(
            mode="shuffled_sequential",
            batch_size=batch_size,
            num_batches=num_batches,
            rng=np.random.RandomState([2012, 10, 5]),
            data_specs=specs,
        )
    )
    order = ShuffledSequentialSubsetIterator(
        rows, batch_size, num_batches, rng=np.random.RandomState([2012, 10, 5])
    )
    expected = [(dataset.X[index], dataset.y[index]) for index in order]
    assert len(served) == len(expected) == (num_batches or -(-rows // batch_size))
    for (X, y), (X_expected, y_expected) in zip(served, expected, strict=True):
        assert X.flags.c_contiguous
        assert y.flags.c_contiguous
        assert np.array_equal(X, X_expected)
        assert np.array_equal(y, y_expected)


def test_sequential_iteration_is_not_block_gathered() -> None:
    dataset = pima_like(30)
    iterator = FiniteDatasetIterator(
        dataset, SequentialSubsetIterator(30, 10, None), dataset.get_data_specs()
    )
    assert not iterator._blocked
    assert np.array_equal(next(iterator)[0], dataset.X[:10])
