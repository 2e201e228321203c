"""Exception helpers pylearn2 code imports from ``pylearn2.utils.exc``.

Examples
--------
>>> try:
...     try:
...         {}["x"]
...     except KeyError:
...         reraise_as(ValueError("no x"))
... except ValueError as error:
...     print(type(error.__cause__).__name__)
KeyError
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

__all__ = ["EnvironmentVariableError", "NoDataPathError", "reraise_as"]


class EnvironmentVariableError(Exception):
    """An environment variable pylearn2 code needs is missing."""


class NoDataPathError(EnvironmentVariableError):
    """``PYLEARN2_DATA_PATH`` is not set."""

    def __init__(self) -> None:
        super().__init__(
            "You need to define your PYLEARN2_DATA_PATH environment variable: the directory "
            "holding pylearn2's datasets (e.g. mnist/)."
        )


def reraise_as(new_exc: BaseException | type[BaseException]) -> NoReturn:
    """Raise ``new_exc`` from the exception being handled, its message extended by the original.

    Raises
    ------
    BaseException
        Always: ``new_exc``.
    """
    original = sys.exc_info()[1]
    if isinstance(new_exc, type):
        new_exc = new_exc()
    if original is not None and new_exc.args and isinstance(new_exc.args[0], str):
        new_exc.args = (
            f"{new_exc.args[0]}{os.linesep}Original exception:{os.linesep}\t"
            f"{type(original).__name__}: {original}",
            *new_exc.args[1:],
        )
    raise new_exc from original
