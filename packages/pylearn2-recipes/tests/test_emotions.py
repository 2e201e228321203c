"""The facial-expression challenge dataset, as pylearn2's EmotionsDataset.

pylearn2's scripts/icml_2013_wrepl/emotions/emotions_dataset.py (and its softmax.yaml,
cut down to a few synthetic rows). Every file here is written in Kaggle's layout: a
header, then `emotion,pixels` rows of 2304 space-separated grey values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import DataFileError, InvalidArgumentError, YAMLConfigError, yaml_parse
from pylearn2_recipes.scripts.icml_2013_wrepl.emotions.emotions_dataset import (
    EmotionsDataset,
)
from pylearn2_recipes.space import Conv2DSpace, VectorSpace

PIXELS = 48 * 48
EMOTIONS = "!obj:pylearn2.scripts.icml_2013_wrepl.emotions.emotions_dataset.EmotionsDataset"


def synthetic_rows(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    # Labels cycle through the 7 classes, so any 7 consecutive rows hold each of them.
    rng = np.random.RandomState(seed)
    return np.arange(rows) % 7, rng.randint(0, 256, (rows, PIXELS))


def write_csv(path: Path, labels: np.ndarray | None, images: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["emotion,pixels" if labels is not None else "id,pixels"]
    for index, image in enumerate(images):
        first = str(labels[index]) if labels is not None else str(index)
        lines.append(first + "," + " ".join(str(v) for v in image))
    path.write_text("\n".join(lines) + "\n")
    return path


def numpy_parse(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """An independent reading of the file: numpy's own text parser, no csv module."""
    text = path.read_text().splitlines()[1:]
    labels = np.array([int(line.split(",")[0]) for line in text])
    images = np.stack([np.fromstring(line.split(",")[1], sep=" ") for line in text])
    return labels, images


@pytest.fixture
def train_dir(tmp_path: Path) -> Path:
    labels, images = synthetic_rows(12)
    write_csv(tmp_path / "train.csv", labels, images)
    write_csv(tmp_path / "test.csv", None, synthetic_rows(5, seed=1)[1])
    return tmp_path


def test_train_rows_match_an_independent_parse(train_dir: Path) -> None:
    labels, images = numpy_parse(train_dir / "train.csv")
    ds = EmotionsDataset("train", base_path=str(train_dir))
    assert ds.X.dtype == np.float32
    assert ds.X.shape == (12, PIXELS)
    np.testing.assert_array_equal(ds.X, images.astype(np.float32))
    assert ds.y is not None
    assert ds.y.dtype == np.int64
    assert ds.y.shape == (12, 1)  # 2-D, as pylearn2's y_list of [label]
    np.testing.assert_array_equal(ds.y[:, 0], labels)
    assert ds.y_labels == 7
    np.testing.assert_array_equal(ds.get_onehot_targets(), np.eye(7)[labels])


