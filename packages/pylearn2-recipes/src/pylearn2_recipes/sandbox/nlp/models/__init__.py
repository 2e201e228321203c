"""pylearn2's ``sandbox.nlp.models``."""
