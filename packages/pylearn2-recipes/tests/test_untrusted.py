"""Crafted and mutated model files and YAML configs: every one ends in a typed error.

Each crafted case of issue 17 runs in a subprocess under a 4 GiB address-space limit
and a timeout, so a regression shows as a bare MemoryError or a timeout instead of
taking the machine. How fast each case ends (goal: 2 s) is measured by
``benchmarks/bench_untrusted.py``, not asserted here.
"""

from __future__ import annotations

import contextlib
import json
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pylearn2_recipes import ModelFileError, PickleRefusedError, YAMLConfigError
from pylearn2_recipes.config import yaml_parse
from pylearn2_recipes.models.mlp import MLP, Sigmoid, Softmax
from pylearn2_recipes.utils import serial

HEADER = "__model__"


def write_model(path: Path, architecture: dict, arrays: list[np.ndarray]) -> Path:
    header = {
        "format": "pylearn2-recipes-model",
        "version": 1,
        "architecture": architecture,
        "params": [f"p{i}" for i in range(len(arrays))],
        "tag": {},
    }
    with open(path, "wb") as handle:  # a handle: np.savez would append ".npz" to a path
        np.savez_compressed(
            handle,
            **{HEADER: np.array(json.dumps(header))},
            **{f"param_{i}": a for i, a in enumerate(arrays)},
        )
    return path


def sigmoid_arch(nvis: int, dim: int, sparse_init: int | None = None, n_classes: int = 2) -> dict:
    return {
        "class": "MLP",
        "nvis": nvis,
        "seed": [2013, 1, 4],
        "batch_size": None,
        "layer_name": None,
        "layers": [
            {
                "class": "Sigmoid",
                "args": {
                    "dim": dim,
                    "layer_name": "h0",
                    "irange": None if sparse_init else 0.1,
                    "sparse_init": sparse_init,
                },
            },
            {
                "class": "Softmax",
                "args": {"n_classes": n_classes, "layer_name": "y", "irange": 0.1},
            },
        ],
    }


def small_arrays() -> list[np.ndarray]:
    return [np.zeros((2, 2)), np.zeros(2), np.zeros(2), np.zeros((2, 2))]


RUNNER = textwrap.dedent(
    """
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))
    from pylearn2_recipes import ModelFileError, PickleRefusedError, YAMLConfigError
    from pylearn2_recipes.config import yaml_parse
    from pylearn2_recipes.utils import serial
    kind, target = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    try:
        if kind == "model":
            serial.load(target)
        else:
            yaml_parse.load(open(target).read())
    except (ModelFileError, YAMLConfigError) as error:
        outcome, message = type(error).__name__, error
    else:
        outcome, message = "loaded", ""
    imported = "pytensor" in sys.modules
    print(outcome, time.perf_counter() - start, imported, message, sep="|")
    """
)


def run_isolated(kind: str, target: Path) -> tuple[str, float, str]:
    """Load `target` in a fresh, memory-limited process; (error type, seconds, message).

    A refused file must be refused before PyTensor is imported (a second or more of
    the 2 s the issue allows): only building objects needs it.
    """
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, kind, str(target)],
        capture_output=True,
        text=True,
        timeout=60,  # the import of PyTensor is not part of the 2 s
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    name, seconds, imported, message = out.stdout.strip().split("|", 3)
    assert name == "loaded" or imported == "False", f"{name} after importing PyTensor"
    return name, float(seconds), message