def test_rows_spanning_several_parse_blocks_keep_their_order(
    train_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pylearn2_recipes.scripts.icml_2013_wrepl.emotions import emotions_dataset

    monkeypatch.setattr(emotions_dataset, "_BLOCK", 5)  # 12 rows: blocks of 5, 5 and 2
    labels, images = numpy_parse(train_dir / "train.csv")
    ds = EmotionsDataset("train", base_path=str(train_dir))
    np.testing.assert_array_equal(ds.X, images.astype(np.float32))
    assert ds.y is not None
    np.testing.assert_array_equal(ds.y[:, 0], labels)


def test_images_are_48_by_48_row_major_in_the_requested_axes(train_dir: Path) -> None:
    _, images = numpy_parse(train_dir / "train.csv")
    expected = images.reshape(12, 48, 48).astype(np.float32)
    ds = EmotionsDataset("train", base_path=str(train_dir))
    topo = ds.get_topological_view()
    assert topo.shape == (12, 48, 48, 1)
    np.testing.assert_array_equal(topo[..., 0], expected)
    c01b = EmotionsDataset("train", base_path=str(train_dir), axes=("c", 0, 1, "b"))
    assert c01b.view_converter is not None
    assert c01b.view_converter.topo_space == Conv2DSpace(
        (48, 48), num_channels=1, axes=("c", 0, 1, "b")
    )
    np.testing.assert_array_equal(c01b.get_topological_view()[0], expected.transpose(1, 2, 0))
    # A model asking for images gets them through the view converter.
    space = Conv2DSpace((48, 48), num_channels=1, axes=("b", "c", 0, 1))
    (batch,) = ds.iterator(mode="sequential", batch_size=12, data_specs=(space, "features"))
    np.testing.assert_array_equal(batch[:, 0], expected)


def test_start_stop_keep_the_same_rows_of_images_and_labels(train_dir: Path) -> None:
    labels, images = numpy_parse(train_dir / "train.csv")
    ds = EmotionsDataset("train", base_path=str(train_dir), start=3, stop=10)
    np.testing.assert_array_equal(ds.X, images[3:10])
    assert ds.y is not None
    np.testing.assert_array_equal(ds.y[:, 0], labels[3:10])
    for start, stop in ((0, 13), (5, 5), (-1, 4), (None, 4), (2, None), (0.0, 4)):
        with pytest.raises(InvalidArgumentError, match="start"):
            EmotionsDataset(
                "train",
                base_path=str(train_dir),
                start=start,  # type: ignore[arg-type]
                stop=stop,
            )


def test_the_public_test_set_has_no_labels(train_dir: Path) -> None:
    _, images = numpy_parse(train_dir / "test.csv")
    ds = EmotionsDataset("public_test", base_path=str(train_dir))
    np.testing.assert_array_equal(ds.X, images)
    assert ds.y is None
    assert ds.y_labels is None
    assert not ds.has_targets()
    assert ds.get_data_specs() == (VectorSpace(PIXELS), "features")
    # Kaggle's later test.csv has the pixels alone in each row: read the same.
    only_pixels = train_dir / "alone" / "test.csv"
    only_pixels.parent.mkdir()
    lines = (train_dir / "test.csv").read_text().splitlines()
    only_pixels.write_text("\n".join(["pixels"] + [line.split(",")[1] for line in lines[1:]]))
    np.testing.assert_array_equal(
        EmotionsDataset("public_test", base_path=str(only_pixels.parent)).X, images
    )


class RecordingPreprocessor:
    def __init__(self) -> None:
        self.calls: list[tuple[int, bool]] = []

    def apply(self, dataset: EmotionsDataset, can_fit: bool = False) -> None:
        self.calls.append((dataset.X.shape[0], can_fit))
        dataset.X = dataset.X / 255.0


def test_preprocessor_and_the_test_set_follow_pylearn2(train_dir: Path) -> None:
    pre = RecordingPreprocessor()
    ds = EmotionsDataset(
        "train",
        base_path=str(train_dir),
        start=0,
        stop=4,
        preprocessor=pre,
        fit_preprocessor=True,
        axes=("c", 0, 1, "b"),
        fit_test_preprocessor=False,
    )
    assert float(ds.X.max()) <= 1.0
    test = ds.get_test_set()
    # The test set: public_test, whole, same preprocessor and axes, fit as told.
    assert pre.calls == [(4, True), (5, False)]
    assert test.y is None
    assert test.X.shape == (5, PIXELS)
    assert test.view_converter is not None
    assert test.view_converter.axes == ("c", 0, 1, "b")
    np.testing.assert_allclose(ds.adjust_for_viewer(np.array([0.0, 127.5, 255.0])), [-1, 0, 1])


def test_base_path_expands_pylearn2_data_path(
    train_dir: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path_factory.mktemp("data")
    (train_dir).rename(root / "icml_2013_emotions")
    monkeypatch.setenv("PYLEARN2_DATA_PATH", str(root))
    assert EmotionsDataset("train").X.shape == (12, PIXELS)
    monkeypatch.delenv("PYLEARN2_DATA_PATH")
    with pytest.raises(ValueError, match=r"PYLEARN2_DATA_PATH\}, which is not set"):
        EmotionsDataset("train")
    with pytest.raises(ValueError, match="Unrecognized dataset name: 'test'"):
        EmotionsDataset("test", base_path=str(root))
    with pytest.raises(FileNotFoundError, match="icml_2013_emotions"):
        EmotionsDataset("train", base_path=str(root / "nowhere"))


def good_row(label: str = "3", pixels: str | None = None) -> str:
    return label + "," + (" ".join(["7"] * PIXELS) if pixels is None else pixels)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (good_row(pixels=" ".join(["7"] * (PIXELS - 1))), "2303 pixel values, expected 2304"),
        (good_row(pixels=" ".join(["7"] * (PIXELS + 1))), "2305 pixel values"),
        (good_row(pixels=" ".join(["7"] * (PIXELS - 1) + ["7.5"])), r"'7\.5' is not an integer"),
        (good_row(pixels=" ".join(["-1"] + ["7"] * (PIXELS - 1))), "'-1' is not an integer"),
        (good_row(pixels=" ".join(["256"] + ["7"] * (PIXELS - 1))), r"'256' is not .* 0\.\.255"),
        (good_row(pixels=" ".join(["٣"] + ["7"] * (PIXELS - 1))), "is not an integer"),
        (good_row(label="7"), r"label '7' is not an integer in 0\.\.6"),
        (good_row(label="-1"), "label '-1'"),
        (good_row(label="x"), "label 'x'"),
        ("3", "expected `emotion,pixels`"),
        ('3,"7 7', "not CSV"),
    ],
)
def test_a_malformed_row_is_refused_naming_its_line(
    tmp_path: Path, bad: str, message: str
) -> None:
    lines = ["emotion,pixels", good_row(), good_row(), bad, good_row()]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileError, match=message) as caught:
        EmotionsDataset("train", base_path=str(tmp_path))
    assert caught.value.line == 4
    assert caught.value.path.endswith("train.csv")
    assert "line 4" in str(caught.value)


