"""Every ``>>>`` example in the package's docstrings runs and shows what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import twitter_stream_client

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(
        twitter_stream_client.__path__, twitter_stream_client.__name__ + "."
    )
    if not name.endswith("__main__")
)


def test_modules_are_found() -> None:
    assert "twitter_stream_client._client" in MODULES


@pytest.mark.parametrize("name", ["twitter_stream_client", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
