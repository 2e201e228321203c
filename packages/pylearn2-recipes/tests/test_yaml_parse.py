from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import (
    PickleRefusedError,
    Train,
    UnsafeYAMLError,
    YAMLConfigError,
    load_pima,
    yaml_parse,
)
from pylearn2_recipes.recipes import min_max_scale
from pylearn2_recipes.utils import serial

CONFIG = Path(__file__).parent / "configs" / "pima_mlp.yaml"


@pytest.fixture
def experiment_dir(tmp_path: Path, pima_csv: Path) -> Path:
    X, y = load_pima(pima_csv)
    X = min_max_scale(X)
    for name, rows in (("train", slice(0, 300)), ("valid", slice(300, 400))):
        lines = ["label," + ",".join(f"f{i}" for i in range(8))]
        lines += [
            f"{label}," + ",".join(f"{v:.6f}" for v in x)
            for x, label in zip(X[rows], y[rows], strict=True)
        ]
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n")
    shutil.copy(CONFIG, tmp_path / "pima_mlp.yaml")
    return tmp_path


def test_pylearn2_config_loads_and_trains(experiment_dir: Path) -> None:
    train = serial.load_train_file(
        experiment_dir / "pima_mlp.yaml", environ={"DATA_DIR": str(experiment_dir)}
    )
    assert isinstance(train, Train)
    # The &train anchor gives one dataset object for `dataset` and the monitor.
    assert train.algorithm.monitoring_dataset["train"] is train.dataset
    assert train.dataset.y_labels == 2
    train.main_loop()
    channels = train.model.monitor.channels
    misclass = channels["valid_output_misclass"].val_record
    epochs = train.model.monitor.get_epochs_seen()
    assert len(misclass) == epochs + 1
    last_best = max(i for i, v in enumerate(misclass) if v < min(misclass[:i], default=np.inf))
    assert epochs == last_best + 5  # MonitorBased(N=5, prop_decrease=0)
    assert misclass[last_best] < misclass[0]
    assert "train_output_nll" in channels
    best = serial.load(experiment_dir / "pima_mlp_best.pkl")
    last = serial.load(experiment_dir / "pima_mlp.pkl")
    assert last.nvis == best.nvis == 8
    np.testing.assert_array_equal(
        last.layers[0].W.get_value(), train.model.layers[0].W.get_value()
    )


