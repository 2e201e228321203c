"""Python 2/3 helpers pylearn2 code imports from ``pylearn2.compat``.

Examples
--------
>>> first_key({"a": 1})
'a'
"""

from __future__ import annotations

# pylearn2 code imports OrderedDict from here (`from pylearn2.compat import OrderedDict`).
from collections import OrderedDict as OrderedDict
from typing import Any

__all__ = ["first_key", "first_value"]


def first_key(obj: Any) -> Any:
    """The first key of a mapping (pylearn2 used it on one-entry dicts).

    Examples
    --------
    >>> first_key(OrderedDict([("b", 2), ("a", 1)]))
    'b'
    """
    return next(iter(obj))


def first_value(obj: Any) -> Any:
    """The value of ``first_key(obj)``.

    Examples
    --------
    >>> first_value({"a": 1})
    1
    """
    return obj[first_key(obj)]
