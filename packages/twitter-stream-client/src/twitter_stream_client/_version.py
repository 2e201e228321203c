"""The installed distribution's version (one source: the package metadata)."""

from __future__ import annotations

import importlib.metadata

__all__ = ["__version__"]

__version__ = importlib.metadata.version("twitter-stream-client")
