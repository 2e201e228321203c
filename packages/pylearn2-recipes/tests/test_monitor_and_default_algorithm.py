"""The monitor's pylearn2 behaviours, ``DefaultTrainingAlgorithm`` and asserted arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import FAST

from pylearn2_recipes import InvalidArgumentError
from pylearn2_recipes._backend import pt
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.models.model import Model
from pylearn2_recipes.monitor import Monitor, _err_ambig_data, _err_no_data
from pylearn2_recipes.space import CompositeSpace, VectorSpace
from pylearn2_recipes.training_algorithms.default import DefaultTrainingAlgorithm
from pylearn2_recipes.training_algorithms.learning_rule import AdaGrad, Momentum, RMSProp


class Vectors(Model):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.input_space = VectorSpace(dim)
        self.output_space = VectorSpace(1)


def data(n: int = 6, dim: int = 2) -> DenseDesignMatrix:
    X = np.arange(n * dim, dtype=float).reshape(n, dim)
    return DenseDesignMatrix(X=X, y=X[:, :1] * 2)


def test_a_single_channel_can_read_features_and_targets_together() -> None:
    # One channel whose data specs are composite: the monitor once nested its inputs
    # one level too deep and could not compile.
    monitor, dataset = gap_monitor()
    monitor.set_theano_function_mode(FAST)
    monitor()
    expected = (dataset.y - dataset.X[:, :1]).mean()
    assert monitor.channels["gap"].val_record == [pytest.approx(expected)]


def test_channels_without_a_dataset_name_pylearn2s_problem() -> None:
    model = Vectors(2)
    monitor = Monitor.get_monitor(model)
    X = pt.matrix("X")
    specs = (VectorSpace(2), "features")
    with pytest.raises(ValueError, match="has no dataset") as error:
        monitor.add_channel("m", ipt=X, val=X.mean(), data_specs=specs)
    assert str(error.value) == _err_no_data
    monitor.add_dataset(data(), "sequential", batch_size=2)
    monitor.add_dataset(data(4), "sequential", batch_size=2)
    with pytest.raises(ValueError, match="multiple datasets") as error:
        monitor.add_channel("m", ipt=X, val=X.mean(), data_specs=specs)
    assert str(error.value) == _err_ambig_data


def test_zero_monitoring_batches_are_refused() -> None:
    model = Vectors(2)
    monitor = Monitor.get_monitor(model)
    monitor.add_dataset(data(), "sequential", batch_size=2, num_batches=0)
    X = pt.matrix("X")
    monitor.add_channel("m", ipt=X, val=X.mean(), data_specs=(VectorSpace(2), "features"))
    with pytest.raises(ValueError, match="0 examples"):
        monitor()


@pytest.mark.parametrize(
    "build",
    [lambda: AdaGrad(-1.0), lambda: RMSProp(max_scaling=0.0), lambda: Momentum(1.0)],
    ids=["adagrad", "rmsprop", "momentum"],
)
def test_asserted_arguments_raise_an_error_pylearn2_callers_catch(build: Any) -> None:
    with pytest.raises(InvalidArgumentError) as error:
        build()
    assert isinstance(error.value, AssertionError)
    assert isinstance(error.value, ValueError)


class Counting(Model):
    """A model that trains itself: ``train_batch`` counts and stops after ``stop``."""

    def __init__(self, stop: int) -> None:
        super().__init__()
        self.input_space = VectorSpace(2)
        self.stop = stop
        self.seen: list[int] = []

    def train_batch(self, dataset: Any, batch_size: int) -> Any:
        self.seen.append(batch_size)
        return len(self.seen) < self.stop


def test_default_algorithm_runs_the_models_own_batches_and_counts_them() -> None:
    model = Counting(stop=5)
    algorithm = DefaultTrainingAlgorithm(batch_size=3, batches_per_iter=2)
    algorithm.setup(model, data())
    algorithm.train(data())
    assert model.seen == [3, 3]
    assert model.monitor.get_batches_seen() == 2
    assert model.monitor.get_examples_seen() == 6
    assert algorithm.continue_learning(model)
    algorithm.train(data())
    algorithm.train(data())
    assert len(model.seen) == 5
    assert not algorithm.continue_learning(model)


def test_default_algorithm_refuses_a_non_boolean_answer() -> None:
    model = Counting(stop=5)
    model.train_batch = lambda dataset, batch_size: None  # type: ignore[method-assign]
    algorithm = DefaultTrainingAlgorithm(batch_size=3, batches_per_iter=1)
    algorithm.setup(model, data())
    with pytest.raises(ValueError, match="did not return a boolean"):
        algorithm.train(data())


def test_default_algorithm_monitoring_settings_need_a_monitoring_dataset() -> None:
    with pytest.raises(InvalidArgumentError, match="need a monitoring_dataset"):
        DefaultTrainingAlgorithm(batch_size=3, monitoring_batches=2)


def gap_monitor() -> tuple[Monitor, DenseDesignMatrix]:
    model = Vectors(2)
    monitor = Monitor.get_monitor(model)
    dataset = data()
    monitor.add_dataset(dataset, "sequential", batch_size=2)
    X, Y = pt.matrix("X"), pt.matrix("Y")
    specs = (CompositeSpace([VectorSpace(2), VectorSpace(1)]), ("features", "targets"))
    monitor.add_channel("gap", ipt=(X, Y), val=(Y - X[:, :1]).mean(), data_specs=specs)
    return monitor, dataset


def compiled_with_numba(monitor: Monitor) -> bool:
    (entry,) = monitor._entries
    return getattr(getattr(entry.function, "vm", None), "jit_fn", None) is not None


def test_a_cold_numba_cache_monitors_in_the_quick_mode_then_tiers_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pylearn2_recipes.monitor as monitor_module

    monkeypatch.setattr(monitor_module, "_numba_cache_is_cold", lambda function: True)
    monitor, dataset = gap_monitor()
    monitor()  # compiled in fast_compile_mode(): the cache "lacks" the Numba graph
    assert not compiled_with_numba(monitor)
    (entry,) = monitor._entries
    assert entry.tier_up_budget is not None
    assert 0 < entry.tier_up_budget < monitor_module.TIER_UP_SECONDS
    entry.tier_up_budget = 1e-9  # as if the calls had taken TIER_UP_SECONDS of CPU
    monitor()  # the budget is spent: compiled with Numba (PyTensor's default) now
    assert compiled_with_numba(monitor)
    monitor()
    assert monitor._entries[0].tier_up_budget is None
    expected = (dataset.y - dataset.X[:, :1]).mean()
    assert monitor.channels["gap"].val_record == [pytest.approx(expected)] * 3


class SteppingClock:
    """A CPU clock that advances ``step`` seconds on every read (no real time passes)."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += self.step
        return self.now