@pytest.mark.parametrize(
    ("document", "tag"),
    [
        ("!obj:os.system {command: 'touch {marker}'}", "!obj:os.system"),
        ("x: !import:os.system", "!import:os.system"),
        ("x: !import 'subprocess.call'", "!import subprocess.call"),
        (
            "!!python/object/apply:os.system ['touch {marker}']",
            "tag:yaml.org,2002:python/object/apply:os.system",
        ),
        (
            "!obj:pylearn2.models.mlp.MLP {layers: [!obj:builtins.eval {source: '1'}], nvis: 2}",
            "!obj:builtins.eval",
        ),
        # numpy constructors that unpickle, and attribute chains through allowed names
        ("!obj:numpy.load {file: x.npy, allow_pickle: true}", "!obj:numpy.load"),
        (
            "!obj:pylearn2.training_algorithms.sgd.np.load {file: x.npy, allow_pickle: true}",
            "!obj:pylearn2.training_algorithms.sgd.np.load",
        ),
        (
            "!obj:pylearn2.models.mlp.MLP.__init__.__globals__ {}",
            "!obj:pylearn2.models.mlp.MLP.__init__.__globals__",
        ),
        ("x: !obj:pylearn2.utils.serial.load {filepath: x}", "!obj:pylearn2.utils.serial.load"),
        ("!!python/name:os.system", "tag:yaml.org,2002:python/name:os.system"),
        (
            "a: &cmd !obj:os.system {command: 'touch {marker}'}\nb: *cmd",
            "!obj:os.system",
        ),
    ],
)
def test_non_allow_listed_callables_are_refused(document: str, tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(UnsafeYAMLError) as caught:
        yaml_parse.load(document.replace("{marker}", str(marker)))
    assert caught.value.tag == tag
    assert f"refused YAML tag {tag!r}" in str(caught.value)
    assert not marker.exists()


def test_allow_unsafe_builds_any_importable_callable() -> None:
    built = yaml_parse.load("!obj:collections.OrderedDict {a: 1}", allow_unsafe=True)
    assert type(built).__name__ == "OrderedDict"
    assert built["a"] == 1
    with pytest.raises(YAMLConfigError, match=r"cannot import 'no_such_module\.thing'"):
        yaml_parse.load("!obj:no_such_module.thing {}", allow_unsafe=True)


def test_scientific_notation_floats_and_float_tag() -> None:
    loaded = yaml_parse.load("a: 1e-3\nb: -2.5E+2\nc: !float '3'\nd: 12")
    assert loaded == {"a": 0.001, "b": -250.0, "c": 3.0, "d": 12}


def test_environment_substitution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("P2R_FROM_OS", "os")
    loaded = yaml_parse.load("a: '${P2R_X}/f'\nb: '${P2R_FROM_OS}'", environ={"P2R_X": "/d"})
    assert loaded == {"a": "/d/f", "b": "os"}
    with pytest.raises(YAMLConfigError, match=r"\$\{P2R_MISSING\} is not defined"):
        yaml_parse.load("a: '${P2R_MISSING}'")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("!obj:pylearn2.termination_criteria.EpochCounter [3]", "positional arguments are not"),
        (
            "!obj:pylearn2.termination_criteria.EpochCounter {max_epochs: 3, max_epochs: 4}",
            "keyword 'max_epochs' is given twice",
        ),
        (
            "!obj:pylearn2.termination_criteria.EpochCounter {max_epoch: 3}",
            "EpochCounter: .*unexpected keyword argument 'max_epoch'",
        ),
        ("!float 'abc'", "'abc' is not a number"),
        ("a: &a [1, *a]", r"`\*alias` refers to a node that contains it"),
    ],
)
def test_malformed_documents_name_the_problem(document: str, message: str) -> None:
    with pytest.raises(YAMLConfigError, match=message):
        yaml_parse.load(document)


def test_pkl_tag_refuses_a_pickle_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(PickleRefusedError, match="looks like a pickle"):
        yaml_parse.load(f'model: !pkl: "{path}"')
    assert not marker.exists()


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (str(self.marker), "w"))


def test_pkl_tag_loads_a_saved_model_and_instantiate_false(tmp_path: Path) -> None:
    from pylearn2_recipes.models.mlp import MLP, Softmax

    serial.save(tmp_path / "m.pkl", MLP([Softmax(2, "y", irange=0.1)], nvis=4))
    loaded = yaml_parse.load(f'model: !pkl: "{tmp_path / "m.pkl"}"')
    assert loaded["model"].nvis == 4
    proxy = yaml_parse.load(
        "!obj:pylearn2.termination_criteria.EpochCounter {max_epochs: 3}", instantiate=False
    )
    assert "EpochCounter" in repr(proxy)


def test_built_objects_keep_their_yaml_source(tmp_path) -> None:
    """config/yaml_parse.py: each `!obj:` (and `!pkl:`) object gets `yaml_src`, its node."""
    from pylearn2_recipes.config import yaml_parse
    from pylearn2_recipes.models.mlp import MLP, Softmax
    from pylearn2_recipes.utils import serial

    loaded = yaml_parse.load(
        "model: !obj:pylearn2.models.mlp.MLP {nvis: 3, layers: "
        "[!obj:pylearn2.models.mlp.Softmax {n_classes: 2, layer_name: y, irange: 0.}]}"
    )
    model = loaded["model"]
    assert model.yaml_src.startswith("!obj:pylearn2.models.mlp.MLP {")
    assert yaml_parse.load(model.yaml_src).nvis == 3  # the source builds the same model
    assert model.layers[0].yaml_src == (
        "!obj:pylearn2.models.mlp.Softmax {n_classes: 2, layer_name: y, irange: 0.}\n"
    )
    path = tmp_path / "m.pkl"
    serial.save(path, MLP([Softmax(2, "y", irange=0.1)], nvis=3))
    assert yaml_parse.load(f"!pkl: '{path}'").yaml_src == f"!pkl: '{path}'\n"
