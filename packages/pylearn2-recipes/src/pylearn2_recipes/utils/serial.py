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
from typing import IO, Any, Literal

import numpy as np

from pylearn2_recipes import _trust
from pylearn2_recipes._budget import (
    DEFAULT_MAX_BYTES,
    BudgetExceeded,
    check_max_bytes,
    format_bytes,
    limit,
    nbytes,
    require,
)
from pylearn2_recipes.exceptions import ModelFileError, PickleRefusedError

__all__ = ["from_string", "load", "load_train_file", "read_bin_lush_matrix", "save", "to_string"]

FORMAT = "pylearn2-recipes-model"
FORMAT_VERSION = 1
_HEADER = "__model__"
_MAX_HEADER_BYTES = 1024**2
_PICKLE_MARKERS = (b"\x80", b"(", b"c", b"}", b"]", b"I", b"N")


def save(
    filepath: str | os.PathLike[str],
    obj: Any,
    on_overwrite: Literal["ignore", "backup"] = "ignore",
    allow_pickle: bool | None = None,
) -> None:
    """Write ``obj`` to ``filepath``.

    An ``MLP`` or an autoencoder (``models.autoencoder``) goes to the safe model
    format; a numpy array to ``.npy``/``.npz``
    by extension. Anything else is pickled only with ``allow_pickle=True``.

    Parameters
    ----------
    filepath : str or os.PathLike
    obj : MLP or numpy.ndarray or object
    on_overwrite : {"ignore", "backup"}, default="ignore"
        ``"backup"`` keeps the old file as ``<path>.bak`` until the new one is written.
    allow_pickle : bool, optional
        Default: False, unless ``install_alias(trust_files=True)`` was called.

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
    from pylearn2_recipes.models.autoencoder import Autoencoder
    from pylearn2_recipes.models.mlp import MLP

    path = os.fspath(filepath)
    if on_overwrite not in ("ignore", "backup"):
        raise ValueError(f"`on_overwrite` must be 'ignore' or 'backup', got {on_overwrite!r}")
    if isinstance(obj, (MLP, Autoencoder)):
        writer = _model_writer(obj)
    elif isinstance(obj, np.ndarray) and path.endswith((".npy", ".npz")):

        def writer(handle: Any) -> None:
            if path.endswith(".npy"):
                np.save(handle, obj, allow_pickle=False)
            else:
                np.savez(handle, obj)
    elif _trust.resolve(allow_pickle):

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
            "monitor": _monitor_records(getattr(model, "monitor", None)),
        }
    )
    arrays = {f"param_{i}": value for i, value in enumerate(model.get_param_values())}

    def writer(handle: Any) -> None:
        np.savez(handle, **{_HEADER: np.array(header), **arrays})

    return writer


_RECORDS = ("val_record", "epoch_record", "batch_record", "example_record", "time_record")


def _monitor_records(monitor: Any) -> dict[str, Any] | None:
    """The monitor's channel histories and counters, as pylearn2's pickled monitor kept."""
    if monitor is None or not hasattr(monitor, "channels"):
        return None
    return {
        "epochs_seen": int(monitor.get_epochs_seen()),
        "batches_seen": int(monitor.get_batches_seen()),
        "examples_seen": int(monitor.get_examples_seen()),
        "channels": {
            str(name): {key: [float(v) for v in getattr(channel, key)] for key in _RECORDS}
            for name, channel in monitor.channels.items()
        },
    }


def _restore_monitor(path: str, model: Any, records: Any) -> None:
    """Give the loaded model a monitor holding the saved histories (no graphs)."""
    from pylearn2_recipes.monitor import Monitor, MonitorChannel

    if records is None:
        return
    try:
        counters = [int(records[key]) for key in ("epochs_seen", "batches_seen", "examples_seen")]
        channels = {}
        for name, saved in dict(records["channels"]).items():
            values = {key: [float(v) for v in saved[key]] for key in _RECORDS}
            if len({len(v) for v in values.values()}) != 1:
                raise ValueError(f"channel {name!r} has records of different lengths")
            channel = MonitorChannel.__new__(MonitorChannel)
            channel.__setstate__({"name": str(name), **values})
            channels[str(name)] = channel
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ModelFileError(path, f"malformed monitor records ({error})") from error
    monitor = Monitor(model)
    monitor._epochs_seen, monitor._num_batches_seen, monitor._examples_seen = counters
    monitor.channels.update(channels)
    model.monitor = monitor


def _jsonable(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, default=float))
    except (TypeError, ValueError):
        return {}


def load(
    filepath: str | os.PathLike[str],
    retry: bool = True,
    allow_pickle: bool | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Any:
    """Read a model (or array) written by ``save``, bounded in memory and time.

    Every array's declared shape is checked against the model's architecture and
    against ``max_bytes`` before anything is allocated, and a model's parameters are
    taken from the file without first being initialised.

    Parameters
    ----------
    filepath : str or os.PathLike
    retry : bool, default=True
        Accepted for pylearn2 scripts; a bad file fails at once (no sleeping retries).
    allow_pickle : bool, optional
        Needed to read a pickle (e.g. an old pylearn2 ``.pkl``); unpickling runs code
        and is not bounded. Default: False, unless ``install_alias(trust_files=True)``
        was called.
    max_bytes : int, default=2 GiB
        Most bytes of arrays the file may make this process allocate.

    Returns
    -------
    MLP or numpy.ndarray or object

    Raises
    ------
    ModelFileError
        If the file is corrupt, truncated, of an unknown kind, inconsistent with its
        architecture, nested too deeply, or asks for more than ``max_bytes``.
    PickleRefusedError
        If it is a pickle and ``allow_pickle`` is False.
    FileNotFoundError
        If it does not exist.

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "big.npy")
    >>> save(path, np.zeros(1000))
    >>> try:
    ...     load(path, max_bytes=4000)
    ... except ModelFileError as error:
    ...     print(str(error).split(": ", 1)[1])
    the array: 7.8 KiB, over the limit max_bytes=3.9 KiB
    """
    path = os.fspath(filepath)
    check_max_bytes(max_bytes)
    with open(path, "rb") as handle:
        head = handle.read(8)
    try:
        if head.startswith(b"PK"):
            return _load_zip(path, max_bytes)
        if head.startswith(b"\x93NUMPY"):
            with open(path, "rb") as handle:
                return _read_npy(handle, os.path.getsize(path), "the array", path, max_bytes)
    except MemoryError as error:  # a last resort: every size was checked first
        raise ModelFileError(path, f"out of memory while reading ({error})") from None
    except RecursionError:
        raise ModelFileError(path, "nested too deeply") from None
    if _trust.resolve(allow_pickle):
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


def _read_npy(handle: IO[bytes], size: int, what: str, path: str, max_bytes: int) -> Any:
    """Read one ``.npy`` stream of ``size`` bytes after checking its header."""
    try:
        major, minor = np.lib.format.read_magic(handle)
        if (major, minor) == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
    except (ValueError, OSError, EOFError, SyntaxError) as error:
        raise ModelFileError(path, f"{what}: bad .npy header ({error})") from None
    if dtype.hasobject or dtype.kind not in "biufU":
        raise ModelFileError(path, f"{what}: dtype {dtype} is not a numeric array")
    wanted = nbytes(shape, dtype.itemsize)
    try:
        require(wanted, what, max_bytes)
    except BudgetExceeded as error:
        raise ModelFileError(path, str(error)) from None
    if size - handle.tell() != wanted:
        raise ModelFileError(
            path,
            f"{what}: declares shape {tuple(shape)} ({wanted} bytes) but holds "
            f"{size - handle.tell()} bytes (corrupt or truncated)",
        )
    data = handle.read(wanted)
    if len(data) != wanted:
        raise ModelFileError(path, f"{what}: corrupt or truncated")
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape, order="F" if fortran else "C").copy()


def _model_class(architecture: Any) -> Any:
    """The class a model file's architecture names (``MLP`` or an autoencoder)."""
    from pylearn2_recipes.models.autoencoder import MODEL_TYPES
    from pylearn2_recipes.models.mlp import MLP

    kind = architecture.get("class", "MLP") if isinstance(architecture, dict) else None
    if kind == "MLP":
        return MLP
    if kind in MODEL_TYPES:
        return MODEL_TYPES[kind]
    raise ValueError(f"unknown model class {kind!r}")


