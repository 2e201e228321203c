"""The blog's two recipes, XOR and Pima, run through ``Train.main_loop``."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.datasets.pima import load_pima
from pylearn2_recipes.models.mlp import MLP, Sigmoid, Softmax
from pylearn2_recipes.termination_criteria import EpochCounter, MonitorBased
from pylearn2_recipes.train import Train
from pylearn2_recipes.train_extensions.best_params import MonitorBasedSaveBest
from pylearn2_recipes.train_extensions.interface import TrainExtension
from pylearn2_recipes.train_extensions.progress import ProgressBar
from pylearn2_recipes.training_algorithms.learning_rule import Momentum, MomentumAdjustor
from pylearn2_recipes.training_algorithms.sgd import SGD, LinearDecayOverEpoch
from pylearn2_recipes.utils import serial

__all__ = ["PimaResult", "XORResult", "min_max_scale", "pima_recipe", "split", "xor_recipe"]


@dataclass(frozen=True)
class XORResult:
    """Outcome of ``xor_recipe``.

    Attributes
    ----------
    model : MLP
    train : Train
    probabilities : numpy.ndarray of shape (4, 2)
        p(class | input) for the inputs (0, 0), (0, 1), (1, 0), (1, 1).
    correct : int
        How many of the four XOR cases the model gets right.
    """

    model: MLP
    train: Train
    probabilities: npt.NDArray[np.floating]
    correct: int


@dataclass(frozen=True)
class PimaResult:
    """Outcome of ``pima_recipe``: the best model's right answers per split.

    Attributes
    ----------
    model : MLP
        The best model by validation ``output_misclass`` (loaded back from disk).
    train : Train
    scores : dict of str to (int, int)
        ``{"train": (correct, total), "validation": ..., "test": ...}``.
    epochs : int
        Epochs trained before ``MonitorBased`` stopped.
    """

    model: MLP
    train: Train
    scores: dict[str, tuple[int, int]]
    epochs: int


XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def xor_recipe(
    n_examples: int = 1000,
    epochs: int = 400,
    seed: int = 0,
    progress: bool = False,
    theano_function_mode: Any = None,
    monitor: bool = True,
) -> XORResult:
    """Train the blog's XOR network: Sigmoid(2) + Softmax(2), SGD lr .05, batch 10.

    Parameters
    ----------
    n_examples : int, default=1000
        Random XOR examples (the blog used 1000).
    epochs : int, default=400
    seed : int, default=0
        Seed of the example generator.
    progress : bool, default=False
        Show a per-epoch progress bar.
    theano_function_mode : str or pytensor Mode, optional
        Passed to ``SGD``.
    monitor : bool, default=True
        Monitor the training set after every epoch (channels for the progress bar and
        plots). Training is the same without; the CLI's demo turns it off when it shows
        neither, which saves compiling the monitoring function on a first run.

    Examples
    --------
    >>> result = xor_recipe()
    >>> result.correct
    4
    """
    rng = np.random.RandomState(seed)
    X = rng.randint(0, 2, size=(n_examples, 2))
    labels = (X.sum(axis=1) == 1).astype(np.int64)
    dataset = DenseDesignMatrix(X=X, y=np.eye(2)[labels])
    hidden = Sigmoid(layer_name="hidden", dim=2, irange=0.1, init_bias=1.0)
    output = Softmax(2, "output", irange=0.1)
    model = MLP([hidden, output], nvis=2)
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=10,
        termination_criterion=EpochCounter(epochs),
        # Not in the blog: monitoring the training set (in one batch) gives the progress
        # bar and plot_channels something to show; it does not change training.
        monitoring_dataset=dataset if monitor or progress else None,
        monitoring_batch_size=n_examples if monitor or progress else None,
        theano_function_mode=theano_function_mode,
    )
    extensions: list[TrainExtension] = [ProgressBar(total=epochs)] if progress else []
    train = Train(dataset, model, algorithm, extensions=extensions)
    train.main_loop()
    probabilities = model.predict_proba(XOR_INPUTS)
    truth = np.array([0, 1, 1, 0])
    correct = int((probabilities.argmax(axis=1) == truth).sum())
    return XORResult(model, train, probabilities, correct)


def min_max_scale(X: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Scale each column to [0, 1] (constant columns become 0).

    Examples
    --------
    >>> min_max_scale([[1, 5], [3, 5]]).tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    """
    array = np.asarray(X, dtype=np.float64)
    low = array.min(axis=0)
    span = array.max(axis=0) - low
    scaled: npt.NDArray[np.float64] = (array - low) / np.where(span == 0, 1.0, span)
    return scaled


