"""The package version; ``tools/release.py`` keeps it equal to ``project.version``."""

__version__ = "0.1.0"
