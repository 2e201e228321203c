"""SGD, schedules, monitor channels and the main loop, checked epoch by epoch."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FAST
from oracle import momentum_epoch, sigmoid_softmax_grads

from pylearn2_recipes import NonFiniteError, Train, xor_recipe
from pylearn2_recipes.datasets import DenseDesignMatrix
from pylearn2_recipes.datasets.dataset import Dataset
from pylearn2_recipes.models.mlp import MLP, Sigmoid, Softmax
from pylearn2_recipes.termination_criteria import EpochCounter
from pylearn2_recipes.train_extensions import TrainExtension
from pylearn2_recipes.train_extensions.progress import ProgressBar
from pylearn2_recipes.training_algorithms.learning_rule import Momentum, MomentumAdjustor
from pylearn2_recipes.training_algorithms.sgd import SGD, LinearDecayOverEpoch


def pima_like(n: int, rng: np.random.RandomState) -> DenseDesignMatrix:
    X = rng.rand(n, 8)
    labels = (X[:, 0] + X[:, 1] > 1).astype(int)
    return DenseDesignMatrix(X=X, y=np.eye(2)[labels])


def pima_net() -> MLP:
    return MLP(
        [
            Sigmoid(layer_name="hidden", dim=20, irange=0.05, init_bias=1.0),
            Softmax(2, "output", irange=0.05),
        ],
        nvis=8,
    )


class RecordingSGD(SGD):
    """Records the learning rate and momentum in force during each epoch."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_force: list[tuple[float, float]] = []

    def train(self, dataset) -> None:
        m = float(self.learning_rule.momentum.get_value()) if self.learning_rule else 0.0
        self.in_force.append((float(self.learning_rate.get_value()), m))
        super().train(dataset)


class Calls(TrainExtension):
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def setup(self, model, dataset, algorithm) -> None:
        self.log.append(f"setup@{model.monitor.get_epochs_seen()}")

    def on_monitor(self, model, dataset, algorithm) -> None:
        self.log.append(f"on_monitor@{model.monitor.get_epochs_seen()}")


def test_schedules_epoch_by_epoch_in_train_main_loop(rng) -> None:
    train_set, valid_set = pima_like(30, rng), pima_like(20, rng)
    algorithm = RecordingSGD(
        learning_rate=0.05,
        batch_size=10,
        monitoring_dataset=valid_set,
        termination_criterion=EpochCounter(60),
        learning_rule=Momentum(0.5),
    )
    log: list[str] = []
    train = Train(
        train_set,
        pima_net(),
        algorithm,
        extensions=[
            Calls(log),
            MomentumAdjustor(0.99, 1, 50),
            LinearDecayOverEpoch(1, 50, 0.1),
        ],
    )
    train.main_loop()
    assert len(algorithm.in_force) == 60  # EpochCounter(60) trains exactly 60 epochs
    for k, (lr, m) in enumerate(algorithm.in_force, start=1):
        expected_lr = 0.05 - 0.0009 * k if k <= 49 else 0.005
        expected_m = 0.5 + 0.01 * (k - 1) if k <= 50 else 0.99
        assert lr == pytest.approx(expected_lr, abs=1e-12), k
        assert m == pytest.approx(expected_m, abs=1e-12), k
    channels = train.model.monitor.channels
    # Epoch 0 records the initial values; epoch k the values in force during epoch k.
    assert channels["learning_rate"].val_record[:3] == pytest.approx([0.05, 0.0491, 0.0482])
    assert channels["momentum"].val_record[0] == 0.5
    assert channels["learning_rate"].val_record[1:] == pytest.approx(
        [lr for lr, _ in algorithm.in_force]
    )
    assert channels["momentum"].val_record[1:] == pytest.approx([m for _, m in algorithm.in_force])
    assert log[:3] == ["setup@0", "on_monitor@0", "on_monitor@1"]
    assert len(channels["output_misclass"].val_record) == 61
    assert channels["output_misclass"].epoch_record[:3] == [0, 1, 2]


