"""The package version, a constant so that `import portfolio_vol` reads no metadata."""

__version__ = "0.1.0"