def _load_zip(path: str, max_bytes: int) -> Any:
    try:
        with zipfile.ZipFile(path) as archive:
            members = {
                info.filename.removesuffix(".npy"): info
                for info in archive.infolist()
                if info.filename.endswith(".npy")
            }
            declared = sum(info.file_size for info in members.values())
            try:
                require(declared, "the arrays (uncompressed)", max_bytes)
            except BudgetExceeded as error:
                raise ModelFileError(path, str(error)) from None

            def read(name: str) -> Any:
                info = members[name]
                with archive.open(info) as member:
                    return _read_npy(member, info.file_size, f"array {name!r}", path, max_bytes)

            if _HEADER not in members:
                if len(members) == 1:
                    return read(next(iter(members)))
                return {name: read(name) for name in members}
            if members[_HEADER].file_size > _MAX_HEADER_BYTES:
                raise ModelFileError(
                    path,
                    f"model header is {format_bytes(members[_HEADER].file_size)}, over the "
                    f"limit of {format_bytes(_MAX_HEADER_BYTES)}",
                )
            header = json.loads(str(read(_HEADER)))
            _check_header(path, header)
            names = [f"param_{i}" for i in range(len(header["params"]))]
            missing = [name for name in names if name not in members]
            if missing:
                raise ModelFileError(path, f"missing parameter arrays {missing}")
            _check_declared_shapes(
                path, header["architecture"], archive, members, names, max_bytes
            )
            values = [read(name) for name in names]
    except ModelFileError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
    ) as error:
        raise ModelFileError(
            path, f"corrupt or truncated ({type(error).__name__}: {error})"
        ) from error
    try:
        with limit(max_bytes):
            model = _model_class(header["architecture"]).from_architecture(
                header["architecture"], values
            )
    except BudgetExceeded as error:
        raise ModelFileError(path, str(error)) from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ModelFileError(path, f"inconsistent architecture ({error})") from error
    tag = header.get("tag", {})
    model.tag = tag if isinstance(tag, dict) else {}
    _restore_monitor(path, model, header.get("monitor"))
    return model


