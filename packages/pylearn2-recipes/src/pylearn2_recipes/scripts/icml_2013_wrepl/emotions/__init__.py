"""The facial-expression challenge (pylearn2's ``scripts/icml_2013_wrepl/emotions``)."""
