"""Symbolic expressions shared by models and costs; pylearn2's ``pylearn2.expr``."""
