"""Load pylearn2 YAML experiments safely.

Tags as in pylearn2: ``!obj:module.Name {key: value}`` builds an object with keyword
arguments, ``!import:module.name`` (or ``!import 'module.name'``) refers to one
without calling it, ``!pkl: "path"`` loads a saved model, ``!float`` converts, and
``1e-3`` reads as a float. ``${VAR}`` in strings is replaced from ``environ`` then
``os.environ``. ``&anchor`` / ``*alias`` give the same object (one dataset shared by
``dataset:`` and ``monitoring_dataset:``).

Unlike pylearn2, which imported and ran whatever a tag named, only the names in
``registry.allowed_callables()`` are built unless ``allow_unsafe=True``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
from collections.abc import Callable, Mapping
from typing import IO, Any

import yaml

from pylearn2_recipes import _trust
from pylearn2_recipes._budget import (
    DEFAULT_MAX_BYTES,
    BudgetExceeded,
    check_max_bytes,
    current_max_bytes,
    limit,
)
from pylearn2_recipes.exceptions import (
    DuplicateKeyError,
    UnsafeYAMLError,
    YAMLArgumentError,
    YAMLConfigError,
)
from pylearn2_recipes.registry import allowed_callables

__all__ = ["MAX_DEPTH", "SCIENTIFIC_NOTATION_REGEXP", "initialize", "load", "load_path"]


def initialize() -> None:
    """Kept for pylearn2 scripts, which called it before ``yaml.load``; nothing to do here.

    The tags are registered on this module's own loader, never on PyYAML's global ones.

    Examples
    --------
    >>> initialize()
    """


SCIENTIFIC_NOTATION_REGEXP = r"^[-+]?(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9_]+)[eE][-+]?[0-9]+$"
"""pylearn2's name for the pattern of numbers PyYAML reads as strings (`1e-3`, `.2e4`)."""
_SCI_FLOAT = re.compile(SCIENTIFIC_NOTATION_REGEXP)
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class _Proxy:
    """A deferred ``!obj:`` call, built by ``_instantiate``."""

    def __init__(
        self, tag: str, factory: Callable[..., Any], kwargs: dict[str, Any], source: str = ""
    ) -> None:
        self.tag = tag
        self.factory = factory
        self.kwargs = kwargs
        self.yaml_src = source

    def __repr__(self) -> str:
        return f"<{self.tag} {self.kwargs!r}>"


def _resolve(name: str, tag: str, allow_unsafe: bool) -> Any:
    allowed = allowed_callables()
    if name in allowed:
        return allowed[name]
    if not allow_unsafe:
        raise UnsafeYAMLError(tag)
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                value = getattr(value, attribute)
        except AttributeError:
            break
        return value
    raise YAMLConfigError(f"{tag}: cannot import {name!r}")


MAX_DEPTH = 100
"""Deepest nesting of YAML collections a document may have (pylearn2 configs use < 20)."""


