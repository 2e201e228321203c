"""The ICML 2013 representation-learning workshop challenges (``scripts/icml_2013_wrepl``)."""
