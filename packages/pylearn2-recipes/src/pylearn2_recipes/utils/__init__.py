"""Utilities, mirroring ``pylearn2.utils``."""