def _check_header(path: str, header: Any) -> None:
    if not isinstance(header, dict):
        raise ModelFileError(path, "malformed model header (not a JSON object)")
    if header.get("format") != FORMAT:
        raise ModelFileError(path, f"unknown format {header.get('format')!r}")
    if header.get("version") != FORMAT_VERSION:
        raise ModelFileError(path, f"unsupported format version {header.get('version')!r}")
    if not isinstance(header.get("params"), list):
        raise ModelFileError(path, "malformed model header (`params` is not a list)")
    if not isinstance(header.get("architecture"), dict):
        raise ModelFileError(path, "malformed model header (`architecture` is not an object)")


def _check_declared_shapes(
    path: str,
    architecture: dict[str, Any],
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    names: list[str],
    max_bytes: int,
) -> None:
    """Compare the architecture's parameter shapes with the stored arrays' headers."""
    from pylearn2_recipes.models.mlp import MLP, declared_param_shapes

    try:
        cls = _model_class(architecture)
        # A layer that holds a whole model (PretrainedLayer) builds it here: bounded too.
        with limit(max_bytes):
            declared = (
                declared_param_shapes(architecture)
                if cls is MLP
                else cls.declared_param_shapes(architecture)
            )
    except BudgetExceeded as error:
        raise ModelFileError(path, str(error)) from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ModelFileError(path, f"inconsistent architecture ({error})") from error
    if declared:
        field, shape = max(declared, key=lambda item: nbytes(item[1]))
        try:
            require(
                sum(nbytes(shape) for _, shape in declared),
                f"`architecture` declares parameters (largest: {field} of shape {shape})",
                max_bytes,
            )
        except BudgetExceeded as error:
            raise ModelFileError(path, str(error)) from None
    if len(declared) != len(names):
        raise ModelFileError(
            path,
            f"the architecture has {len(declared)} parameters but the file stores {len(names)}",
        )
    for (field, shape), name in zip(declared, names, strict=True):
        with archive.open(members[name]) as member:
            try:
                version = np.lib.format.read_magic(member)
                reader = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                stored = tuple(reader(member)[0])
            except (ValueError, OSError, EOFError, SyntaxError) as error:
                raise ModelFileError(path, f"array {name!r}: bad .npy header ({error})") from None
        if stored != tuple(shape):
            raise ModelFileError(
                path,
                f"`architecture` {field} declares shape {tuple(shape)} but the stored "
                f"{name} has shape {stored}",
            )