def patch_uncompressed_size(path: Path, member: str, size: int) -> None:
    """Make the zip's directory claim `member` unpacks to `size` bytes (a zip bomb's lie)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    struct.pack_into("<I", data, local + 22, size)
    # Walk the central directory entries to the member's one.
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        name = bytes(data[position + 46 : position + 46 + name_length]).decode()
        if name == member:
            struct.pack_into("<I", data, position + 24, size)
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))


CRAFTED_MODELS = {
    # issue 17: 1.4 KB header, Sigmoid(dim 3000, sparse_init 3000) on 3000 inputs
    "sparse_init_3000": (
        lambda: sigmoid_arch(3000, 3000, sparse_init=3000),
        "`architecture` layers[0].W (nvis, dim) declares shape (3000, 3000) but the stored "
        "param_0 has shape (2, 2)",
    ),
    "huge_nvis": (
        lambda: sigmoid_arch(10**10, 2),
        r"largest: layers[0].W (nvis, dim) of shape (10000000000, 2)",
    ),
    "huge_n_classes": (
        lambda: sigmoid_arch(2, 2, n_classes=10**10),
        r"largest: layers[1].W (layers[0].dim, n_classes) of shape (2, 10000000000)",
    ),
}


@pytest.mark.parametrize("case", sorted(CRAFTED_MODELS))
def test_crafted_model_headers_fail_fast_naming_the_field(tmp_path: Path, case: str) -> None:
    architecture, expected = CRAFTED_MODELS[case]
    path = write_model(tmp_path / f"{case}.pkl", architecture(), small_arrays())
    assert path.stat().st_size < 2048
    name, _, message = run_isolated("model", path)
    assert name == "ModelFileError"
    assert expected in message
    if case != "sparse_init_3000":
        assert "over the limit max_bytes=2.0 GiB" in message


def test_a_zip_member_claiming_gigabytes_is_refused_before_reading(tmp_path: Path) -> None:
    path = write_model(tmp_path / "bomb.pkl", sigmoid_arch(2, 2), small_arrays())
    patch_uncompressed_size(path, "param_0.npy", 3 * 1024**3)
    name, _, message = run_isolated("model", path)
    assert name == "ModelFileError"
    assert "the arrays (uncompressed): 3.0 GiB, over the limit max_bytes=2.0 GiB" in message


def test_an_npy_header_declaring_a_huge_shape_is_refused(tmp_path: Path) -> None:
    fixed = tmp_path / "huge2.npy"
    with open(fixed, "wb") as handle:
        np.lib.format.write_array_header_1_0(
            handle, {"descr": "<f8", "fortran_order": False, "shape": (2**31,)}
        )
        handle.write(np.zeros(4).tobytes())
    name, _, message = run_isolated("model", fixed)
    assert name == "ModelFileError"
    assert "the array: 16.0 GiB, over the limit max_bytes=2.0 GiB" in message


def test_a_header_nested_100000_deep_is_a_model_file_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.pkl"
    with open(path, "wb") as handle:
        np.savez(handle, **{HEADER: np.array("[" * 100_000)})
    name, _, _message = run_isolated("model", path)
    assert name == "ModelFileError"


YAML_CASES = {
    "sparse_init": (
        "!obj:pylearn2.models.mlp.MLP {nvis: 3000, layers: ["
        "!obj:pylearn2.models.mlp.Sigmoid {dim: 3000, sparse_init: 3000, layer_name: h},"
        "!obj:pylearn2.models.mlp.Softmax {n_classes: 2, layer_name: y, irange: .1}]}",
        None,
    ),
    "ones": (
        "!obj:numpy.ones {shape: [100000, 100000]}",
        "`numpy.ones`: 74.5 GiB, over the limit",
    ),
    "linspace": (
        "!obj:numpy.linspace {start: 0, stop: 1, num: 10000000000}",
        "`numpy.linspace`: 74.5 GiB, over the limit",
    ),
    "nvis": (
        "!obj:pylearn2.models.mlp.MLP {nvis: 10000000000, layers: ["
        "!obj:pylearn2.models.mlp.Softmax {n_classes: 4, layer_name: y, irange: .1}]}",
        "layers[0].W (nvis, n_classes) of shape (10000000000, 4)): 298.0 GiB, over the limit "
        "max_bytes=2.0 GiB",
    ),
    "deep": ("[" * 100_000, "nested deeper than the limit MAX_DEPTH=100"),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_crafted_yaml_fails_fast_naming_the_limit(tmp_path: Path, case: str) -> None:
    text, expected = YAML_CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    name, _, message = run_isolated("yaml", path)
    if expected is None:  # sparse_init of 3000 on 3000 inputs is legal and now O(n·k)
        assert name == "loaded"
    else:
        assert name == "YAMLConfigError"
        assert expected in message


def test_pkl_tag_applies_the_callers_budget(tmp_path: Path) -> None:
    model = MLP(
        [Sigmoid(layer_name="h", dim=30, irange=0.1), Softmax(2, "y", irange=0.1)], nvis=30
    )
    path = tmp_path / "m.pkl"
    serial.save(path, model)
    text = f'!pkl: "{path}"'
    assert yaml_parse.load(text).nvis == 30
    with pytest.raises(ModelFileError, match=r"over the limit max_bytes=1\.0 KiB"):
        yaml_parse.load(text, max_bytes=1024)


def test_stored_values_are_not_overwritten_by_an_initialisation(
    tmp_path: Path, monkeypatch
) -> None:
    model = MLP(
        [Sigmoid(layer_name="h", dim=3, sparse_init=2), Softmax(2, "y", istdev=0.1)], nvis=4
    )
    path = tmp_path / "m.pkl"
    serial.save(path, model)
    calls: list[str] = []
    monkeypatch.setattr(Sigmoid, "set_input_space", lambda *a: calls.append("init"))
    monkeypatch.setattr(Softmax, "set_input_space", lambda *a: calls.append("init"))
    loaded = serial.load(path)
    assert calls == []
    for a, b in zip(loaded.get_param_values(), model.get_param_values(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_sparse_init_draws_k_distinct_inputs_per_unit() -> None:
    model = MLP(
        [Sigmoid(layer_name="h", dim=50, sparse_init=7), Softmax(2, "y", irange=0.1)], nvis=20
    )
    W = model.layers[0].W.get_value()
    assert ((W != 0).sum(axis=0) == 7).all()
    full = MLP(
        [Sigmoid(layer_name="h", dim=5, sparse_init=20), Softmax(2, "y", irange=0.1)], nvis=20
    )
    assert (full.layers[0].W.get_value() != 0).all()


# --- fuzzing: mutated headers and YAML end in the documented errors, never another ------


def valid_model_bytes(tmp_path: Path) -> bytes:
    model = MLP([Sigmoid(layer_name="h", dim=3, irange=0.1), Softmax(2, "y", irange=0.1)], nvis=2)
    path = tmp_path / "valid.pkl"
    serial.save(path, model)
    return path.read_bytes()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path_choice=st.sampled_from(
        [
            ("nvis",),
            ("seed",),
            ("layers",),
            ("layers", 0, "args", "dim"),
            ("layers", 0, "args", "irange"),
            ("layers", 0, "args", "sparse_init"),
            ("layers", 0, "class"),
            ("layers", 1, "args", "n_classes"),
            ("layers", 1, "args"),
            ("layers", 0),
        ]
    ),
    value=JSON_VALUES,
)
def test_fuzzed_architecture_fields(tmp_path: Path, path_choice: tuple, value: object) -> None:
    architecture = sigmoid_arch(2, 3)
    target = architecture
    for key in path_choice[:-1]:
        target = target[key]
    target[path_choice[-1]] = value
    arrays = [np.zeros((2, 3)), np.zeros(3), np.zeros(2), np.zeros((3, 2))]
    path = write_model(tmp_path / "fuzz.pkl", architecture, arrays)
    with contextlib.suppress(ModelFileError):
        serial.load(path, max_bytes=10**6)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzzed_model_bytes(tmp_path: Path, data: st.DataObject) -> None:
    original = valid_model_bytes(tmp_path)
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    path = tmp_path / "mutated.pkl"
    path.write_bytes(bytes(mutated))
    # A first byte turned into a pickle opcode is refused as a pickle.
    with contextlib.suppress(ModelFileError, PickleRefusedError):
        serial.load(path, max_bytes=10**6)


YAML_TEMPLATE = (
    "!obj:pylearn2.models.mlp.MLP {{nvis: {nvis}, layers: ["
    "!obj:pylearn2.models.mlp.Sigmoid {{dim: {dim}, {init}: {init_value}, layer_name: h}},"
    "!obj:pylearn2.models.mlp.Softmax {{n_classes: {n_classes}, layer_name: y, irange: .1}}]}}"
)
NUMBERS = st.one_of(
    st.integers(-5, 5), st.integers(10**6, 10**13), st.floats(allow_nan=True), st.just("x")
)


@settings(max_examples=100, deadline=None)
@given(
    nvis=NUMBERS,
    dim=NUMBERS,
    n_classes=NUMBERS,
    init=st.sampled_from(["irange", "istdev", "sparse_init"]),
    init_value=NUMBERS,
)
def test_fuzzed_yaml_models(nvis, dim, n_classes, init, init_value) -> None:
    text = YAML_TEMPLATE.format(
        nvis=nvis, dim=dim, n_classes=n_classes, init=init, init_value=init_value
    )
    with contextlib.suppress(YAMLConfigError, ValueError, TypeError):
        yaml_parse.load(text, max_bytes=10**6)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_fuzzed_yaml_text(data: st.DataObject) -> None:
    text = bytearray(
        YAML_TEMPLATE.format(nvis=2, dim=3, n_classes=2, init="irange", init_value=0.1).encode()
    )
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(text) - 1))
        text[position] = data.draw(st.sampled_from(b"[]{}:,!&*'\"0123456789 \nab-.e"))
    import yaml

    with contextlib.suppress(YAMLConfigError, ValueError, TypeError, yaml.YAMLError):
        yaml_parse.load(text.decode(), max_bytes=10**6)