def _make_loader(allow_unsafe: bool) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            # PyYAML composes recursively: bound the depth before Python's own limit.
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                    raise YAMLConfigError(
                        f"line {mark.line + 1}: collections nested deeper than the limit "
                        f"MAX_DEPTH={MAX_DEPTH}"
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    def construct_obj(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Proxy:
        tag = f"!obj:{suffix}"
        factory = _resolve(suffix, tag, allow_unsafe)
        source = yaml.serialize(node)
        if isinstance(node, yaml.ScalarNode) and node.value == "":
            return _Proxy(tag, factory, {}, source)
        if not isinstance(node, yaml.MappingNode):
            raise YAMLConfigError(
                f"{tag}: arguments must be a mapping of keyword arguments (positional "
                "arguments are not supported, as in pylearn2)"
            )
        seen: set[str] = set()
        for key_node, _ in node.value:
            key = key_node.value
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag != "tag:yaml.org,2002:str"
            ):
                # pylearn2's message, word for word (its tests compare it)
                raise YAMLArgumentError(f"Received non string object ({key}) as key in mapping.")
            if key in seen:
                raise DuplicateKeyError(
                    f"{tag}: line {key_node.start_mark.line + 1}: keyword {key!r} is given twice",
                    f"found duplicate key ({key})",
                )
            seen.add(key)
        kwargs = loader.construct_mapping(node, deep=True)
        return _Proxy(tag, factory, {str(k): v for k, v in kwargs.items()}, source)

    def construct_import(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        return _resolve(suffix, f"!import:{suffix}", allow_unsafe)

    def construct_import_scalar(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        name = str(loader.construct_scalar(node))  # type: ignore[arg-type]
        return _resolve(name, f"!import {name}", allow_unsafe)

    def construct_pkl(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if suffix:
            raise YAMLConfigError(f'!pkl:{suffix}: write `!pkl: "path"` (a space after the colon)')
        from pylearn2_recipes.utils import serial

        path = str(loader.construct_scalar(node))  # type: ignore[arg-type]
        budget = current_max_bytes()
        loaded = serial.load(
            _substitute(path, {}),
            allow_pickle=allow_unsafe,
            max_bytes=DEFAULT_MAX_BYTES if budget is None else budget,
        )
        _set_yaml_src(loaded, yaml.serialize(node))
        return loaded

    def construct_float(loader: yaml.SafeLoader, node: yaml.Node) -> float:
        text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
        try:
            return float(text)
        except ValueError:
            raise YAMLConfigError(f"!float: {text!r} is not a number") from None

    def refuse(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        raise UnsafeYAMLError(f"{node.tag}")

    Loader.add_multi_constructor("!obj:", construct_obj)
    Loader.add_multi_constructor("!import:", construct_import)
    Loader.add_constructor("!import", construct_import_scalar)
    Loader.add_multi_constructor("!pkl:", construct_pkl)
    Loader.add_constructor("!float", construct_float)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", refuse)
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", _SCI_FLOAT, list("-+.0123456789"))
    return Loader


def _check_flow_depth(text: str) -> None:
    """Refuse ``[[[[...`` before PyYAML's scanner, which is quadratic in flow depth."""
    depth = deepest = 0
    quote = ""
    comment = False
    for char in text:
        if comment:
            comment = char != "\n"
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    raise YAMLConfigError(
                        f"collections nested deeper than the limit MAX_DEPTH={MAX_DEPTH}"
                    )
        elif char in "]}":
            depth -= 1


def _substitute(text: str, environ: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in environ:
            return environ[name]
        if name in os.environ:
            return os.environ[name]
        raise YAMLConfigError(f"${{{name}}} is not defined (pass environ= or set it)")

    return _VARIABLE.sub(replace, text)


_BUILDING = object()


def _set_yaml_src(obj: Any, source: str) -> None:
    """Keep the YAML an object was built from on it (``obj.yaml_src``), as pylearn2 does."""
    with contextlib.suppress(AttributeError, TypeError):  # numbers, arrays, __slots__
        obj.yaml_src = source


def _instantiate(value: Any, environ: Mapping[str, str], memo: dict[int, Any]) -> Any:
    if id(value) in memo:
        if memo[id(value)] is _BUILDING:
            raise YAMLConfigError("an `*alias` refers to a node that contains it (recursion)")
        return memo[id(value)]
    if isinstance(value, (_Proxy, dict, list)):
        memo[id(value)] = _BUILDING
    result: Any
    if isinstance(value, _Proxy):
        kwargs = {k: _instantiate(v, environ, memo) for k, v in value.kwargs.items()}
        try:
            result = value.factory(**kwargs)
        except BudgetExceeded as error:
            raise YAMLConfigError(f"{value.tag}: {error}") from None
        except TypeError as error:
            if isinstance(error, YAMLConfigError):
                raise
            raise YAMLArgumentError(f"{value.tag}: {error}") from error
        _set_yaml_src(result, value.yaml_src)
    elif isinstance(value, dict):
        result = {k: _instantiate(v, environ, memo) for k, v in value.items()}
    elif isinstance(value, list):
        result = [_instantiate(v, environ, memo) for v in value]
    elif isinstance(value, str):
        return _substitute(value, environ)
    else:
        return value
    memo[id(value)] = result
    return result


def load(
    stream: str | IO[str],
    environ: Mapping[str, str] | None = None,
    instantiate: bool = True,
    allow_unsafe: bool | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Any:
    """Parse a pylearn2 YAML document and build its objects.

    Parameters
    ----------
    stream : str or text file
    environ : mapping, optional
        Values for ``${VAR}``, looked up before ``os.environ``.
    instantiate : bool, default=True
        False returns the parsed tree with unbuilt ``!obj:`` proxies.
    allow_unsafe : bool, optional
        Let tags name any importable callable and ``!pkl:`` read pickles (pylearn2's
        behaviour). Only for trusted files: ``!obj:os.system`` would run a shell
        command. Default: False, unless ``install_alias(trust_files=True)`` was called.
    max_bytes : int, default=2 GiB
        Most bytes of arrays and model parameters the document may allocate (checked
        before allocating: model sizes, ``numpy.ones`` shapes, ``!pkl:`` files).

    Raises
    ------
    UnsafeYAMLError
        A tag names a callable off the allow-list; nothing has been built.
    YAMLArgumentError
        A ``!obj:`` call with wrong or non-string keywords (also a TypeError, as in
        pylearn2).
    DuplicateKeyError
        A keyword given twice (also PyYAML's ``ConstructorError``, as in pylearn2).
    YAMLConfigError
        Malformed tags, positional arguments, undefined ``${VAR}``, nesting deeper than
        ``MAX_DEPTH``, or an allocation over ``max_bytes`` (the message names both).
    yaml.YAMLError
        Invalid YAML.

    Examples
    --------
    >>> load("!obj:pylearn2.termination_criteria.EpochCounter {max_epochs: 3}").max_epochs
    3
    >>> load("lr: 1e-3")
    {'lr': 0.001}
    """
    text = stream if isinstance(stream, str) else stream.read()
    allow_unsafe = _trust.resolve(allow_unsafe)
    check_max_bytes(max_bytes)
    _check_flow_depth(text)
    try:
        with limit(max_bytes):
            tree = yaml.load(text, Loader=_make_loader(allow_unsafe))
            if not instantiate:
                return tree
            return _instantiate(tree, environ or {}, {})
    except RecursionError:
        raise YAMLConfigError("the document is nested too deeply") from None
    except MemoryError as error:  # a last resort: declared sizes are checked first
        raise YAMLConfigError(f"out of memory while building the document ({error})") from None


def load_path(
    path: str | os.PathLike[str],
    environ: Mapping[str, str] | None = None,
    instantiate: bool = True,
    allow_unsafe: bool | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Any:
    """``load`` the YAML file at ``path`` (same arguments and errors).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = path.write_text("n: !obj:pylearn2.termination_criteria.EpochCounter {max_epochs: 2}")
    >>> load_path(path)["n"].max_epochs
    2
    """
    with open(path) as handle:
        return load(
            handle.read(),
            environ=environ,
            instantiate=instantiate,
            allow_unsafe=allow_unsafe,
            max_bytes=max_bytes,
        )
