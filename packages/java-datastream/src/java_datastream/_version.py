"""The package version, kept equal to project.version by tools/release.py."""

__version__ = "0.1.0"
