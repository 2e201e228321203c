"""Configuration, mirroring ``pylearn2.config``."""
