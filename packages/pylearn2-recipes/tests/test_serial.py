from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import ModelFileError, PickleRefusedError
from pylearn2_recipes.models.mlp import MLP, RectifiedLinear, Sigmoid, Softmax, Tanh
from pylearn2_recipes.utils import serial


def model() -> MLP:
    net = MLP(
        [
            RectifiedLinear(layer_name="r", dim=3, irange=0.2, left_slope=0.1, max_col_norm=2.0),
            Tanh(layer_name="t", dim=4, istdev=0.3, W_lr_scale=0.5),
            Softmax(3, "output", sparse_init=2),
        ],
        nvis=5,
        seed=[1, 2, 3],
    )
    net.tag["note"] = {"best_cost": 0.25}
    return net


def test_round_trip_keeps_architecture_parameters_and_tags(tmp_path: Path) -> None:
    original = model()
    path = tmp_path / "model.pkl"
    serial.save(path, original)
    assert zipfile.is_zipfile(path)
    loaded = serial.load(path)
    assert loaded.architecture() == original.architecture()
    for a, b in zip(loaded.get_param_values(), original.get_param_values(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert loaded.tag == {"note": {"best_cost": 0.25}}
    x = np.random.RandomState(0).rand(4, 5)
    np.testing.assert_allclose(loaded.predict_proba(x), original.predict_proba(x))


def test_pickles_are_refused_unless_allowed(tmp_path: Path) -> None:
    path = tmp_path / "legacy.pkl"
    with open(path, "wb") as handle:
        pickle.dump({"weights": [1, 2]}, handle, protocol=0)
    with pytest.raises(PickleRefusedError, match="pass allow_pickle=True only if you trust"):
        serial.load(path)
    assert serial.load(path, allow_pickle=True) == {"weights": [1, 2]}


def test_a_model_pickled_on_request_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "m.pickle"
    serial.save(path, [model()], allow_pickle=True)
    (loaded,) = serial.load(path, allow_pickle=True)
    assert loaded.architecture() == model().architecture()


def test_saving_an_arbitrary_object_needs_allow_pickle(tmp_path: Path) -> None:
    with pytest.raises(PickleRefusedError, match=r"saving a dict .* needs pickle"):
        serial.save(tmp_path / "x.pkl", {"a": 1})


@pytest.mark.parametrize("keep", [10, 100, 400])
def test_truncated_model_file_is_a_clear_error(tmp_path: Path, keep: int) -> None:
    path = tmp_path / "best.pkl"
    serial.save(path, model())
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(
        ModelFileError, match=r"cannot load model file .*best\.pkl.*corrupt or truncated"
    ):
        serial.load(path)


def test_garbage_and_truncated_pickle_are_clear_errors(tmp_path: Path) -> None:
    garbage = tmp_path / "g.bin"
    garbage.write_bytes(b"\x00\x01hello")
    with pytest.raises(ModelFileError, match="not a pylearn2-recipes model"):
        serial.load(garbage)
    truncated = tmp_path / "t.pkl"
    truncated.write_bytes(pickle.dumps({"a": list(range(100))})[:20])
    with pytest.raises(ModelFileError, match="corrupt pickle"):
        serial.load(truncated, allow_pickle=True)


def test_tampered_architecture_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    serial.save(path, model())
    with np.load(path) as archive:
        contents = {name: archive[name] for name in archive.files}
    contents["__model__"] = np.array(str(contents["__model__"]).replace('"Tanh"', '"Convolution"'))
    np.savez(path, **contents)
    with pytest.raises(ModelFileError, match="unknown layer class 'Convolution'"):
        serial.load(path)


class _Payload:
    """Unpickling it creates `marker`: proof that pickled code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("suffix", [".npz", ".npy"])
def test_pickled_object_arrays_are_refused_without_running(tmp_path: Path, suffix: str) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / f"evil{suffix}"
    payload = np.array([_Payload(marker)], dtype=object)
    if suffix == ".npz":
        np.savez(path, __model__=payload)
    else:
        np.save(path, payload, allow_pickle=True)
    with pytest.raises(ModelFileError, match="dtype object is not a numeric array"):
        serial.load(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "header",
    [
        "[1, 2]",
        '{"format": "pylearn2-recipes-model", "version": 1, "params": 3, "architecture": {}}',
    ],
)
def test_malformed_model_header_is_a_clear_error(tmp_path: Path, header: str) -> None:
    path = tmp_path / "m.npz"
    np.savez(path, __model__=np.array(header), param_0=np.zeros(2))
    with pytest.raises(ModelFileError, match=r"cannot load model file .*m\.npz.*header"):
        serial.load(path)


def test_arrays_round_trip_without_pickle(tmp_path: Path) -> None:
    serial.save(tmp_path / "a.npy", np.arange(6.0))
    np.testing.assert_array_equal(serial.load(tmp_path / "a.npy"), np.arange(6.0))


def test_backup_overwrite_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "best.pkl"
    serial.save(path, model())
    second = MLP([Sigmoid(layer_name="s", dim=2, irange=0.1), Softmax(2, "o", irange=0.1)], nvis=2)
    serial.save(path, second, on_overwrite="backup")
    assert serial.load(path).nvis == 2
    assert list(tmp_path.iterdir()) == [path]


def test_a_theano_era_pickle_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "old.pkl"
    # What pylearn2 wrote: a protocol-0 pickle of a class from a package that is gone.
    path.write_bytes(b"ctheano.tensor.sharedvar\nTensorSharedVariable\np0\n.")
    with pytest.raises(ModelFileError, match="pylearn2/Theano model pickles cannot be read"):
        serial.load(path, allow_pickle=True)
    with pytest.raises(PickleRefusedError):
        serial.load(path)
