from __future__ import annotations

import numpy as np
import pytest
from conftest import FAST
from oracle import cost as oracle_cost
from oracle import finite_difference

from pylearn2_recipes._backend import pt, pytensor
from pylearn2_recipes.costs import Default, SumOfCosts, WeightDecay
from pylearn2_recipes.models.mlp import MLP, Linear, RectifiedLinear, Sigmoid, Softmax, Tanh


def blog_xor_mlp(seed=None) -> MLP:
    return MLP(
        [
            Sigmoid(layer_name="hidden", dim=2, irange=0.1, init_bias=1.0),
            Softmax(2, "output", irange=0.1),
        ],
        nvis=2,
        seed=seed,
    )


def test_init_draws_like_pylearn2() -> None:
    ann = MLP(
        [
            Sigmoid(layer_name="hidden", dim=20, irange=0.05, init_bias=1.0),
            Softmax(2, "output", irange=0.05),
        ],
        nvis=8,
    )
    rng = np.random.RandomState([2013, 1, 4])
    W1 = rng.uniform(-0.05, 0.05, (8, 20)) * (rng.uniform(0.0, 1.0, (8, 20)) < 1.0)
    W2 = rng.uniform(-0.05, 0.05, (20, 2))
    hidden, output = ann.layers
    np.testing.assert_array_equal(hidden.W.get_value(), W1)
    np.testing.assert_array_equal(hidden.b.get_value(), np.ones(20))
    np.testing.assert_array_equal(output.W.get_value(), W2)
    np.testing.assert_array_equal(output.b.get_value(), np.zeros(2))
    assert [p.name for p in ann.get_params()] == ["hidden_W", "hidden_b", "softmax_b", "softmax_W"]


def test_same_seed_same_weights_other_seed_differs() -> None:
    a, b, c = blog_xor_mlp(), blog_xor_mlp(), blog_xor_mlp(seed=7)
    np.testing.assert_array_equal(a.layers[0].W.get_value(), b.layers[0].W.get_value())
    assert not np.array_equal(a.layers[0].W.get_value(), c.layers[0].W.get_value())


def test_sparse_init_sets_k_weights_per_unit() -> None:
    layer = Linear(dim=5, layer_name="h", sparse_init=3, sparse_stdev=0.5)
    MLP([layer, Softmax(2, "y", istdev=0.1)], nvis=10)
    assert ((layer.W.get_value() != 0).sum(axis=0) == 3).all()


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"irange": 0.1, "istdev": 0.1}, {"irange": 0.1, "sparse_init": 2}],
)
def test_exactly_one_init_is_required(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="exactly one of `irange`, `istdev`, `sparse_init`"):
        Sigmoid(layer_name="h", dim=2, **kwargs)
    with pytest.raises(ValueError, match="exactly one of"):
        Softmax(2, "y", **kwargs)


def test_softmax_has_no_init_bias() -> None:
    with pytest.raises(TypeError, match="init_bias"):
        Softmax(2, "output", irange=0.1, init_bias=1.0)  # type: ignore[call-arg]


def test_sparse_init_larger_than_input_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds the input dimension"):
        MLP([Softmax(2, "y", sparse_init=5)], nvis=3)


def test_mlp_argument_errors_name_the_key() -> None:
    with pytest.raises(ValueError, match="`nvis` must be a positive int"):
        MLP([Softmax(2, "y", irange=0.1)], nvis=0)
    with pytest.raises(ValueError, match="repeats the layer name 'y'"):
        MLP([Sigmoid(layer_name="y", dim=2, irange=0.1), Softmax(2, "y", irange=0.1)], nvis=2)
    with pytest.raises(ValueError, match="`layers` must be a non-empty list"):
        MLP([], nvis=2)
    with pytest.raises(ValueError, match="`dim` must be a positive int"):
        Tanh(dim=0, layer_name="h", irange=0.1)


def test_fprop_of_a_shared_input_evaluates_and_tracks_changes() -> None:
    ann = blog_xor_mlp()
    shared = pytensor.shared(np.array([[0, 1]]), name="inputs")
    out = ann.fprop(shared)
    np.testing.assert_allclose(out.eval(), ann.predict_proba([[0, 1]]))
    shared.set_value(np.array([[1, 1]]))
    np.testing.assert_allclose(out.eval(), ann.predict_proba([[1, 1]]))
    assert out.eval().sum() == pytest.approx(1.0)


def test_fprop_eval_of_a_shared_input_matches_the_graph_after_training() -> None:
    # The shortcut behind `.eval()` must give what compiling the returned graph gives,
    # also after SGD steps have changed the parameters (no stale result).
    from pylearn2_recipes.datasets import DenseDesignMatrix
    from pylearn2_recipes.training_algorithms import SGD

    ann = blog_xor_mlp()
    shared = pytensor.shared(np.array([[0, 1], [1, 1]]), name="inputs")
    out = ann.fprop(shared)
    before = out.eval()
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 5)
    dataset = DenseDesignMatrix(X=X, y=(X.sum(axis=1) == 1).astype(int), y_labels=2)
    algorithm = SGD(0.5, batch_size=4, theano_function_mode=FAST)
    algorithm.setup(ann, dataset)
    for _ in range(5):
        algorithm.train(dataset)
    after = out.eval()
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, pytensor.function([], out, mode=FAST)())
    out._fn_cache.clear()  # as if PyTensor ignored the pre-filled cache
    np.testing.assert_allclose(out.eval(mode=FAST), after)