def test_the_tier_up_spends_the_injected_cpu_clock_deterministically(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pylearn2_recipes.monitor as monitor_module

    monkeypatch.setattr(monitor_module, "_numba_cache_is_cold", lambda function: True)
    monkeypatch.setattr(monitor_module, "TIER_UP_SECONDS", 3.0)
    monkeypatch.setattr(monitor_module, "default_mode", lambda: "numba")
    monkeypatch.setattr(monitor_module, "fast_compile_mode", lambda: "quick")
    requested: list[str] = []
    compile_for_real = Monitor._compile

    def recording_compile(entry: Any, mode: str) -> Any:
        # Record which mode the monitor asks for, but compile quickly: the decision is
        # under test here, not Numba (the test above compiles with Numba for real).
        requested.append(mode)
        return compile_for_real(entry, FAST)

    monkeypatch.setattr(Monitor, "_compile", staticmethod(recording_compile))
    monitor, dataset = gap_monitor()
    clock = SteppingClock(step=1.0)  # each evaluation: two reads, 1 s apart
    monitor.cpu_clock = clock
    for _ in range(2):
        monitor()
    # The Numba function is built, found cold and replaced by the quick one.
    assert requested == ["numba", "quick"]
    assert monitor._entries[0].tier_up_budget == pytest.approx(1.0)
    monitor()  # the third second of CPU spends the budget: compiled with Numba now
    assert requested == ["numba", "quick", "numba"]
    assert monitor._entries[0].tier_up_budget is None
    monitor()
    assert requested == ["numba", "quick", "numba"]  # no further compiles
    assert clock.reads == 6  # read around the three quick evaluations only
    expected = (dataset.y - dataset.X[:, :1]).mean()
    assert monitor.channels["gap"].val_record == [pytest.approx(expected)] * 4


def test_the_monitor_measures_process_time_unless_given_a_clock() -> None:
    import pickle
    import time

    model = Vectors(2)
    assert Monitor(model).cpu_clock is time.process_time
    clock = SteppingClock(step=1.0)
    monitor = Monitor(model, cpu_clock=clock)
    assert monitor.cpu_clock is clock
    # A fake clock stays with its process: a restored monitor measures process time.
    restored = pickle.loads(pickle.dumps(monitor))
    assert restored.cpu_clock is time.process_time


def test_a_warm_cache_or_a_chosen_mode_keeps_the_monitor_as_compiled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pylearn2_recipes.monitor as monitor_module

    monitor, _ = gap_monitor()
    monkeypatch.setattr(monitor_module, "_numba_cache_is_cold", lambda function: False)
    monitor()
    assert compiled_with_numba(monitor)
    assert monitor._entries[0].tier_up_budget is None
    chosen, _ = gap_monitor()
    chosen.set_theano_function_mode(FAST)
    chosen()
    assert not compiled_with_numba(chosen)
    assert not monitor_module._numba_cache_is_cold(chosen._entries[0].function)
