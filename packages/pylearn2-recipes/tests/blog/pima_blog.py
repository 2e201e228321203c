# ruff: noqa: E402, UP008, UP031 - kept as close to the post as Python 3 allows
# The Pima post ("Neural Networks using Pylearn2 - termination criteria, momentum and
# learning rate adjustment"), reconstructed: the post's code with only these changes:
# the import lines (pylearn2 alias, PyTensor for Theano), Python 3 (print calls,
# list(map(...)), zip_longest), `nr_inputs()` called (the post reads the bound method
# as a number), the cut-off lines restored, and the two paths taken from the
# environment so a test can point them at its temporary directory, and `classify`
# reshapes with `inp.reshape(...)` (NumPy 2.5 deprecates assigning `inp.shape`). `scaler` is not
# shown in the post; a min-max scaler stands in for scikit-learn's.
import pylearn2_recipes

pylearn2_recipes.install_alias()
import itertools
import os

import numpy as np
import pytensor as theano
from pylearn2.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2.models import mlp
from pylearn2.termination_criteria import MonitorBased
from pylearn2.train_extensions import best_params
from pylearn2.training_algorithms import learning_rule, sgd
from pylearn2.utils import serial

PIMA_DATASET = os.environ["PIMA_DATASET"]
BEST_PATH = os.environ.get("PIMA_BEST_PATH", "/tmp/best.pkl")


class MinMaxScaler:
    def fit_transform(self, X):
        low, high = X.min(axis=0), X.max(axis=0)
        return (X - low) / (high - low)


scaler = MinMaxScaler()


class Pima(DenseDesignMatrix):
    def __init__(self, X=None, y=None):
        X = X
        y = y
        if X is None:
            X = []
            y = []
            with open(PIMA_DATASET) as f:
                for line in f:
                    features, label = line.rsplit(",", 1)
                    X.append(list(map(float, features.split(","))))
                    if int(label) == 0:
                        y.append([1, 0])
                    else:
                        y.append([0, 1])
            X = np.asarray(X)
            X = scaler.fit_transform(X)
            y = np.asarray(y)
        super(Pima, self).__init__(X=X, y=y)

    def nr_inputs(self):
        return len(self.X[0])

    def split(self, prop=0.8):
        cutoff = int(len(self.y) * prop)
        X1, X2 = self.X[:cutoff], self.X[cutoff:]
        y1, y2 = self.y[:cutoff], self.y[cutoff:]
        return Pima(X1, y1), Pima(X2, y2)

    def __len__(self):
        return self.X.shape[0]

    def __iter__(self):
        return itertools.zip_longest(self.X, self.y)


ds_train = Pima()
ds_train, ds_valid = ds_train.split(0.7)
ds_valid, ds_test = ds_valid.split(0.7)
hidden_layer = mlp.Sigmoid(layer_name="hidden", dim=20, irange=0.05, init_bias=1.0)
output_layer = mlp.Softmax(2, "output", irange=0.05)

termination_criterion = MonitorBased(channel_name="output_misclass", N=50, prop_decrease=0.0)

initial_momentum = 0.5
final_momentum = 0.99
start = 1
saturate = 50
momentum_adjustor = learning_rule.MomentumAdjustor(final_momentum, start, saturate)
momentum_rule = learning_rule.Momentum(initial_momentum)

start = 1
saturate = 50
decay_factor = 0.1
learning_rate_adjustor = sgd.LinearDecayOverEpoch(start, saturate, decay_factor)

layers = [hidden_layer, output_layer]
ann = mlp.MLP(layers, nvis=ds_train.nr_inputs())

trainer = sgd.SGD(
    learning_rate=0.05,
    batch_size=10,
    monitoring_dataset=ds_valid,
    termination_criterion=termination_criterion,
    learning_rule=momentum_rule,
)
trainer.setup(ann, ds_train)

monitor_save_best = best_params.MonitorBasedSaveBest("output_misclass", BEST_PATH)

while True:
    trainer.train(dataset=ds_train)
    ann.monitor.report_epoch()
    ann.monitor()
    monitor_save_best.on_monitor(ann, ds_valid, trainer)
    if not trainer.continue_learning(ann):
        break
    momentum_adjustor.on_monitor(ann, ds_valid, trainer)
    learning_rate_adjustor.on_monitor(ann, ds_valid, trainer)

ann = serial.load(BEST_PATH)


def classify(inp):
    inp = np.asarray(inp)
    inp = inp.reshape((1, ds_train.nr_inputs()))
    return np.argmax(ann.fprop(theano.shared(inp, name="inputs")).eval())


def score(dataset):
    nr_correct = 0
    for features, label in dataset:
        if classify(features) == np.argmax(label):
            nr_correct += 1
    print("%s/%s correct" % (nr_correct, len(dataset)))


print("Accuracy of train set:")
score(ds_train)
print("Accuracy of validation set:")
score(ds_valid)
print("Accuracy of test set:")
score(ds_test)
