"""``${VAR}`` expansion of a challenge's ``base_path``, as pylearn2's ``preprocess``."""

from __future__ import annotations

import os
import re

__all__ = ["expand_variables"]


def expand_variables(path: str) -> str:
    """``path`` with each ``${NAME}`` replaced by that environment variable.

    Examples
    --------
    >>> expand_variables("/data/icml_2013_emotions")
    '/data/icml_2013_emotions'
    >>> expand_variables("${P2R_UNSET_EXAMPLE}/icml_2013_emotions")
    Traceback (most recent call last):
    ...
    ValueError: `base_path` uses ${P2R_UNSET_EXAMPLE}, which is not set
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ValueError(f"`base_path` uses ${{{name}}}, which is not set")
        return os.environ[name]

    return re.sub(r"\$\{(\w+)\}", replace, path)