def test_monitor_channel_names_are_pylearn2s(rng) -> None:
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=10,
        monitoring_dataset=pima_like(15, rng),
        termination_criterion=EpochCounter(1),
        learning_rule=Momentum(0.5),
    )
    train = Train(pima_like(20, rng), pima_net(), algorithm)
    train.main_loop()
    names = set(train.model.monitor.channels)
    expected = {
        "objective",
        "learning_rate",
        "momentum",
        "training_seconds_this_epoch",
        "total_seconds_last_epoch",
        "output_misclass",
        "output_nll",
        "output_mean_max_class",
        "output_max_max_class",
        "output_min_max_class",
        *(
            f"{layer}_{kind}_norms_{stat}"
            for layer in ("hidden", "output")
            for kind in ("row", "col")
            for stat in ("min", "mean", "max")
        ),
        *(
            f"hidden_{a}_x_{b}_u"
            for a in ("range", "max", "mean", "min")
            for b in ("max", "mean", "min")
        ),
    }
    assert names == expected
    channels = train.model.monitor.channels
    assert channels["objective"].val_record == channels["output_nll"].val_record


def test_monitor_values_are_dataset_means_over_batches(rng) -> None:
    valid = pima_like(23, rng)  # batches of 10, 10 and 3
    ann = pima_net()
    algorithm = SGD(learning_rate=0.05, batch_size=10, monitoring_dataset={"valid": valid})
    algorithm.setup(ann, pima_like(10, rng))
    ann.monitor()
    probabilities = ann.predict_proba(valid.X)
    targets = valid.get_onehot_targets()
    channels = ann.monitor.channels
    misclass = (probabilities.argmax(1) != targets.argmax(1)).mean()
    nll = -np.log((probabilities * targets).sum(1)).mean()
    assert channels["valid_output_misclass"].val_record == [pytest.approx(misclass)]
    assert channels["valid_output_nll"].val_record == [pytest.approx(nll)]
    assert channels["valid_objective"].val_record == [pytest.approx(nll)]
    top = probabilities.max(1)
    per_batch_max = [top[0:10].max(), top[10:20].max(), top[20:23].max()]
    expected_max = np.dot(per_batch_max, [10 / 23, 10 / 23, 3 / 23])
    assert channels["valid_output_max_max_class"].val_record == [pytest.approx(expected_max)]


def test_momentum_step_matches_numpy(rng) -> None:
    data = pima_like(27, rng)  # the last batch holds 7 examples
    ann = pima_net()
    params = [p.copy() for p in ann.get_param_values()]
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=10,
        learning_rule=Momentum(0.5),
        train_iteration_mode="sequential",
    )
    algorithm.setup(ann, data)
    algorithm.train(data)
    assert ann.monitor.get_batches_seen() == 3
    assert ann.monitor.get_examples_seen() == 27
    velocities = [np.zeros_like(p) for p in params]
    Y = data.get_onehot_targets()
    momentum_epoch(params, velocities, sigmoid_softmax_grads, data.X, Y, 10, 0.05, 0.5)
    momentum_epoch(params, velocities, sigmoid_softmax_grads, data.X, Y, 10, 0.05, 0.5)
    algorithm.train(data)
    for got, want in zip(ann.get_param_values(), params, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


def test_shuffling_is_seeded(rng) -> None:
    data = pima_like(40, rng)
    finals = []
    for seed in ([2012, 10, 5], [2012, 10, 5], [1, 2, 3]):
        ann = pima_net()
        algorithm = SGD(learning_rate=0.05, batch_size=10, seed=seed)
        algorithm.setup(ann, data)
        algorithm.train(data)
        finals.append(ann.get_param_values()[0])
    np.testing.assert_array_equal(finals[0], finals[1])
    assert not np.array_equal(finals[0], finals[2])


class IntegerDataset(Dataset):
    """A user's dataset that hands out integer arrays (not floatX)."""

    def __init__(self, X: np.ndarray, Y: np.ndarray) -> None:
        self.X, self.Y = X, Y

    def get_num_examples(self) -> int:
        return len(self.X)

    def get_design_matrix(self) -> np.ndarray:
        return self.X

    def get_onehot_targets(self) -> np.ndarray:
        return self.Y


def test_a_dataset_of_integer_arrays_trains_like_its_float_copy(rng) -> None:
    # The compiled functions trust their inputs; SGD and the monitor convert first.
    X = rng.randint(0, 2, size=(30, 8))
    Y = np.eye(2, dtype=np.int64)[X[:, 0]]
    runs = []
    for data in (IntegerDataset(X, Y), DenseDesignMatrix(X=X.astype(float), y=Y.astype(float))):
        ann = pima_net()
        algorithm = SGD(learning_rate=0.05, batch_size=10, monitoring_dataset=data)
        algorithm.setup(ann, data)
        algorithm.train(data)
        ann.monitor()
        runs.append((ann.get_param_values(), ann.monitor.latest_values()["output_nll"]))
    for ints, floats in zip(runs[0][0], runs[1][0], strict=True):
        np.testing.assert_array_equal(ints, floats)
    assert runs[0][1] == runs[1][1]


def test_xor_recipe_reaches_100_percent_in_400_epochs() -> None:
    result = xor_recipe()
    assert result.model.monitor.get_epochs_seen() == 400
    assert result.probabilities[1, 1] > 0.9
    assert result.correct == 4


def test_xor_recipe_trains_the_same_without_its_monitor() -> None:
    # The CLI's demo drops the monitor nobody sees; the weights must not notice.
    monitored = xor_recipe(epochs=20)
    unmonitored = xor_recipe(epochs=20, monitor=False)
    assert unmonitored.model.monitor.get_epochs_seen() == 20
    assert "objective" in monitored.model.monitor.channels
    assert not unmonitored.model.monitor.channels
    for left, right in zip(
        monitored.model.get_param_values(), unmonitored.model.get_param_values(), strict=True
    ):
        np.testing.assert_array_equal(left, right)


def test_progress_bar_shows_monitored_channels(rng, capsys) -> None:
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=10,
        monitoring_dataset=pima_like(10, rng),
        termination_criterion=EpochCounter(2),
    )
    train = Train(pima_like(10, rng), pima_net(), algorithm, extensions=[ProgressBar()])
    train.main_loop()
    err = capsys.readouterr().err
    assert "output_misclass=" in err
    assert "objective=" in err
    assert "2/2" in err


