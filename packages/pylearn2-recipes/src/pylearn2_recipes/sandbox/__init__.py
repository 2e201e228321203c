"""pylearn2's sandbox experiments that its archived YAML files use."""