def test_fprop_eval_of_a_shared_vector_is_the_graphs_value() -> None:
    ann = blog_xor_mlp()
    out = ann.fprop(pytensor.shared(np.array([0.0, 1.0])))
    np.testing.assert_allclose(out.eval(), ann.predict_proba([[0, 1]])[0])


def test_fprop_survives_a_pytensor_that_refuses_the_eval_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ann = blog_xor_mlp()
    variable_type = type(ann.fprop(pt.matrix("x")))
    original = variable_type.__setattr__

    def refuse_cache(self: object, name: str, value: object) -> None:
        if name == "_fn_cache":
            raise AttributeError(name)
        original(self, name, value)

    monkeypatch.setattr(variable_type, "__setattr__", refuse_cache)
    out = ann.fprop(pytensor.shared(np.array([[0.0, 1.0]])))
    monkeypatch.undo()
    np.testing.assert_allclose(
        pytensor.function([], out, mode=FAST)(), ann.predict_proba([[0, 1]])
    )


def test_fprop_is_symbolic_on_variables() -> None:
    ann = blog_xor_mlp()
    x = pt.matrix("x")
    f = pytensor.function([x], ann.fprop(x), mode=FAST)
    np.testing.assert_allclose(
        f(np.array([[0.0, 1.0], [1.0, 1.0]])), ann.predict_proba([[0, 1], [1, 1]])
    )


def test_predict_proba_checks_the_width() -> None:
    with pytest.raises(ValueError, match=r"input must have shape \(n, 2\)"):
        blog_xor_mlp().predict_proba(np.zeros((1, 3)))


LAYER_STACKS = [
    ("Sigmoid", "Softmax"),
    ("Tanh", "Softmax"),
    ("RectifiedLinear", "Softmax"),
    ("Tanh", "Linear"),
    ("Tanh", "Sigmoid"),
]


def _build(kinds: tuple[str, str], nvis: int) -> MLP:
    hidden = {"Sigmoid": Sigmoid, "Tanh": Tanh, "RectifiedLinear": RectifiedLinear}[kinds[0]](
        layer_name="h0", dim=4, istdev=0.5, init_bias=0.1
    )
    out = (
        Softmax(3, "y", istdev=0.5)
        if kinds[1] == "Softmax"
        else {"Linear": Linear, "Sigmoid": Sigmoid}[kinds[1]](dim=3, layer_name="y", istdev=0.5)
    )
    return MLP([hidden, out], nvis=nvis, seed=3)


@pytest.mark.parametrize("kinds", LAYER_STACKS, ids="+".join)
def test_gradients_match_numpy_finite_differences(kinds: tuple[str, str], rng) -> None:
    ann = _build(kinds, nvis=3)
    X = rng.randn(6, 3)
    Y = np.eye(3)[rng.randint(0, 3, 6)]
    if kinds[1] != "Softmax":
        Y = rng.uniform(0.1, 0.9, (6, 3)) if kinds[1] == "Sigmoid" else rng.randn(6, 3)
    x, y = pt.matrix("x"), pt.matrix("y")
    cost = Default()
    grads, _ = cost.get_gradients(ann, (x, y))
    params = ann.get_params()
    f = pytensor.function([x, y], [cost.expr(ann, (x, y)), *[grads[p] for p in params]], mode=FAST)
    value, *symbolic = f(X, Y)
    values = {p.name: p.get_value() for p in params}
    pairs = [(values[layer.W.name], values[layer.b.name]) for layer in ann.layers]

    def numeric_cost() -> float:
        return oracle_cost(kinds, pairs, X, Y)

    assert value == pytest.approx(numeric_cost(), rel=1e-10)
    for param, grad in zip(params, symbolic, strict=True):
        expected = finite_difference(numeric_cost, values[param.name])
        np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-8, err_msg=param.name)


def test_weight_decay_adds_coeff_times_squared_weights(rng) -> None:
    ann = _build(("Tanh", "Softmax"), nvis=3)
    x, y = pt.matrix("x"), pt.matrix("y")
    total = SumOfCosts([Default(), [2.0, WeightDecay([0.1, 0.01])]])
    f = pytensor.function(
        [x, y], [total.expr(ann, (x, y)), Default().expr(ann, (x, y))], mode=FAST
    )
    X, Y = rng.randn(5, 3), np.eye(3)[rng.randint(0, 3, 5)]
    with_decay, plain = f(X, Y)
    W0, W1 = ann.layers[0].W.get_value(), ann.layers[1].W.get_value()
    assert with_decay - plain == pytest.approx(2.0 * (0.1 * (W0**2).sum() + 0.01 * (W1**2).sum()))
    with pytest.raises(ValueError, match="has 1 `coeffs` but the model has 2 layers"):
        WeightDecay([0.1]).expr(ann, None)


def test_hidden_only_layer_refuses_to_be_the_output() -> None:
    ann = MLP([RectifiedLinear(layer_name="r", dim=2, irange=0.1)], nvis=2)
    with pytest.raises(TypeError, match="'r' \\(RectifiedLinear\\) has no cost"):
        Default().expr(ann, (pt.matrix("x"), pt.matrix("y")))
