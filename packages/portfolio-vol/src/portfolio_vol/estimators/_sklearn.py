"""Import scikit-learn's covariance module, or say which extra installs it."""

from __future__ import annotations

import importlib
from typing import Any

from ..exceptions import MissingExtraError

__all__: list[str] = []


def sklearn_covariance(method: str) -> Any:
    try:
        return importlib.import_module("sklearn.covariance")
    except ImportError:
        raise MissingExtraError(
            f"method={method!r} needs scikit-learn: pip install 'portfolio-vol[sklearn]'"
        ) from None
