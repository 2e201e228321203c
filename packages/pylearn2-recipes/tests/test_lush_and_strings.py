"""pylearn2's ``serial.read_bin_lush_matrix`` and ``to_string``/``from_string``.

The files are written here in lush's binary matrix layout (int32 magic, int32 ndim, at
least three int32 dimensions, C-ordered elements), with pylearn2's magic numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pylearn2_recipes import ModelFileError, PickleRefusedError
from pylearn2_recipes.utils import serial

MAGIC = {"uint8": 507333717, "int32": 507333716, "float32": 507333713, "float64": 507333715}


def write_lush(path: Path, array: np.ndarray, dims: list[int] | None = None) -> Path:
    shape = list(array.shape) if dims is None else dims
    header = [MAGIC[str(array.dtype)], len(shape), *shape, *[1] * (3 - len(shape))]
    path.write_bytes(
        np.array(header, "<i4").tobytes() + array.astype(array.dtype.newbyteorder("<")).tobytes()
    )
    return path


@pytest.mark.parametrize("dtype", ["uint8", "int32", "float32", "float64"])
def test_reads_each_element_type_in_c_order(tmp_path: Path, dtype: str) -> None:
    # pylearn2's test files hold f(i, j, k) at [i-1, j-1, k-1]; same layout here.
    i, j, k = np.meshgrid(np.arange(1, 3), np.arange(1, 4), np.arange(1, 5), indexing="ij")
    array = (i + 3 * j + 12 * k).astype(dtype)
    result = serial.read_bin_lush_matrix(write_lush(tmp_path / "m.lushbin", array))
    assert str(result.dtype) == dtype
    assert result.shape == (2, 3, 4)
    np.testing.assert_array_equal(result, array)


def test_a_scalar_saved_as_three_dimensions_stays_three_dimensional(tmp_path: Path) -> None:
    path = write_lush(tmp_path / "s.lushbin", np.array([[[12]]], dtype="uint8"))
    result = serial.read_bin_lush_matrix(path)
    assert result.shape == (1, 1, 1)
    assert result[0, 0] == 12


def test_more_than_three_dimensions(tmp_path: Path) -> None:
    array = np.arange(2 * 3 * 4 * 5, dtype="float32").reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(
        serial.read_bin_lush_matrix(write_lush(tmp_path / "m.lushbin", array)), array
    )


def test_unknown_magic_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.lushbin"
    path.write_bytes(np.array([12345, 3, 1, 1, 1], "<i4").tobytes() + b"\0")
    with pytest.raises(ModelFileError, match="Unrecognized lush magic number 12345"):
        serial.read_bin_lush_matrix(path)


@pytest.mark.parametrize(
    ("tail", "message"), [(b"\0", "extra bytes"), (b"", "truncated")], ids=["extra", "short"]
)
def test_data_that_does_not_match_the_header_is_refused(
    tmp_path: Path, tail: bytes, message: str
) -> None:
    array = np.arange(8, dtype="uint8").reshape(2, 2, 2)
    path = write_lush(tmp_path / "m.lushbin", array)
    data = path.read_bytes()
    path.write_bytes(data + tail if tail else data[:-1])
    with pytest.raises(ModelFileError, match=message):
        serial.read_bin_lush_matrix(path)


def test_a_huge_declared_shape_fails_before_any_allocation(tmp_path: Path) -> None:
    path = tmp_path / "huge.lushbin"
    header = np.array([MAGIC["float64"], 3, 2**30, 2**30, 2**30], "<i4")
    path.write_bytes(header.tobytes() + b"\0" * 16)
    with pytest.raises(ModelFileError, match="over the limit"):
        serial.read_bin_lush_matrix(path)
    with pytest.raises(ModelFileError, match="declares shape"):
        serial.read_bin_lush_matrix(path, max_bytes=2**100)


@pytest.mark.parametrize(
    "header",
    [
        [MAGIC["uint8"]],
        [MAGIC["uint8"], 3, 2],
        [MAGIC["uint8"], -1],
        [MAGIC["uint8"], 3, -2, 1, 1],
    ],
    ids=["no-ndim", "short-dims", "negative-ndim", "negative-dim"],
)
def test_a_malformed_header_is_refused(tmp_path: Path, header: list[int]) -> None:
    path = tmp_path / "h.lushbin"
    path.write_bytes(np.array(header, "<i4").tobytes())
    with pytest.raises(ModelFileError):
        serial.read_bin_lush_matrix(path)


def test_to_string_round_trips_only_when_pickles_are_allowed() -> None:
    data = serial.to_string({"a": (1, 2.5)})
    assert serial.from_string(data, allow_pickle=True) == {"a": (1, 2.5)}
    with pytest.raises(PickleRefusedError):
        serial.from_string(data, allow_pickle=False)
