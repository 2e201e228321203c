"""SGD's direct step, its compiled runs of batches and the block-gathered shuffled iterator.

Each gives the same results, bit for bit, as PyTensor's own ``Function.__call__`` per batch.
"""

from __future__ import annotations

from typing import Any

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
    if direct:  # a callback runs between batches: no compiled run of batches
        assert algorithm._step._loop is None
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


def trained_in_runs(
    dataset: DenseDesignMatrix, epochs: int, direct: bool, **options: Any
) -> tuple[list[Any], tuple[int, int]]:
    """Shared values and the monitor's (batches, examples) after ``epochs`` epochs."""
    model = pima_net(7)
    momentum = options.pop("momentum", None)
    rule = None if momentum is None else Momentum(momentum)
    algorithm = SGD(learning_rate=0.05, batch_size=10, learning_rule=rule, **options)
    algorithm.setup(model, dataset)
    step = algorithm._step
    assert isinstance(step, DirectStep)
    if not direct:
        algorithm._step = algorithm.sgd_update
    for _ in range(epochs):
        algorithm.train(dataset)
    if direct:  # the epochs ran as compiled runs, not batch by batch
        assert step._verified
        assert not step._unfit
    assert algorithm.sgd_update is not None
    monitor = model.monitor
    counts = (monitor.get_batches_seen(), monitor.get_examples_seen())
    return [shared.get_value() for shared in algorithm.sgd_update.get_shared()], counts


@pytest.mark.parametrize(
    ("rows", "options", "block_bytes"),
    [
        # the blog's epoch: shuffled, 54 batches, the last of 7 rows, one gathered block
        (537, {"momentum": 0.5}, 1 << 20),
        # a gathered block of 4 batches at a time, so 14 runs per epoch
        (537, {"momentum": 0.5}, 2000),
        # plain SGD, an epoch cut short by batches_per_iter
        (95, {"batches_per_iter": 4}, 1 << 20),
        # sequential: slices of the whole arrays
        (95, {"momentum": 0.5, "train_iteration_mode": "sequential"}, 1 << 20),
    ],
)
def test_runs_of_batches_train_bit_for_bit_like_the_pytensor_function(
    monkeypatch, rows, options, block_bytes
) -> None:
    monkeypatch.setattr(iteration, "_BLOCK_BYTES", block_bytes)
    dataset = pima_like(rows)
    ours, our_counts = trained_in_runs(dataset, 3, direct=True, **dict(options))
    theirs, their_counts = trained_in_runs(dataset, 3, direct=False, **dict(options))
    assert our_counts == their_counts
    assert len(ours) == len(theirs) == 10
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.dtype == reference.dtype
        assert np.array_equal(mine, reference)
    untrained, _ = trained_in_runs(dataset, 0, direct=False, **dict(options))
    moved = [not np.array_equal(a, b) for a, b in zip(ours, untrained, strict=True)]
    assert sum(moved) == 8  # parameters and velocities (plain SGD's are 0·v − lr·g)


def checked_sum() -> tuple[Any, Any]:
    """A function adding each batch's column sums to a shared total, unless a value is >= 5."""
    import pytensor
    import pytensor.tensor as pt
    from pytensor.raise_op import Assert

    from pylearn2_recipes._backend import default_mode

    x = pt.dmatrix("x")
    total = pytensor.shared(np.zeros(2), name="total")
    checked = Assert("a value of 5 or more")(x, pt.all(x < 5))
    function = pytensor.function(
        [x], [], updates=[(total, total + checked.sum(axis=0))], mode=default_mode()
    )
    function.trust_input = True
    return function, total