def split(
    X: npt.NDArray[Any], y: npt.NDArray[Any], prop: float
) -> tuple[tuple[npt.NDArray[Any], npt.NDArray[Any]], tuple[npt.NDArray[Any], npt.NDArray[Any]]]:
    """The blog's split: the first ``int(n · prop)`` rows, then the rest (no shuffling).

    Examples
    --------
    >>> (a, _), (b, _) = split(np.arange(10), np.arange(10), 0.7)
    >>> len(a), len(b)
    (7, 3)
    """
    cutoff = int(len(y) * prop)
    return (X[:cutoff], y[:cutoff]), (X[cutoff:], y[cutoff:])


def pima_recipe(
    data: str | os.PathLike[str] | None = None,
    save_path: str | os.PathLike[str] | None = None,
    progress: bool = False,
    theano_function_mode: Any = None,
) -> PimaResult:
    """Train the blog's Pima network and score the best model on each split.

    Min-max scaled features; splits 0.7 / 0.7 of the rest (537 / 161 / 70 rows);
    Sigmoid(20, irange .05, init_bias 1) + Softmax(2, irange .05); SGD lr .05, batch
    10, validation monitoring; Momentum .5 → .99 over epochs 1–50;
    LinearDecayOverEpoch(1, 50, .1); MonitorBased on ``output_misclass`` with N=50,
    prop_decrease=0; MonitorBasedSaveBest, then the best model is loaded back.

    Parameters
    ----------
    data : str or os.PathLike, optional
        Pima CSV (UCI layout); default: the ``faraway`` package's copy.
    save_path : str or os.PathLike, optional
        Where MonitorBasedSaveBest writes; default: a temporary file, removed after.
    progress : bool, default=False
    theano_function_mode : str or pytensor Mode, optional
        Passed to ``SGD``.

    Examples
    --------
    With the ``[data]`` extra installed (``pip install 'pylearn2-recipes[data]'``)::

        result = pima_recipe()
        result.scores["test"]  # (55, 70) on this machine
    """
    X, labels = load_pima(data)
    X = min_max_scale(X)
    y = np.eye(2)[labels]
    (X_train, y_train), (X_rest, y_rest) = split(X, y, 0.7)
    (X_valid, y_valid), (X_test, y_test) = split(X_rest, y_rest, 0.7)
    ds_train = DenseDesignMatrix(X=X_train, y=y_train)
    ds_valid = DenseDesignMatrix(X=X_valid, y=y_valid)
    ds_test = DenseDesignMatrix(X=X_test, y=y_test)
    hidden = Sigmoid(layer_name="hidden", dim=20, irange=0.05, init_bias=1.0)
    output = Softmax(2, "output", irange=0.05)
    model = MLP([hidden, output], nvis=X.shape[1])
    criterion = MonitorBased(channel_name="output_misclass", N=50, prop_decrease=0.0)
    algorithm = SGD(
        learning_rate=0.05,
        batch_size=10,
        monitoring_dataset=ds_valid,
        termination_criterion=criterion,
        learning_rule=Momentum(0.5),
        theano_function_mode=theano_function_mode,
    )
    with tempfile.TemporaryDirectory() as scratch:
        path = os.fspath(save_path) if save_path else os.path.join(scratch, "best.pkl")
        extensions: list[TrainExtension] = [
            MonitorBasedSaveBest("output_misclass", save_path=path),
            MomentumAdjustor(0.99, 1, 50),
            LinearDecayOverEpoch(1, 50, 0.1),
        ]
        if progress:
            extensions.append(ProgressBar(channels=["output_misclass", "objective"]))
        train = Train(ds_train, model, algorithm, extensions=extensions)
        train.main_loop()
        best: MLP = serial.load(path)
    scores = {
        name: (_correct(best, dataset), dataset.get_num_examples())
        for name, dataset in (("train", ds_train), ("validation", ds_valid), ("test", ds_test))
    }
    return PimaResult(best, train, scores, model.monitor.get_epochs_seen())


def _correct(model: MLP, dataset: DenseDesignMatrix) -> int:
    targets = dataset.get_onehot_targets()
    assert targets is not None
    predicted = model.predict_proba(dataset.get_design_matrix()).argmax(axis=1)
    return int((predicted == targets.argmax(axis=1)).sum())