def load_train_file(
    config_file_path: str | os.PathLike[str],
    environ: dict[str, str] | None = None,
    allow_unsafe: bool | None = None,
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


def to_string(obj: Any) -> bytes:
    """``obj`` pickled to bytes, as pylearn2's ``serial.to_string``.

    Examples
    --------
    >>> from_string(to_string([1, 2.5]), allow_pickle=True)
    [1, 2.5]
    """
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def from_string(s: bytes, allow_pickle: bool | None = None) -> Any:
    """The object ``to_string`` pickled; unpickling runs code, so trusted bytes only.

    Parameters
    ----------
    s : bytes
    allow_pickle : bool, optional
        Default: False, unless ``install_alias(trust_files=True)`` was called.

    Raises
    ------
    PickleRefusedError
        If pickles are not allowed.
    """
    if not _trust.resolve(allow_pickle):
        raise PickleRefusedError(
            "from_string unpickles, which can run arbitrary code; pass allow_pickle=True "
            "only for bytes you trust"
        )
    return pickle.loads(s)


# The element types of lush's binary matrices, by magic number (lush's "binary
# matrix" file format, little-endian as lush and Koray's Matlab writer wrote them).
LUSH_MAGIC: dict[int, np.dtype[Any]] = {
    507333717: np.dtype("<u1"),
    507333716: np.dtype("<i4"),
    507333713: np.dtype("<f4"),
    507333715: np.dtype("<f8"),
}
_LUSH_MAX_NDIM = 64


def read_bin_lush_matrix(
    filepath: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> Any:
    """A matrix saved in lush's binary format, as pylearn2's ``serial.read_bin_lush_matrix``.

    The header is an int32 magic number (the element type: uint8, int32, float32 or
    float64), the number of dimensions and at least three int32 dimensions (lush pads
    smaller ones with 1s, which are kept, as pylearn2 does); the elements follow in C
    order. The shape is checked against the file's size and ``max_bytes`` before
    anything is allocated.

    Parameters
    ----------
    filepath : str or os.PathLike
    max_bytes : int, default=2 GiB
        Most bytes the matrix may take in memory.

    Returns
    -------
    numpy.ndarray
        In native byte order.

    Raises
    ------
    ModelFileError
        If the magic number is unknown, the header is truncated or absurd, the data do
        not match the declared shape (too few bytes or extra ones), or it needs more
        than ``max_bytes``.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "m.lushbin")
    >>> header = np.array([507333717, 3, 1, 2, 2], dtype="<i4").tobytes()
    >>> with open(path, "wb") as handle:
    ...     _ = handle.write(header + bytes([1, 2, 3, 4]))
    >>> read_bin_lush_matrix(path).tolist()
    [[[1, 2], [3, 4]]]
    """
    path = os.fspath(filepath)
    check_max_bytes(max_bytes)
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(8)
        if len(head) != 8:
            raise ModelFileError(path, "not a lush matrix: no magic number and dimension count")
        magic, ndim = (int(v) for v in np.frombuffer(head, dtype="<i4"))
        dtype = LUSH_MAGIC.get(magic)
        if dtype is None:
            raise ModelFileError(path, f"Unrecognized lush magic number {magic}")
        if not 0 <= ndim <= _LUSH_MAX_NDIM:
            raise ModelFileError(path, f"lush matrix declares {ndim} dimensions")
        count = max(3, ndim) if ndim else 0
        dims = handle.read(4 * count)
        if len(dims) != 4 * count:
            raise ModelFileError(path, "lush matrix header truncated in its dimensions")
        shape = tuple(int(v) for v in np.frombuffer(dims, dtype="<i4"))
        if any(n < 0 for n in shape):
            raise ModelFileError(path, f"lush matrix declares a negative dimension: {shape}")
        wanted = nbytes(shape, dtype.itemsize)
        try:
            require(wanted, "the lush matrix", max_bytes)
        except BudgetExceeded as error:
            raise ModelFileError(path, str(error)) from None
        held = size - handle.tell()
        if held != wanted:
            raise ModelFileError(
                path,
                f"lush matrix declares shape {shape} ({wanted} bytes) but holds {held} bytes"
                + (" (extra bytes at the end)" if held > wanted else " (truncated)"),
            )
        data = handle.read(wanted)
    if len(data) != wanted:
        raise ModelFileError(path, "lush matrix truncated while reading")
    return (
        np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="), copy=True).reshape(shape)
    )
