"""pylearn2's ``testing`` helpers that its YAML files build (``testing.datasets``)."""
