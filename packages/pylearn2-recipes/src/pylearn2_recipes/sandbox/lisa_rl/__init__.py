"""pylearn2's ``sandbox.lisa_rl``: reinforcement-learning experiments."""
