"""Theano's disturb_mem: allocate a little memory so object ids and addresses shift."""

_KEEP = []


def disturb_mem():
    """Allocate a few objects of varying size (determinism tests call it between runs)."""
    _KEEP.append([0] * (len(_KEEP) % 7 + 1))