def test_nan_parameters_stop_training(rng) -> None:
    ann = pima_net()
    algorithm = SGD(learning_rate=0.05, batch_size=10)
    data = pima_like(10, rng)
    algorithm.setup(ann, data)
    ann.layers[0].b.set_value(np.full(20, np.nan))
    with pytest.raises(NonFiniteError, match="NaN or Inf in parameter 'hidden_b'"):
        algorithm.train(data)


def test_sgd_argument_errors() -> None:
    with pytest.raises(ValueError, match="`learning_rate` must be a positive number"):
        SGD(learning_rate=0)
    with pytest.raises(ValueError, match="`batch_size` must be a positive int"):
        SGD(learning_rate=0.1, batch_size=0)
    with pytest.raises(ValueError, match="unknown iteration mode string: no_such_mode"):
        SGD(learning_rate=0.1, train_iteration_mode="no_such_mode")
    uniform = SGD(learning_rate=0.1, batch_size=2, train_iteration_mode="random_uniform")
    uniform.setup(pima_net(), pima_like(4, np.random.RandomState(0)))
    with pytest.raises(ValueError, match="num_batches cannot be None for random uniform"):
        uniform.train(pima_like(4, np.random.RandomState(0)))
    with pytest.raises(ValueError, match="specification of the batch size"):
        SGD(learning_rate=0.1).setup(pima_net(), pima_like(3, np.random.RandomState(0)))
    with pytest.raises(RuntimeError, match=r"call SGD\.setup"):
        SGD(learning_rate=0.1, batch_size=2).train(pima_like(3, np.random.RandomState(0)))
    with pytest.raises(ValueError, match="`init_momentum` must be in \\[0, 1\\)"):
        Momentum(1.0)
    with pytest.raises(ValueError, match="`saturate` must be an int > `start`"):
        LinearDecayOverEpoch(5, 5, 0.1)
    with pytest.raises(ValueError, match="`saturate` \\(1\\) must be >= `start` \\(2\\)"):
        MomentumAdjustor(0.9, 2, 1)


def test_momentum_adjustor_needs_a_momentum_rule(rng) -> None:
    algorithm = SGD(learning_rate=0.05, batch_size=10)
    with pytest.raises(TypeError, match="learning_rule` is Momentum"):
        MomentumAdjustor(0.9, 1, 5).on_monitor(pima_net(), pima_like(3, rng), algorithm)


def test_schedule_formulas_at_the_edges() -> None:
    decay = LinearDecayOverEpoch(1, 50, 0.1)
    assert [round(decay.lr_for(k, 0.05), 10) for k in (0, 1, 49, 50, 51)] == [
        0.05,
        0.0491,
        0.0059,
        0.005,
        0.005,
    ]
    jump = MomentumAdjustor(0.9, 3, 3)
    assert [jump.current_momentum_for(k, 0.5) for k in (2, 3)] == [0.5, 0.9]


