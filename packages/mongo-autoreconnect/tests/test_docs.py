"""The docstring examples run (numpydoc ``Examples`` sections of the installed package)."""

import doctest
import gc
import importlib
import warnings

import pytest

MODULES = [
    "mongo_autoreconnect",
    "mongo_autoreconnect._proxy",
    "mongo_autoreconnect._async_proxy",
    "mongo_autoreconnect._cursor",
    "mongo_autoreconnect._async_cursor",
    "mongo_autoreconnect._policy",
    "mongo_autoreconnect._state",
    "mongo_autoreconnect._strategies",
]


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
        gc.collect()
    assert result.failed == 0
