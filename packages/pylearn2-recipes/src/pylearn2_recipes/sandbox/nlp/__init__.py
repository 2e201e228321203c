"""pylearn2's ``sandbox.nlp``: natural-language models."""