def one_sequential_epoch(ann: MLP, data: DenseDesignMatrix, **kwargs) -> None:
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=10,
        train_iteration_mode="sequential",
        theano_function_mode=FAST,
        **kwargs,
    )
    algorithm.setup(ann, data)
    algorithm.train(data)


def test_nesterov_momentum_matches_numpy(rng) -> None:
    data = pima_like(20, rng)
    ann = pima_net()
    params = [p.copy() for p in ann.get_param_values()]
    velocities = [np.zeros_like(p) for p in params]
    one_sequential_epoch(ann, data, learning_rule=Momentum(0.5, nesterov_momentum=True))
    Y = data.get_onehot_targets()
    for start in (0, 10):
        grads = sigmoid_softmax_grads(params, data.X[start : start + 10], Y[start : start + 10])
        for p, v, g in zip(params, velocities, grads, strict=True):
            v[...] = 0.5 * v - 0.05 * g
            p += 0.5 * v - 0.05 * g
    for got, want in zip(ann.get_param_values(), params, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


def test_lr_scalers_scale_the_plain_sgd_step(rng) -> None:
    data = pima_like(10, rng)
    ann = MLP(
        [
            Sigmoid(layer_name="hidden", dim=20, irange=0.05, init_bias=1.0, W_lr_scale=0.1),
            Softmax(2, "output", irange=0.05, b_lr_scale=3.0),
        ],
        nvis=8,
    )
    params = [p.copy() for p in ann.get_param_values()]
    grads = sigmoid_softmax_grads(params, data.X, data.get_onehot_targets())
    one_sequential_epoch(ann, data)
    for got, p, g, scale in zip(
        ann.get_param_values(), params, grads, (0.1, 1.0, 3.0, 1.0), strict=True
    ):
        np.testing.assert_allclose(got, p - 0.05 * scale * g, rtol=1e-10, atol=1e-13)


def test_max_col_norm_is_enforced_after_each_update(rng) -> None:
    data = pima_like(30, rng)
    ann = MLP(
        [
            Sigmoid(layer_name="hidden", dim=20, istdev=1.0, max_col_norm=0.5),
            Softmax(2, "output", irange=0.05, max_row_norm=0.2),
        ],
        nvis=8,
    )
    one_sequential_epoch(ann, data)
    hidden_W, output_W = ann.layers[0].W.get_value(), ann.layers[1].W.get_value()
    assert np.sqrt((hidden_W**2).sum(axis=0)).max() <= 0.5 + 1e-6
    assert np.sqrt((output_W**2).sum(axis=1)).max() <= 0.2 + 1e-6


def test_train_enforces_norm_constraints_before_the_epoch_0_monitor(rng) -> None:
    # pylearn2's Train.setup calls model.enforce_constraints(): the untrained model
    # that epoch 0 monitors already satisfies max_col_norm.
    ann = MLP(
        [
            Sigmoid(layer_name="hidden", dim=20, istdev=1.0, max_col_norm=0.5),
            Softmax(2, "output", irange=0.05),
        ],
        nvis=8,
    )
    initial = ann.layers[0].W.get_value()
    norms = np.sqrt((initial**2).sum(axis=0))
    assert norms.max() > 0.5
    data = pima_like(10, rng)
    algorithm = SGD(
        0.05,
        batch_size=10,
        monitoring_dataset=data,
        termination_criterion=EpochCounter(0),
        theano_function_mode=FAST,
    )
    Train(data, ann, algorithm).main_loop()
    expected = initial * np.clip(norms, 0, 0.5) / (1e-7 + norms)
    np.testing.assert_allclose(ann.layers[0].W.get_value(), expected, rtol=1e-12)
    assert ann.monitor.channels["hidden_col_norms_max"].val_record == pytest.approx([0.5])


class Stopper(TrainExtension):
    def on_monitor(self, model, dataset, algorithm) -> None:
        if model.monitor.get_epochs_seen() == 2:
            raise StopIteration


def test_an_extension_can_stop_training_and_save_freq_saves(rng, tmp_path) -> None:
    from pylearn2_recipes.utils import serial

    path = tmp_path / "model.pkl"
    algorithm = SGD(learning_rate=0.05, batch_size=10, theano_function_mode=FAST)
    train = Train(
        pima_like(10, rng),
        pima_net(),
        algorithm,
        extensions=[Stopper()],
        save_path=path,
        save_freq=1,
    )
    train.main_loop()
    assert train.model.monitor.get_epochs_seen() == 2
    np.testing.assert_array_equal(
        serial.load(path).get_param_values()[0], train.model.get_param_values()[0]
    )
    with pytest.raises(ValueError, match="`save_freq` > 0 needs a `save_path`"):
        Train(pima_like(10, rng), pima_net(), algorithm, save_freq=1)
    with pytest.raises(TypeError, match=r"`extensions\[0\]` is not a TrainExtension"):
        Train(pima_like(10, rng), pima_net(), algorithm, extensions=[object()])


def test_extensions_after_a_stopping_one_still_see_the_last_monitor(rng) -> None:
    # pylearn2 calls every on_monitor even when an earlier extension raised
    # StopIteration, and still asks the termination criterion.
    log: list[str] = []
    criterion = RecordingCriterion()
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=10,
        termination_criterion=criterion,
        theano_function_mode=FAST,
    )
    train = Train(pima_like(10, rng), pima_net(), algorithm, extensions=[Stopper(), Calls(log)])
    train.main_loop()
    assert train.model.monitor.get_epochs_seen() == 2
    assert log[-1] == "on_monitor@2"
    assert criterion.asked == [0, 1, 2]


