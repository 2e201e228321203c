from __future__ import annotations

import importlib.metadata
from typing import TYPE_CHECKING

import pytest

import java_datastream
from java_datastream import hadoop, modified_utf8

if TYPE_CHECKING:
    from pathlib import Path


def test_all_is_exactly_the_public_names() -> None:
    public = {name for name in vars(java_datastream) if not name.startswith("_")}
    assert set(java_datastream.__all__) == public | {"__version__"}
    assert len(java_datastream.__all__) == len(set(java_datastream.__all__))


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (modified_utf8, ["decode", "encode"]),
        (
            hadoop,
            [
                "decode_text",
                "decode_vint_size",
                "encode_text",
                "get_vint_size",
                "is_negative_vint",
                "read_text",
                "read_vint",
                "read_vint_in_range",
                "read_vlong",
                "skip_text",
                "validate_utf8",
                "write_text",
                "write_vint",
                "write_vlong",
            ],
        ),
    ],
)
def test_submodules_export_their_functions(module: object, names: list[str]) -> None:
    assert sorted(module.__all__) == names  # type: ignore[attr-defined]
    assert all(callable(getattr(module, name)) for name in names)


def test_version_is_the_installed_distributions() -> None:
    assert java_datastream.__version__ == importlib.metadata.version("java-datastream")


def test_errors_mix_in_the_builtins_callers_catch() -> None:
    assert issubclass(java_datastream.TruncatedDataError, EOFError)
    assert issubclass(java_datastream.UTFDataFormatError, ValueError)
    assert issubclass(java_datastream.JavaSerializationError, ValueError)
    assert issubclass(java_datastream.VIntRangeError, ValueError)
    for error in (
        java_datastream.TruncatedDataError,
        java_datastream.UTFDataFormatError,
        java_datastream.JavaSerializationError,
        java_datastream.VIntRangeError,
    ):
        assert issubclass(error, java_datastream.DataStreamError)


def test_the_blog_posts_usage_still_works(tmp_path: Path) -> None:
    from java_datastream import DataInputStream, DataOutputStream

    with open(tmp_path / "stream", "wb") as f:
        dos = DataOutputStream(f)
        dos.write_int(7)
        dos.write_utf("hello world")
    with open(tmp_path / "stream", "rb") as f:
        dis = DataInputStream(f)
        val = dis.read_int()
        string = dis.read_utf()
    assert (val, string) == (7, "hello world")
