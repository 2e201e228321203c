"""The package version: a constant that ``tools/release.py`` rewrites on each release."""

__all__ = ["__version__"]

__version__ = "0.1.0"