def test_a_failing_run_stops_where_calls_batch_by_batch_stop() -> None:
    X = np.array([[0.0, 1], [2, 3], [4, 5], [6, 0], [1, 2], [3, 4]])  # batch 2 holds 5 and 6
    starts, stops = np.array([0, 1, 2, 4]), np.array([1, 2, 4, 6])
    function, total = checked_sum()
    step = direct_step(function)
    assert isinstance(step, DirectStep)
    done = np.zeros(1, dtype=np.int64)
    with pytest.raises(AssertionError) as in_a_run:
        step.run([X], starts, stops, done)
    assert int(done[0]) == 2
    assert total.get_value().tolist() == [2.0, 4.0]  # the two batches before it
    reference, reference_total = checked_sum()
    reference(X[0:1])
    reference(X[1:2])
    with pytest.raises(AssertionError) as by_calls:
        reference(X[2:4])
    assert str(in_a_run.value) == str(by_calls.value)
    assert np.array_equal(total.get_value(), reference_total.get_value())
    # and a run that does not fail goes on from there
    assert step.run([X[:2]], np.array([0]), np.array([2]), done)
    assert total.get_value().tolist() == [4.0, 8.0]
    assert int(done[0]) == 1


def test_runs_fall_back_to_calls_where_the_loop_would_not_be_exact() -> None:
    import pytensor
    import pytensor.tensor as pt

    from pylearn2_recipes._backend import default_mode

    X = np.arange(12.0).reshape(6, 2)
    done = np.zeros(1, dtype=np.int64)
    # A batch in Fortran order is another Numba type than the calls' C-ordered slices.
    function, total = checked_sum()
    step = direct_step(function)
    assert isinstance(step, DirectStep)
    assert not step.run([np.asfortranarray(X % 5)], np.array([0]), np.array([6]), done)
    assert int(done[0]) == 0
    assert total.get_value().tolist() == [0.0, 0.0]
    # An update computed outside the shared value's buffer: a failing run could not
    # leave the values of the batches before it.
    x = pt.dmatrix("x")
    last = pytensor.shared(np.zeros(2), name="last")
    replaces = pytensor.function([x], [], updates=[(last, x.sum(axis=0))], mode=default_mode())
    replaces.trust_input = True
    step = direct_step(replaces)
    assert isinstance(step, DirectStep)
    assert not step.run([X], np.array([0, 3]), np.array([3, 6]), done)
    assert last.get_value().tolist() == [0.0, 0.0]
    step(X[3:6])  # batch by batch it works as before
    assert last.get_value().tolist() == [24.0, 27.0]


@pytest.mark.parametrize("block_bytes", [1, 700, 1 << 20])
@pytest.mark.parametrize(
    ("mode", "rows", "batch_size", "num_batches"),
    [
        ("shuffled_sequential", 537, 10, None),
        ("shuffled_sequential", 50, 7, 3),
        ("sequential", 50, 7, None),
        ("sequential", 50, 7, 3),
    ],
)
def test_runs_serve_the_batches_next_serves(
    monkeypatch, block_bytes, mode, rows, batch_size, num_batches
) -> None:
    monkeypatch.setattr(iteration, "_BLOCK_BYTES", block_bytes)
    dataset = pima_like(rows)

    def iterator() -> Any:
        return dataset.iterator(
            mode=mode,
            batch_size=batch_size,
            num_batches=num_batches,
            rng=np.random.RandomState([2012, 10, 5]) if mode != "sequential" else None,
            data_specs=dataset.get_data_specs(),
            return_tuple=True,
        )

    runs = iterator()
    assert runs.serves_runs
    served = [
        tuple(array[start:stop] for array in arrays)
        for arrays, starts, stops in iter(runs.next_run, None)
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True)
    ]
    expected = list(iterator())
    assert len(served) == len(expected) == (num_batches or -(-rows // batch_size))
    for batch, reference in zip(served, expected, strict=True):
        for ours, theirs in zip(batch, reference, strict=True):
            assert ours.flags.c_contiguous
            assert np.array_equal(ours, theirs)
    with pytest.raises(StopIteration):
        runs.next_run()


def test_other_iteration_modes_serve_batch_by_batch() -> None:
    dataset = pima_like(30)
    for mode in ("batchwise_shuffled_sequential", "even_shuffled_sequential", "random_slice"):
        iterator = dataset.iterator(
            mode=mode,
            batch_size=10,
            num_batches=3,
            rng=np.random.RandomState(0),
            data_specs=dataset.get_data_specs(),
        )
        assert not iterator.serves_runs
        with pytest.raises(RuntimeError, match="serves no runs"):
            iterator.next_run()
