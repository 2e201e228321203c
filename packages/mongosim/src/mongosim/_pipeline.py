"""Aggregation pipeline stages that reshape documents, evaluated with MongoDB's expression rules.

``$addFields``/``$set``, ``$project``, ``$unset``, ``$replaceRoot`` and ``$replaceWith`` are
the stages an update pipeline may use; they are implemented here on top of
[`_expressions`][mongosim._expressions] (variables, missing fields) and also replace
mongomock's versions of them, so ``$facet`` sub-pipelines get them too. Every other stage
is mongomock's, unless the command supplies its own handler (``$merge``, ``$out``,
``$documents``...).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from mongosim._command_error import CommandError
from mongosim._expressions import MISSING, Scope, evaluate_in, scope_for
from mongosim._values import type_name

__all__ = [
    "UPDATE_STAGES",
    "install_stages_into_mongomock",
    "run_pipeline",
    "stage_name",
]

UPDATE_STAGES = frozenset(
    {"$addFields", "$set", "$project", "$unset", "$replaceRoot", "$replaceWith"}
)
"""The stages MongoDB accepts in an update pipeline."""

Handler = Callable[[list[Any], Any, Any], list[Any]]

_INCLUDE = object()
_EXCLUDE = object()


def stage_name(stage: Any) -> str:
    """The name of a pipeline stage document, checked to be ``{"$name": spec}``."""
    if not isinstance(stage, dict) or len(stage) != 1:
        raise CommandError(
            40323,
            "Location40323",
            "A pipeline stage specification object must contain exactly one field.",
        )
    return str(next(iter(stage)))


# -- $addFields / $set ----------------------------------------------------------------------


def _is_nested_spec(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and not any(isinstance(key, str) and key.startswith("$") for key in value)
    )


def _assign(target: dict[str, Any], parts: list[str], expression: Any, scope: Scope) -> None:
    key = parts[0]
    if len(parts) > 1:
        target[key] = _assign_below(target.get(key, MISSING), parts[1:], expression, scope)
        return
    if _is_nested_spec(expression):
        target[key] = _assign_below(target.get(key, MISSING), None, expression, scope)
        return
    value = evaluate_in(expression, scope)
    if value is MISSING:
        target.pop(key, None)
    else:
        target[key] = value


def _assign_below(existing: Any, parts: list[str] | None, expression: Any, scope: Scope) -> Any:
    if isinstance(existing, list):
        return [_assign_below(item, parts, expression, scope) for item in existing]
    document = dict(existing) if isinstance(existing, dict) else {}
    if parts is not None:
        _assign(document, parts, expression, scope)
    else:
        for name, value in expression.items():
            _assign(document, name.split("."), value, scope)
    return document


def _check_field_path(path: str, stage: str) -> None:
    if not isinstance(path, str) or not path or path.startswith("$"):
        raise CommandError(
            16410,
            "Location16410",
            f"Invalid {stage} :: caused by :: FieldPath field names may not start with '$'."
            f" Consider using $getField or $setField.",
        )
    if any(part == "" for part in path.split(".")):
        raise CommandError(
            15998,
            "Location15998",
            f"Invalid {stage} :: caused by :: FieldPath field names may not be empty strings.",
        )


def add_fields(document: dict[str, Any], spec: Any, stage: str = "$addFields") -> dict[str, Any]:
    """One document through ``{"$addFields": spec}`` (or ``$set``).

    Examples
    --------
    >>> add_fields({"_id": 1, "a": {"x": 1}}, {"a.y": 2, "b": "$absent"})
    {'_id': 1, 'a': {'x': 1, 'y': 2}}
    """
    if not isinstance(spec, dict) or not spec:
        raise CommandError(
            40272,
            "Location40272",
            f"Invalid {stage} :: caused by :: specification must have at least one field",
        )
    scope = scope_for(document)
    result = dict(document)
    for path, expression in spec.items():
        _check_field_path(path, stage)
        _assign(result, path.split("."), expression, scope)
    return result


# -- $project / $unset ----------------------------------------------------------------------


def _is_flag(value: Any) -> bool:
    return isinstance(value, (bool, int, float)) and not isinstance(value, str)


def _projection_tree(spec: dict[str, Any], stage: str) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in spec.items():
        _check_field_path(path, stage)
        parts = path.split(".")
        node = tree
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise CommandError(
                    31250,
                    "Location31250",
                    f"Invalid {stage} :: caused by :: Path collision at {path}",
                )
            node = child
        leaf = parts[-1]
        if _is_nested_spec(value):
            existing = node.setdefault(leaf, {})
            if not isinstance(existing, dict):
                raise CommandError(
                    31250,
                    "Location31250",
                    f"Invalid {stage} :: caused by :: Path collision at {path}",
                )
            existing.update(_projection_tree(value, stage))
        elif _is_flag(value):
            node[leaf] = _INCLUDE if value else _EXCLUDE
        else:
            node[leaf] = ("computed", value)
    return tree


def _mode(tree: dict[str, Any], top: bool = True) -> set[str]:
    modes = set()
    for name, node in tree.items():
        if top and name == "_id" and node in (_INCLUDE, _EXCLUDE):
            continue
        if node is _INCLUDE:
            modes.add("include")
        elif node is _EXCLUDE:
            modes.add("exclude")
        elif isinstance(node, tuple):
            modes.add("include")
        else:
            modes |= _mode(node, top=False)
    return modes


def _exclude(value: Any, tree: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_exclude(item, tree) if isinstance(item, (dict, list)) else item for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for name, item in value.items():
        node = tree.get(name)
        if node is _EXCLUDE:
            continue
        result[name] = _exclude(item, node) if isinstance(node, dict) else item
    return result


def _include(value: Any, tree: dict[str, Any], scope: Scope, top: bool) -> Any:
    if isinstance(value, list):
        return [
            _include(item, tree, scope, False) for item in value if isinstance(item, (dict, list))
        ]
    source = value if isinstance(value, dict) else {}
    result: dict[str, Any] = {}
    if top and "_id" in source and tree.get("_id", _INCLUDE) is _INCLUDE:
        result["_id"] = source["_id"]
    for name, item in source.items():
        node = tree.get(name)
        if node is _INCLUDE:
            result[name] = item
        elif isinstance(node, dict) and isinstance(item, (dict, list)):
            result[name] = _include(item, node, scope, False)
    for name, node in tree.items():
        if isinstance(node, tuple):
            computed = evaluate_in(node[1], scope)
            if computed is not MISSING:
                result[name] = computed
        elif isinstance(node, dict) and _has_computed(node) and name not in result:
            result[name] = _include({}, node, scope, False)
    return result


def _has_computed(tree: dict[str, Any]) -> bool:
    return any(
        isinstance(node, tuple) or (isinstance(node, dict) and _has_computed(node))
        for node in tree.values()
    )


def project(document: dict[str, Any], spec: Any, stage: str = "$project") -> dict[str, Any]:
    """One document through ``{"$project": spec}``.

    Examples
    --------
    >>> project({"_id": 1, "a": 1, "b": 2}, {"a": 1, "c": {"$add": ["$a", "$b"]}})
    {'_id': 1, 'a': 1, 'c': 3}
    >>> project({"_id": 1, "a": 1, "b": 2}, {"a": 0})
    {'_id': 1, 'b': 2}
    """
    if not isinstance(spec, dict) or not spec:
        raise CommandError(
            51272,
            "Location51272",
            f"Invalid {stage} :: caused by :: projection specification must have at least one"
            " field",
        )
    tree = _projection_tree(spec, stage)
    modes = _mode(tree)
    if modes == {"include", "exclude"}:
        raise CommandError(
            31254,
            "Location31254",
            f"Invalid {stage} :: caused by :: Cannot do exclusion on a field in an inclusion"
            " projection",
        )
    if "include" in modes or (not modes and tree.get("_id") is _INCLUDE):
        included: dict[str, Any] = _include(document, tree, scope_for(document), True)
        return included
    excluded: dict[str, Any] = _exclude(document, tree)
    return excluded


def unset(document: dict[str, Any], spec: Any) -> dict[str, Any]:
    """One document through ``{"$unset": "field"}`` or ``{"$unset": ["a", "b.c"]}``."""
    fields = [spec] if isinstance(spec, str) else spec
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise CommandError(
            31002,
            "Location31002",
            "$unset specification must be a string or an array containing only string values",
        )
    return project(document, dict.fromkeys(fields, 0), "$unset")


# -- $replaceRoot / $replaceWith ------------------------------------------------------------


def replace_root(document: dict[str, Any], expression: Any, what: str) -> dict[str, Any]:
    """Evaluate the new root; it must be a document (error 40228 otherwise)."""
    value = evaluate_in(expression, scope_for(document))
    if not isinstance(value, dict):
        shown = "MISSING" if value is MISSING else repr(value)
        raise CommandError(
            40228,
            "Location40228",
            f"'{what}' must evaluate to an object, but resulting value was: {shown}. Type of"
            f" resulting value: '{type_name(value)}'. Input document: {document}",
        )
    return value


def _replace_root_stage(spec: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    if not isinstance(spec, dict) or "newRoot" not in spec:
        raise CommandError(
            40231, "Location40231", "no newRoot specified for the $replaceRoot stage"
        )
    return lambda document: replace_root(document, spec["newRoot"], "newRoot")


_DOCUMENT_STAGES: dict[str, Callable[[Any], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "$addFields": lambda spec: lambda doc: add_fields(doc, spec, "$addFields"),
    "$set": lambda spec: lambda doc: add_fields(doc, spec, "$set"),
    "$project": lambda spec: lambda doc: project(doc, spec),
    "$unset": lambda spec: lambda doc: unset(doc, spec),
    "$replaceRoot": _replace_root_stage,
    "$replaceWith": lambda spec: lambda doc: replace_root(doc, spec, "replacement document"),
}


def _per_document(name: str) -> Handler:
    build = _DOCUMENT_STAGES[name]

    def handler(documents: list[Any], database: Any, spec: Any) -> list[Any]:
        transform = build(spec)
        return [transform(document) for document in documents]

    return handler


_install_lock = threading.Lock()


def _nothing_from_nothing(handler: Handler) -> Handler:
    """``$group`` and ``$count`` over no documents give no documents (mongomock gave one)."""

    def wrapped(documents: list[Any], database: Any, spec: Any) -> list[Any]:
        return list(handler(documents, database, spec)) if documents else []

    wrapped._mongosim_empty = True  # type: ignore[attr-defined]
    return wrapped


def install_stages_into_mongomock() -> None:
    """Make mongomock's pipelines (``$facet`` included) use these stages (idempotent)."""
    from mongomock import aggregate

    with _install_lock:
        table = aggregate._PIPELINE_HANDLERS
        for name in _DOCUMENT_STAGES:
            table[name] = _per_document(name)
        for name in ("$group", "$count"):
            handler = table[name]
            if handler is not None and not getattr(handler, "_mongosim_empty", False):
                table[name] = _nothing_from_nothing(handler)


