"""pylearn2's ``scripts`` packages whose classes its YAML experiments build."""
