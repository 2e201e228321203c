# ruff: noqa: E402, I001, UP008 - kept as close to the post as Python 3 allows
# The XOR post ("Neural network example using Pylearn2"), reconstructed: the post's
# code with only these changes: the two import lines below (pylearn2 alias, PyTensor
# for Theano), Python 3 print calls, and the training loop's cut-off lines restored.
import pylearn2_recipes

pylearn2_recipes.install_alias()
import pytensor as theano
from pylearn2.models import mlp
from pylearn2.training_algorithms import sgd
from pylearn2.termination_criteria import EpochCounter
from pylearn2.datasets.dense_design_matrix import DenseDesignMatrix
import numpy as np
from random import randint


class XOR(DenseDesignMatrix):
    def __init__(self):
        self.class_names = ["0", "1"]
        X = [[randint(0, 1), randint(0, 1)] for _ in range(1000)]
        y = []
        for a, b in X:
            if a + b == 1:
                y.append([0, 1])
            else:
                y.append([1, 0])
        X = np.array(X)
        y = np.array(y)
        super(XOR, self).__init__(X=X, y=y)


ds = XOR()

hidden_layer = mlp.Sigmoid(layer_name="hidden", dim=2, irange=0.1, init_bias=1.0)
output_layer = mlp.Softmax(2, "output", irange=0.1)
trainer = sgd.SGD(learning_rate=0.05, batch_size=10, termination_criterion=EpochCounter(400))
layers = [hidden_layer, output_layer]
ann = mlp.MLP(layers, nvis=2)
trainer.setup(ann, ds)
while True:
    trainer.train(dataset=ds)
    ann.monitor.report_epoch()
    ann.monitor()
    if not trainer.continue_learning(ann):
        break

inputs = np.array([[0, 1]])
print(ann.fprop(theano.shared(inputs, name="inputs")).eval())