def run_pipeline(
    documents: list[Any],
    pipeline: Any,
    database: Any,
    handlers: dict[str, Handler] | None = None,
    allowed: frozenset[str] | None = None,
) -> list[Any]:
    """Run ``pipeline`` over ``documents``; ``handlers`` add or override stages.

    ``allowed`` restricts the stage names (an update pipeline's).
    """
    from mongomock import aggregate

    if not isinstance(pipeline, list):
        raise CommandError(14, "TypeMismatch", "'pipeline' option must be specified as an array")
    table = {**aggregate._PIPELINE_HANDLERS, **{n: _per_document(n) for n in _DOCUMENT_STAGES}}
    table.update(handlers or {})
    for stage in pipeline:
        name = stage_name(stage)
        if allowed is not None and name not in allowed:
            raise CommandError(
                72,
                "InvalidOptions",
                f"Invalid update pipeline: {name} is not allowed to be used within an update",
            )
        if name not in table:
            raise CommandError(
                40324, "Location40324", f"Unrecognized pipeline stage name: '{name}'"
            )
        handler = table[name]
        if handler is None:
            raise CommandError(
                115,
                "CommandNotSupported",
                f"mongosim (mongomock) does not implement the {name} stage",
            )
        documents = list(handler(documents, database, stage[name]))
    return documents
