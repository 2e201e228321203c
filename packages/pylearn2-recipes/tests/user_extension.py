"""A user's own model, costs and dataset, written against pylearn2's extension API.

Test peer of ``test_extension_api.py``: nothing here is this package's code. It is what
a pylearn2 user wrote for pylearn2 (importing ``pylearn2.*`` through
``install_alias()``, PyTensor in place of Theano), so that the package's ``SGD``,
``Train``, ``Monitor`` and YAML loader are checked against code they did not shape.
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as T

import pylearn2_recipes

pylearn2_recipes.install_alias()

from pylearn2.compat import OrderedDict  # noqa: E402 - after the alias, as in a ported script
from pylearn2.costs.cost import Cost, DefaultDataSpecsMixin  # noqa: E402
from pylearn2.datasets.dense_design_matrix import DenseDesignMatrix  # noqa: E402
from pylearn2.models.model import Model  # noqa: E402
from pylearn2.space import VectorSpace  # noqa: E402
from pylearn2.utils import sharedX  # noqa: E402

TRUE_W = np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]])
TRUE_B = np.array([0.5, -0.25])


class LinearProblem(DenseDesignMatrix):
    """``y = X·TRUE_W + TRUE_B`` for ``n`` standard-normal rows (a regression dataset)."""

    def __init__(self, n=200, seed=0):
        X = np.random.RandomState(seed).randn(n, 3)
        super().__init__(X=X, y=X.dot(TRUE_W) + TRUE_B)


class LinearRegression(Model):
    """``fprop(X) = X·W + b``; columns of ``W`` held to ``max_col_norm`` by ``_modify_updates``."""

    def __init__(self, nvis, nout, max_col_norm=None):
        super().__init__()
        self.input_space = VectorSpace(nvis)
        self.output_space = VectorSpace(nout)
        self.max_col_norm = max_col_norm
        self.W = sharedX(np.zeros((nvis, nout)), name="W")
        self.b = sharedX(np.zeros(nout), name="b")
        self._params = [self.W, self.b]

    def fprop(self, state_below):
        return T.dot(state_below, self.W) + self.b

    def get_default_cost(self):
        return MeanSquaredError()

    def get_monitoring_data_specs(self):
        return (self.get_input_space(), self.get_input_source())

    def get_monitoring_channels(self, data):
        self.get_monitoring_data_specs()[0].validate(data)
        return OrderedDict(
            [("W_norm", T.sqrt(T.sqr(self.W).sum())), ("mean_output", self.fprop(data).mean())]
        )

    def _modify_updates(self, updates):
        if self.max_col_norm is not None and self.W in updates:
            W = updates[self.W]
            norms = T.sqrt(T.sqr(W).sum(axis=0))
            desired = T.clip(norms, 0, self.max_col_norm)
            updates[self.W] = W * (desired / (1e-7 + norms))

    # What MethodCost("weight_penalty") calls: a cost the model computes itself.
    def weight_penalty(self, data):
        return T.sqr(self.W).sum()

    def weight_penalty_data_specs(self):
        return (self.get_input_space(), self.get_input_source())


class NonNegativeBias(LinearRegression):
    """Constrains through ``censor_updates``, the name older pylearn2 models override."""

    def censor_updates(self, updates):
        if self.b in updates:
            updates[self.b] = T.maximum(updates[self.b], 0.0)


class MeanSquaredError(DefaultDataSpecsMixin, Cost):
    """Mean over examples of the squared error summed over outputs (supervised)."""

    supervised = True

    def expr(self, model, data, **kwargs):
        self.get_data_specs(model)[0].validate(data)
        X, Y = data
        return T.sqr(model.fprop(X) - Y).sum(axis=1).mean()

    def get_monitoring_channels(self, model, data, **kwargs):
        X, Y = data
        return OrderedDict([("mae", abs(model.fprop(X) - Y).mean())])


class OutputEnergy(DefaultDataSpecsMixin, Cost):
    """Mean squared output: an unsupervised cost, reading the features only."""

    def expr(self, model, data, **kwargs):
        self.get_data_specs(model)[0].validate(data)
        return T.sqr(model.fprop(data)).mean()
