"""A small ``theano`` for pylearn2's own test code, backed by PyTensor (test data only).

pylearn2's unit tests import Theano, which no longer builds; these names point at
PyTensor, its maintained successor. Only the test code imports this package: the code
under test is pylearn2_recipes (through ``install_alias()``), which uses PyTensor
directly. It also restores the NumPy 1.x names the tests use.
"""

import builtins
import functools
import io
import pickle
import sys
import types

import numpy as np
import pytensor
import pytensor.compile
import pytensor.gradient
import pytensor.printing
import pytensor.scalar
import pytensor.sparse
import pytensor.tensor
from pytensor import config, function, grad, shared
from pytensor.graph import basic
from pytensor.sparse.variable import SparseVariable

__all__ = ["config", "function", "grad", "shared"]


class _TensorModule(types.ModuleType):
    """``theano.tensor``: PyTensor's tensor module plus Theano's names it dropped."""

    def __getattr__(self, name):
        return getattr(pytensor.tensor, name)


tensor = _TensorModule("theano.tensor")
nnet = types.ModuleType("theano.tensor.nnet")
nnet.softmax = lambda x: pytensor.tensor.special.softmax(x, axis=-1)
nnet.sigmoid = pytensor.tensor.sigmoid
nnet.softplus = pytensor.tensor.softplus
nnet.relu = lambda x, alpha=0: pytensor.tensor.switch(x > 0, x, alpha * x)
tensor.nnet = nnet
tensor.TensorType = pytensor.tensor.TensorType
scalar = pytensor.scalar
compile = pytensor.compile
printing = pytensor.printing
gradient = pytensor.gradient


def _typed(kind, dtype):
    def make(name=None):
        return getattr(tensor, kind)(name=name, dtype=dtype)

    return make


# Theano's short constructor names that PyTensor dropped.
for _name, _dtype in (
    ("lmatrix", "int64"),
    ("lvector", "int64"),
    ("lrow", "int64"),
    ("imatrix", "int32"),
    ("ivector", "int32"),
    ("fmatrix", "float32"),
):
    if not hasattr(pytensor.tensor, _name):
        setattr(tensor, _name, _typed(_name[1:], _dtype))

gof = types.ModuleType("theano.gof")
gof.Variable = basic.Variable
gof.Apply = basic.Apply

sparse = types.ModuleType("theano.sparse")
sparse.__dict__.update({k: v for k, v in vars(pytensor.sparse).items() if k[:2] != "__"})


class _SparseTypeMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, pytensor.sparse.SparseTensorType)


class SparseType(metaclass=_SparseTypeMeta):
    """Theano's name for PyTensor's SparseTensorType, with the dtypes it supports."""

    dtype_set = frozenset(pytensor.sparse.SparseTensorType.dtype_specs_map)


sparse.SparseType = SparseType
sparse.SparseVariable = SparseVariable
sparse.enable_sparse = True

# theano.compat.six: the Python 2/3 helpers the tests import.
moves = types.ModuleType("theano.compat.six.moves")
moves.__dict__.update(
    xrange=range,
    zip=zip,
    map=map,
    range=range,
    reduce=functools.reduce,
    cPickle=pickle,
    cStringIO=io.StringIO,
    input=builtins.input,
)
six = types.ModuleType("theano.compat.six")
six.__dict__.update(
    moves=moves,
    string_types=(str,),
    integer_types=(int,),
    iteritems=lambda d: iter(d.items()),
    itervalues=lambda d: iter(d.values()),
    next=next,
    StringIO=io.StringIO,
    PY3=True,
)
compat = types.ModuleType("theano.compat")
compat.six = six
compat.exc_message = lambda e: e.args[0] if e.args else ""

sandbox = types.ModuleType("theano.sandbox")
cuda = types.ModuleType("theano.sandbox.cuda")
cuda.cuda_available = False
cuda_dnn = types.ModuleType("theano.sandbox.cuda.dnn")
cuda_dnn.dnn_available = lambda: False
cuda.dnn = cuda_dnn
sandbox.cuda = cuda

sys.modules.update(
    {
        "theano.tensor.nnet": nnet,
        "theano.sandbox": sandbox,
        "theano.sandbox.cuda": cuda,
        "theano.sandbox.cuda.dnn": cuda_dnn,
        "theano.gof": gof,
        "theano.sparse": sparse,
        "theano.compat": compat,
        "theano.compat.six": six,
        "theano.compat.six.moves": moves,
        "theano.tensor": tensor,
        "theano.scalar": scalar,
        "theano.compile": compile,
        "theano.printing": printing,
        "theano.gradient": gradient,
    }
)

# NumPy 1.x names pylearn2's tests use that NumPy 2 removed.
if not hasattr(np, "ComplexWarning"):
    np.ComplexWarning = np.exceptions.ComplexWarning