class RecordingCriterion(EpochCounter):
    def __init__(self) -> None:
        super().__init__(100)
        self.asked: list[int] = []

    def continue_learning(self, model) -> bool:
        self.asked.append(model.monitor.get_epochs_seen())
        return super().continue_learning(model)


def test_schedules_apply_at_setup_too(rng) -> None:
    # pylearn2's setup applies the schedule once before the epoch-0 on_monitor, which
    # matters when start=0: the first epoch already trains with lr0 - 2·step.
    algorithm = RecordingSGD(
        learning_rate=0.11,
        batch_size=10,
        termination_criterion=EpochCounter(12),
        learning_rule=Momentum(0.5),
    )
    train = Train(
        pima_like(10, rng),
        pima_net(),
        algorithm,
        extensions=[LinearDecayOverEpoch(0, 10, 0.1), MomentumAdjustor(0.9, 0, 4)],
    )
    train.main_loop()
    step = 0.11 * 0.9 / 11
    lrs = [lr for lr, _ in algorithm.in_force]
    assert lrs == pytest.approx([0.11 - step * (k + 1) for k in range(1, 10)] + [0.011] * 3)
    assert [m for _, m in algorithm.in_force][:5] == pytest.approx([0.6, 0.7, 0.8, 0.9, 0.9])


def test_adadelta_follows_zeilers_rule_with_the_learning_rate_as_epsilon() -> None:
    """learning_rule.py AdaDelta: two steps on ½·Σp², whose gradient is p itself."""
    from user_extension import LinearProblem, LinearRegression, MeanSquaredError

    from pylearn2_recipes.costs.cost import SumOfCosts
    from pylearn2_recipes.testing.cost import SumOfOneHalfParamsSquared
    from pylearn2_recipes.training_algorithms.learning_rule import AdaDelta

    model = LinearRegression(nvis=3, nout=2)
    rng = np.random.RandomState(3)
    model.W.set_value(rng.randn(3, 2))
    model.b.set_value(rng.randn(2))
    # The zero-weighted data term only makes SGD read one batch per epoch.
    cost = SumOfCosts([SumOfOneHalfParamsSquared(), (0.0, MeanSquaredError())])
    data = LinearProblem(n=4)
    lr, decay = 0.01, 0.9
    sgd = SGD(
        lr, cost=cost, batch_size=4, learning_rule=AdaDelta(decay), theano_function_mode=FAST
    )
    sgd.setup(model, data)
    state = {name: [0.0, 0.0] for name in ("W", "b")}
    for _ in range(2):
        expected = {}
        for param in model.get_params():
            p = param.get_value()
            square_grad, square_step = state[param.name]
            square_grad = decay * square_grad + (1 - decay) * p**2
            step = -np.sqrt(square_step + lr) / np.sqrt(square_grad + lr) * p
            state[param.name] = [square_grad, decay * square_step + (1 - decay) * step**2]
            expected[param.name] = p + step
        sgd.train(data)
        for param in model.get_params():
            np.testing.assert_allclose(param.get_value(), expected[param.name], rtol=1e-6)
    with pytest.raises(ValueError, match=r"`decay` must be in \[0, 1\)"):
        AdaDelta(decay=1.0)
