"""Autoencoders, corruption, reconstruction cost, TransformerDataset and PretrainedLayer.

Expected values follow pylearn2's source (models/autoencoder.py, corruption.py,
costs/autoencoder.py, datasets/transformer_dataset.py, models/mlp.py PretrainedLayer):
the draw order of the initial weights, the formulas, the parameter lists.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import ModelFileError
from pylearn2_recipes._backend import pt, pytensor
from pylearn2_recipes.corruption import BinomialCorruptor
from pylearn2_recipes.costs.autoencoder import MeanSquaredReconstructionError
from pylearn2_recipes.datasets.dense_design_matrix import DenseDesignMatrix
from pylearn2_recipes.datasets.transformer_dataset import TransformerDataset
from pylearn2_recipes.models.autoencoder import Autoencoder, DenoisingAutoencoder
from pylearn2_recipes.models.mlp import MLP, PretrainedLayer, Softmax
from pylearn2_recipes.utils import serial

FAST = "FAST_COMPILE"


def evaluate(output: object, X: np.ndarray) -> np.ndarray:
    x = pt.matrix()
    graph = output(x)  # type: ignore[operator]
    result: np.ndarray = pytensor.function([x], graph, mode=FAST)(X)
    return result


def test_initial_parameters_follow_pylearn2s_draws() -> None:
    ae = Autoencoder(nvis=5, nhid=3, act_enc="sigmoid", act_dec=None, irange=0.05)
    rng = np.random.RandomState(9001)
    W = rng.uniform(-0.05, 0.05, (5, 3))
    rng.randint(2**30)
    W_prime = (0.5 - rng.rand(3, 5)) * 0.05
    vb, hb, W_got, W_prime_got = ae.get_param_values()
    np.testing.assert_allclose(W_got, W)
    np.testing.assert_allclose(W_prime_got, W_prime)
    assert not vb.any()
    assert not hb.any()
    tied = Autoencoder(nvis=5, nhid=3, act_enc="tanh", act_dec="sigmoid", tied_weights=True)
    assert [p.name for p in tied.get_params()] == ["vb", "hb", "W"]


def test_encode_decode_and_reconstruct_are_pylearn2s_formulas() -> None:
    ae = Autoencoder(nvis=4, nhid=3, act_enc="tanh", act_dec="sigmoid", irange=0.5)
    vb, hb, W, W_prime = ae.get_param_values()
    X = np.random.RandomState(1).randn(6, 4)
    h = np.tanh(X @ W + hb)
    np.testing.assert_allclose(evaluate(ae.encode, X), h, rtol=1e-10)
    np.testing.assert_allclose(ae.perform(X), h, rtol=1e-10)
    expected = 1 / (1 + np.exp(-(h @ W_prime + vb)))
    np.testing.assert_allclose(evaluate(ae.reconstruct, X), expected, rtol=1e-10)
    cost = MeanSquaredReconstructionError()
    value = evaluate(lambda x: cost.expr(ae, x), X)
    assert value == pytest.approx(((expected - X) ** 2).sum(axis=1).mean())


def test_binomial_corruptor_zeroes_inputs_with_the_corruption_level() -> None:
    X = np.ones((200, 50))
    out = evaluate(BinomialCorruptor(corruption_level=0.3), X)
    assert set(np.unique(out)) <= {0.0, 1.0}
    assert (out == 0).mean() == pytest.approx(0.3, abs=0.02)
    dae = DenoisingAutoencoder(
        BinomialCorruptor(1.0), nvis=50, nhid=2, act_enc=None, act_dec=None, irange=0.1
    )
    vb = dae.get_param_values()[0]
    # everything dropped: the reconstruction is the decoder of the hidden biases only
    np.testing.assert_allclose(evaluate(dae.reconstruct, X), np.broadcast_to(vb, X.shape))
    np.testing.assert_allclose(evaluate(dae.encode, X[:2]), dae.perform(X[:2]))


def test_autoencoders_round_trip_through_model_files(tmp_path: Path) -> None:
    dae = DenoisingAutoencoder(
        BinomialCorruptor(0.2, rng=7), nvis=4, nhid=3, act_enc="tanh", act_dec=None
    )
    serial.save(tmp_path / "dae.pkl", dae)
    loaded = serial.load(tmp_path / "dae.pkl")
    assert isinstance(loaded, DenoisingAutoencoder)
    assert loaded.corruptor.corruption_level == 0.2
    assert loaded.corruptor.rng == 7
    for a, b in zip(loaded.get_param_values(), dae.get_param_values(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_transformer_dataset_holds_the_codes_and_the_targets() -> None:
    X = np.random.RandomState(2).randn(7, 4)
    raw = DenseDesignMatrix(X=X, y=np.arange(7) % 2, y_labels=2)
    ae = Autoencoder(4, 3, "sigmoid", None, irange=0.3)
    codes = TransformerDataset(raw, ae)
    np.testing.assert_allclose(codes.get_design_matrix(), ae.perform(X))
    assert codes.y is not None
    np.testing.assert_array_equal(codes.y, raw.y)
    with pytest.raises(ValueError, match="perform"):
        TransformerDataset(raw, object())


def test_pretrained_layer_is_the_encoder_inside_an_mlp(tmp_path: Path) -> None:
    ae = Autoencoder(4, 3, "tanh", None, irange=0.3)
    model = MLP([PretrainedLayer("h1", ae), Softmax(2, "y", irange=0.1)], nvis=4)
    assert model.get_params()[:4] == ae.get_params()  # all of them, as pylearn2's
    X = np.random.RandomState(3).randn(5, 4)
    h = ae.perform(X)
    b, W = model.layers[1].get_params()
    z = h @ W.get_value() + b.get_value()
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-6)
    serial.save(tmp_path / "mlp.pkl", model)
    loaded = serial.load(tmp_path / "mlp.pkl")
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="takes 4 inputs but the layer below gives 5"):
        MLP([PretrainedLayer("h1", ae), Softmax(2, "y", irange=0.1)], nvis=5)


def test_a_crafted_autoencoder_file_cannot_allocate_past_the_budget(tmp_path: Path) -> None:
    ae = Autoencoder(4, 3, "tanh", None)
    serial.save(tmp_path / "ae.pkl", ae)
    with zipfile.ZipFile(tmp_path / "ae.pkl") as archive:
        arrays = {
            name.removesuffix(".npy"): np.lib.format.read_array(archive.open(name))
            for name in archive.namelist()
        }
    header = json.loads(str(arrays["__model__"]))
    header["architecture"]["nvis"] = 10**6
    header["architecture"]["nhid"] = 10**6
    arrays["__model__"] = np.array(json.dumps(header))
    np.savez(tmp_path / "big.npz", **arrays)
    with pytest.raises(ModelFileError, match="over the limit"):
        serial.load(tmp_path / "big.npz")
    # the same inside a PretrainedLayer of an MLP
    model = MLP([PretrainedLayer("h1", ae), Softmax(2, "y", irange=0.1)], nvis=4)
    serial.save(tmp_path / "mlp.pkl", model)
    with zipfile.ZipFile(tmp_path / "mlp.pkl") as archive:
        arrays = {
            name.removesuffix(".npy"): np.lib.format.read_array(archive.open(name))
            for name in archive.namelist()
        }
    header = json.loads(str(arrays["__model__"]))
    header["architecture"]["layers"][0]["args"]["layer_content"]["nhid"] = 10**9
    arrays["__model__"] = np.array(json.dumps(header))
    np.savez(tmp_path / "big_mlp.npz", **arrays)
    with pytest.raises(ModelFileError, match="over the limit"):
        serial.load(tmp_path / "big_mlp.npz")


def test_contraction_penalty_is_the_jacobians_squared_norm_per_example() -> None:
    from pylearn2_recipes.models.autoencoder import ContractiveAutoencoder

    cae = ContractiveAutoencoder(4, 3, "sigmoid", "sigmoid", irange=0.8)
    _, hb, W, _ = cae.get_param_values()
    X = np.random.RandomState(4).randn(5, 4)
    h = 1 / (1 + np.exp(-(X @ W + hb)))
    jacobians = W[None, :, :] * (h * (1 - h))[:, None, :]  # (batch, nvis, nhid)
    expected = (jacobians**2).sum() / 5
    assert evaluate(cae.contraction_penalty, X) == pytest.approx(expected)
    np.testing.assert_allclose(evaluate(cae.jacobian_h_x, X), jacobians, rtol=1e-10)
    with pytest.raises(ValueError, match="needs an encoder activation"):
        ContractiveAutoencoder(4, 3, None, "sigmoid")


def test_higher_order_penalty_without_noise_is_zero_and_positive_with_it() -> None:
    from pylearn2_recipes.models.autoencoder import HigherOrderContractiveAutoencoder

    X = np.random.RandomState(5).rand(6, 4)
    quiet = HigherOrderContractiveAutoencoder(
        BinomialCorruptor(0.0), 3, 4, 3, "sigmoid", "sigmoid", irange=0.5
    )
    assert evaluate(quiet.higher_order_penalty, X) == 0.0
    noisy = HigherOrderContractiveAutoencoder(
        BinomialCorruptor(0.5), 3, 4, 3, "sigmoid", "sigmoid", irange=0.5
    )
    assert evaluate(noisy.higher_order_penalty, X) > 0.0


def test_mean_binary_cross_entropy_is_theanos_binary_crossentropy() -> None:
    from pylearn2_recipes.costs.autoencoder import MeanBinaryCrossEntropy

    ae = Autoencoder(4, 3, "sigmoid", "sigmoid", irange=0.5)
    X = np.random.RandomState(6).rand(5, 4)
    r = evaluate(ae.reconstruct, X)
    expected = (-(X * np.log(r) + (1 - X) * np.log(1 - r))).sum(axis=1).mean()
    assert evaluate(lambda x: MeanBinaryCrossEntropy().expr(ae, x), X) == pytest.approx(expected)
