"""Save and load models without pickle.

A model file is a zip (``.npz``) holding the parameters as arrays and the
architecture as JSON, whatever the file's extension, so the blog's
``MonitorBasedSaveBest(..., '/tmp/best.pkl')`` then ``serial.load('/tmp/best.pkl')``
round-trips safely. Pickles, which run code when loaded, need ``allow_pickle=True``.
"""

from __future__ import annotations

import json
import os
import pickle
import zipfile
from typing import Any, Literal

import numpy as np

from pylearn2_recipes.exceptions import ModelFileError, PickleRefusedError

__all__ = ["load", "load_train_file", "save"]

FORMAT = "pylearn2-recipes-model"
FORMAT_VERSION = 1
_HEADER = "__model__"
_PICKLE_MARKERS = (b"\x80", b"(", b"c", b"}", b"]", b"I", b"N")


def save(
    filepath: str | os.PathLike[str],
    obj: Any,
    on_overwrite: Literal["ignore", "backup"] = "ignore",
    allow_pickle: bool = False,
) -> None:
    """Write ``obj`` to ``filepath``.

    An ``MLP`` goes to the safe model format; a numpy array to ``.npy``/``.npz``
    by extension. Anything else is pickled only with ``allow_pickle=True``.

    Parameters
    ----------
    filepath : str or os.PathLike
    obj : MLP or numpy.ndarray or object
    on_overwrite : {"ignore", "backup"}, default="ignore"
        ``"backup"`` keeps the old file as ``<path>.bak`` until the new one is written.
    allow_pickle : bool, default=False

    Raises
    ------
    PickleRefusedError
        For an object that can only be pickled, without ``allow_pickle=True``.

    Examples
    --------
    >>> import tempfile, os
    >>> from pylearn2_recipes.models.mlp import MLP, Softmax
    >>> path = os.path.join(tempfile.mkdtemp(), "best.pkl")
    >>> save(path, MLP([Softmax(2, "output", irange=.1)], nvis=3))
    >>> load(path).nvis
    3
    """
    from pylearn2_recipes.models.mlp import MLP

    path = os.fspath(filepath)
    if on_overwrite not in ("ignore", "backup"):
        raise ValueError(f"`on_overwrite` must be 'ignore' or 'backup', got {on_overwrite!r}")
    if isinstance(obj, MLP):
        writer = _model_writer(obj)
    elif isinstance(obj, np.ndarray) and path.endswith((".npy", ".npz")):

        def writer(handle: Any) -> None:
            if path.endswith(".npy"):
                np.save(handle, obj, allow_pickle=False)
            else:
                np.savez(handle, obj)
    elif allow_pickle:

        def writer(handle: Any) -> None:
            pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        raise PickleRefusedError(
            f"saving a {type(obj).__name__} to {path!r} needs pickle; pass allow_pickle=True "
            "(only models and numpy arrays have a safe format)"
        )
    backup = path + ".bak"
    if on_overwrite == "backup" and os.path.exists(path):
        os.replace(path, backup)
        with open(path, "wb") as handle:
            writer(handle)
        os.remove(backup)
        return
    with open(path, "wb") as handle:
        writer(handle)


def _model_writer(model: Any) -> Any:
    header = json.dumps(
        {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "architecture": model.architecture(),
            "params": [param.name for param in model.get_params()],
            "tag": _jsonable(model.tag),
        }
    )
    arrays = {f"param_{i}": value for i, value in enumerate(model.get_param_values())}

    def writer(handle: Any) -> None:
        np.savez(handle, **{_HEADER: np.array(header), **arrays})

    return writer


def _jsonable(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=float))
    except (TypeError, ValueError):
        return {}


