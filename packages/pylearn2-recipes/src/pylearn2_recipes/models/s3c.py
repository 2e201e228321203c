"""pylearn2's spike-and-slab sparse coding model (``pylearn2.models.s3c``): not implemented.

The names exist so that code importing them (pylearn2's own ``test_monitor.py`` does,
for one test) loads; building any of them raises `NotImplementedError` naming what is
missing. S3C's mean-field E step and closed-form M step (about 2,400 lines in pylearn2)
have no counterpart here.
"""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["S3C", "E_Step", "Grad_M_Step"]


def _missing(name: str, what: str) -> NoReturn:
    raise NotImplementedError(
        f"pylearn2.models.s3c.{name} ({what}) is not implemented by pylearn2-recipes; "
        "its models are MLPs, autoencoders and softmax regression"
    )


class S3C:
    """pylearn2's spike-and-slab sparse coding model; not available here.

    Raises
    ------
    NotImplementedError
        Always, naming the missing model.

    Examples
    --------
    >>> try:
    ...     S3C(nvis=4, nhid=1)
    ... except NotImplementedError as error:
    ...     print(str(error).split(" (")[0])
    pylearn2.models.s3c.S3C
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _missing("S3C", "spike-and-slab sparse coding with mean-field inference")


class E_Step:
    """S3C's mean-field inference step; not available here.

    Raises
    ------
    NotImplementedError
        Always, naming the missing step.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _missing("E_Step", "S3C's mean-field E step")


class Grad_M_Step:
    """S3C's gradient M step; not available here.

    Raises
    ------
    NotImplementedError
        Always, naming the missing step.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _missing("Grad_M_Step", "S3C's gradient-based M step")
