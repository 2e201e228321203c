"""The black-box learning challenge (pylearn2's ``scripts/icml_2013_wrepl/black_box``)."""
