"""The distribution's version; `tools/release.py` rewrites it with ``project.version``."""

__version__ = "0.1.0"
