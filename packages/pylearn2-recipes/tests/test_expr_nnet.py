"""pylearn2's ``expr.nnet`` tracing helpers: the argument found, pylearn2's message otherwise."""

from __future__ import annotations

import pytensor.tensor as pt
import pytest
from pytensor.tensor.special import softmax as pt_softmax

from pylearn2_recipes.expr import nnet


def test_the_argument_of_each_kind_of_softmax_and_of_a_sigmoid() -> None:
    z = pt.matrix("z")
    assert nnet.arg_of_softmax(pt_softmax(z, axis=-1)) is z
    assert nnet.arg_of_softmax(nnet.softmax(z)) is z
    assert nnet.arg_of_sigmoid(pt.sigmoid(z)) is z


@pytest.mark.parametrize(
    ("trace", "kind"), [(nnet.arg_of_softmax, "softmax"), (nnet.arg_of_sigmoid, "sigmoid")]
)
def test_other_outputs_are_refused_naming_the_op_that_made_them(trace, kind) -> None:
    z = pt.matrix("z")
    with pytest.raises(ValueError, match=rf"to be the output of a {kind}, .* output of Exp"):
        trace(pt.exp(z))
    with pytest.raises(ValueError, match=rf"output of a {kind}, .* output of None of type"):
        trace(z)
    # each refuses the other's output
    other = pt.sigmoid(z) if kind == "softmax" else pt_softmax(z, axis=-1)
    with pytest.raises(ValueError, match=f"output of a {kind}"):
        trace(other)
