"""Errors raised by pylearn2-recipes.

::

    Pylearn2RecipesError
    ├── UnsafeYAMLError (ValueError)       a YAML tag names a callable off the allow-list
    ├── YAMLConfigError (ValueError)       a YAML experiment is malformed
    │   ├── YAMLArgumentError (TypeError)  an !obj: call with wrong or non-string keywords
    │   └── DuplicateKeyError (yaml ConstructorError)  a keyword given twice
    ├── InvalidArgumentError (ValueError, AssertionError)  an argument pylearn2 asserted on
    ├── ModelFileError (ValueError)        a model file is corrupt, truncated or not a model
    ├── DataFileError (ValueError)         a dataset file has a malformed row
    ├── PickleRefusedError (ValueError)    loading or saving a pickle without ``allow_pickle=True``
    ├── NonFiniteError (RuntimeError)      a parameter became NaN or infinite during training
    ├── TargetMarginalsError (ValueError, AssertionError)  Softmax bias from unusable targets
    └── BackendUnavailableError (NotImplementedError)  a GPU-only op (cuDNN) on PyTensor's CPU

None of them is worth retrying: each names input that must be fixed first.
"""

from __future__ import annotations

from yaml.constructor import ConstructorError

__all__ = [
    "BackendUnavailableError",
    "DataFileError",
    "DuplicateKeyError",
    "InvalidArgumentError",
    "ModelFileError",
    "NonFiniteError",
    "PickleRefusedError",
    "Pylearn2RecipesError",
    "TargetMarginalsError",
    "UnsafeYAMLError",
    "YAMLArgumentError",
    "YAMLConfigError",
]


class Pylearn2RecipesError(Exception):
    """Root of every error this package raises on purpose."""


class UnsafeYAMLError(Pylearn2RecipesError, ValueError):
    """A YAML tag names a callable that is not on the allow-list.

    Attributes
    ----------
    tag : str
        The refused tag, e.g. ``"!obj:os.system"``.
    """

    def __init__(self, tag: str) -> None:
        self.tag = tag
        super().__init__(
            f"refused YAML tag {tag!r}: it is not on the allow-list of pylearn2-recipes "
            "callables; pass allow_unsafe=True only for a file you trust"
        )


class YAMLConfigError(Pylearn2RecipesError, ValueError):
    """A YAML experiment is malformed (bad tag syntax, positional arguments, bad keys)."""


class YAMLArgumentError(YAMLConfigError, TypeError):
    """A YAML ``!obj:`` call got keywords its callable does not take (pylearn2: TypeError)."""


class DuplicateKeyError(YAMLConfigError, ConstructorError):
    """A YAML mapping gives a keyword twice (pylearn2: PyYAML's ``ConstructorError``).

    Its message ends with ``found duplicate key (<name>)``, as pylearn2's did.
    """

    def __init__(self, context: str, problem: str) -> None:
        ConstructorError.__init__(self, context, None, problem, None)


class InvalidArgumentError(Pylearn2RecipesError, ValueError, AssertionError):
    """An argument out of its range or of the wrong kind, where pylearn2 had an ``assert``.

    It is also an AssertionError, so code written for pylearn2 (which caught that)
    still works.
    """


class ModelFileError(Pylearn2RecipesError, ValueError):
    """A model file is corrupt, truncated or not in a format this package reads.

    Attributes
    ----------
    path : str
        The file that could not be read.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(f"cannot load model file {path!r}: {problem}")


class DataFileError(Pylearn2RecipesError, ValueError):
    """A dataset file (e.g. a Kaggle CSV) is malformed; the message names the file and line.

    Attributes
    ----------
    path : str
        The file that could not be read.
    line : int or None
        Its 1-based line number, when one line is at fault.

    Examples
    --------
    >>> str(DataFileError("train.csv", "label '9' is not in 0..6", line=3))
    "cannot read data file 'train.csv', line 3: label '9' is not in 0..6"
    """

    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = repr(path) if line is None else f"{path!r}, line {line}"
        super().__init__(f"cannot read data file {where}: {problem}")


class PickleRefusedError(Pylearn2RecipesError, ValueError):
    """Reading (or writing) a pickle needs an explicit ``allow_pickle=True``.

    Unpickling runs arbitrary code from the file, so it is never done implicitly.
    """


class NonFiniteError(Pylearn2RecipesError, RuntimeError):
    """A model parameter is NaN or infinite (before or after a training epoch)."""


class TargetMarginalsError(Pylearn2RecipesError, ValueError, AssertionError):
    """``Softmax(init_bias_target_marginals=...)`` got targets it cannot take frequencies of.

    Also an ``AssertionError``, which is what pylearn2 raised (e.g. several labels per
    example).
    """


class BackendUnavailableError(Pylearn2RecipesError, NotImplementedError):
    """An operation needs a GPU library (cuDNN) that PyTensor's CPU backend does not have.

    pylearn2's ``pool_dnn`` called cuDNN's pooling; here ``max_pool`` computes the same
    result on the CPU.
    """