def load(filepath: str | os.PathLike[str], retry: bool = True, allow_pickle: bool = False) -> Any:
    """Read a model (or array) written by ``save``.

    Parameters
    ----------
    filepath : str or os.PathLike
    retry : bool, default=True
        Accepted for pylearn2 scripts; a bad file fails at once (no sleeping retries).
    allow_pickle : bool, default=False
        Needed to read a pickle (e.g. an old pylearn2 ``.pkl``); unpickling runs code.

    Returns
    -------
    MLP or numpy.ndarray or object

    Raises
    ------
    ModelFileError
        If the file is corrupt, truncated or of an unknown kind.
    PickleRefusedError
        If it is a pickle and ``allow_pickle`` is False.
    FileNotFoundError
        If it does not exist.
    """
    path = os.fspath(filepath)
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK"):
        return _load_zip(path)
    if head.startswith(b"\x93NUMPY"):
        try:
            return np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as error:
            raise ModelFileError(path, f"bad .npy data ({error})") from error
    if allow_pickle:
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle, encoding="latin-1")
        except (ImportError, AttributeError) as error:
            raise ModelFileError(
                path,
                f"the pickle needs code that is not here ({error}); pylearn2/Theano model "
                "pickles cannot be read: retrain and save with this package",
            ) from error
        except (pickle.UnpicklingError, EOFError, ValueError, IndexError) as error:
            raise ModelFileError(
                path, f"corrupt pickle ({type(error).__name__}: {error})"
            ) from error
    if head[:1] in _PICKLE_MARKERS:
        raise PickleRefusedError(
            f"{path!r} looks like a pickle, which can run arbitrary code when loaded; pass "
            "allow_pickle=True only if you trust the file"
        )
    raise ModelFileError(path, "not a pylearn2-recipes model, a .npy/.npz file or a pickle")


def _load_zip(path: str) -> Any:
    from pylearn2_recipes.models.mlp import MLP

    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            names = list(archive.files)
            if _HEADER not in names:
                if len(names) == 1:
                    return archive[names[0]]
                return {name: archive[name] for name in names}
            header = json.loads(str(archive[_HEADER]))
            if not isinstance(header, dict):
                raise ModelFileError(path, "malformed model header (not a JSON object)")
            if header.get("format") != FORMAT:
                raise ModelFileError(path, f"unknown format {header.get('format')!r}")
            if header.get("version") != FORMAT_VERSION:
                raise ModelFileError(path, f"unsupported format version {header.get('version')!r}")
            if not isinstance(header.get("params"), list):
                raise ModelFileError(path, "malformed model header (`params` is not a list)")
            values = [archive[f"param_{i}"] for i in range(len(header["params"]))]
    except ModelFileError:
        raise
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        OSError,
        EOFError,
        json.JSONDecodeError,
    ) as error:
        raise ModelFileError(
            path, f"corrupt or truncated ({type(error).__name__}: {error})"
        ) from error
    try:
        model = MLP.from_architecture(header["architecture"], values)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(path, f"inconsistent architecture ({error})") from error
    model.tag = header.get("tag", {})
    return model


def load_train_file(
    config_file_path: str | os.PathLike[str],
    environ: dict[str, str] | None = None,
    allow_unsafe: bool = False,
) -> Any:
    """Load a YAML experiment with pylearn2's ``PYLEARN2_TRAIN_*`` variables defined.

    ``${PYLEARN2_TRAIN_FILE_FULL_STEM}`` (path without extension), ``_DIR``,
    ``_BASE_NAME`` and ``_FILE_STEM`` name the config file, so a config can say
    ``save_path: "${PYLEARN2_TRAIN_FILE_FULL_STEM}.pkl"``. ``os.environ`` is left
    untouched. Same errors as ``config.yaml_parse.load``.
    """
    from pylearn2_recipes.config import yaml_parse

    path = os.path.abspath(os.fspath(config_file_path))
    directory, base_name = os.path.split(path)
    stem = base_name.rsplit(".", 1)[0]
    variables = {
        "PYLEARN2_TRAIN_FILE_FULL_STEM": os.path.join(directory, stem),
        "PYLEARN2_TRAIN_DIR": directory,
        "PYLEARN2_TRAIN_BASE_NAME": base_name,
        "PYLEARN2_TRAIN_FILE_STEM": stem,
        **(environ or {}),
    }
    return yaml_parse.load_path(path, environ=variables, allow_unsafe=allow_unsafe)