def test_leading_zeros_are_the_same_integers(tmp_path: Path) -> None:
    pixels = ["0255", "00007"] + ["1"] * (PIXELS - 2)
    (tmp_path / "train.csv").write_text("emotion,pixels\n" + good_row(pixels=" ".join(pixels)))
    ds = EmotionsDataset("train", base_path=str(tmp_path))
    assert ds.X[0, :3].tolist() == [255.0, 7.0, 1.0]
    pixels[0] = "0256"
    (tmp_path / "train.csv").write_text("emotion,pixels\n" + good_row(pixels=" ".join(pixels)))
    with pytest.raises(DataFileError, match=r"'0256' is not an integer in 0\.\.255"):
        EmotionsDataset("train", base_path=str(tmp_path))


def test_empty_oversized_and_undecodable_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    for content, message in (
        (b"", "empty file"),
        (b"emotion,pixels\n", "no data rows"),
        (b"emotion,pixels\n3," + b"1" * 100_000 + b"\n", "longer than 65536 bytes"),
        (b"emotion,pixels\n3,\xff\xfe\n", "not UTF-8"),
    ):
        path.write_bytes(content)
        with pytest.raises(DataFileError, match=message):
            EmotionsDataset("train", base_path=str(tmp_path))


def test_a_yaml_experiment_builds_and_trains_on_it(train_dir: Path) -> None:
    # pylearn2's emotions/softmax.yaml cut to the synthetic file; its SoftmaxRegression
    # (no init_bias_target_marginals here) becomes the equivalent one-layer MLP.
    document = f"""
!obj:pylearn2.train.Train {{
    dataset: &train {EMOTIONS} {{
        which_set: 'train', base_path: '{train_dir}', start: 0, stop: 8
    }},
    model: !obj:pylearn2.models.mlp.MLP {{
        nvis: 2304,
        layers: [
            !obj:pylearn2.models.mlp.Softmax {{
                layer_name: 'y', n_classes: 7, irange: .0, init_bias_target_marginals: *train,
            }},
        ],
    }},
    algorithm: !obj:pylearn2.training_algorithms.sgd.SGD {{
        learning_rate: 1e-6, batch_size: 4, theano_function_mode: 'FAST_COMPILE',
        monitoring_dataset: {{
            'valid': {EMOTIONS} {{
                which_set: 'train', base_path: '{train_dir}', start: 8, stop: 12
            }},
        }},
        termination_criterion: !obj:pylearn2.termination_criteria.EpochCounter {{max_epochs: 2}},
    }},
}}
"""
    train = yaml_parse.load(document)
    assert isinstance(train.dataset, EmotionsDataset)
    assert train.dataset.X.shape == (8, PIXELS)
    train.main_loop()
    misclass = train.model.monitor.channels["valid_y_misclass"].val_record
    assert len(misclass) == 3
    assert all(0.0 <= v <= 1.0 for v in misclass)
    # The rows are checked inside YAML too, and the YAML budget bounds the parse.
    with pytest.raises(YAMLConfigError, match=r"EmotionsDataset .*over the limit"):
        yaml_parse.load(document, max_bytes=1024)
