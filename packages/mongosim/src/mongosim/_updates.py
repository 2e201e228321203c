"""Updates applied to one document as mongod applies them: operators, replacements, pipelines.

One function, [`apply_update`][mongosim._updates.apply_update], turns a stored document and
an update statement's ``u`` into the new document, or raises the error mongod gives:

- update operators (``$set``, ``$unset``, ``$inc``, ``$mul``, ``$min``, ``$max``,
  ``$rename``, ``$setOnInsert``, ``$currentDate``, ``$push`` with ``$each``/``$position``/
  ``$slice``/``$sort``, ``$addToSet``, ``$pop``, ``$pull``, ``$pullAll``, ``$bit``) on
  dotted paths, with the positional ``$`` (the element the query matched), ``$[]`` (every
  element) and ``$[<identifier>]`` (the elements its ``arrayFilters`` entry matches);
- a replacement document, which keeps the stored ``_id`` (the filter's ``_id`` condition
  plays no part), and may not change it;
- an update pipeline (``$set``, ``$unset``, ``$project``, ``$replaceRoot``/``$replaceWith``...),
  whose result keeps the stored ``_id`` when it drops it.

[`upsert_seed`][mongosim._updates.upsert_seed] builds the document an upsert starts from
(the filter's equality conditions).
"""

from __future__ import annotations

import copy
import datetime
import decimal
import re
from typing import Any

from bson import Decimal128, Int64, Timestamp

from mongosim._command_error import CommandError
from mongosim._expressions import MISSING, command_variables
from mongosim._pipeline import UPDATE_STAGES, run_pipeline
from mongosim._values import compare, is_number, numeric_value, render, type_name, values_equal

__all__ = [
    "UpdateKind",
    "apply_update",
    "check_storable",
    "classify",
    "upsert_seed",
    "whole_paths",
]

UpdateKind = str
_OPERATORS = (
    "$set",
    "$unset",
    "$inc",
    "$mul",
    "$min",
    "$max",
    "$rename",
    "$setOnInsert",
    "$currentDate",
    "$push",
    "$addToSet",
    "$pop",
    "$pull",
    "$pullAll",
    "$bit",
)
_IDENTIFIER = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def classify(update: Any) -> UpdateKind:
    """``"pipeline"``, ``"operators"`` or ``"replacement"``, or the error mongod gives.

    Examples
    --------
    >>> classify({"$set": {"a": 1}}), classify({"a": 1}), classify([{"$set": {"a": 1}}])
    ('operators', 'replacement', 'pipeline')
    """
    if isinstance(update, list):
        return "pipeline"
    if not isinstance(update, dict):
        raise CommandError(
            14,
            "TypeMismatch",
            "Update argument must be either an object or an array",
        )
    if not update:
        return "replacement"
    first = next(iter(update))
    if not first.startswith("$"):
        for key in update:
            if key.startswith("$"):
                raise CommandError(
                    52,
                    "DollarPrefixedFieldName",
                    f"The dollar ($) prefixed field '{key}' in '{key}' is not allowed in the"
                    " context of an update's replacement document. Consider using an"
                    " aggregation pipeline with $replaceWith.",
                )
        return "replacement"
    for key, value in update.items():
        if key not in _OPERATORS:
            raise CommandError(
                9,
                "FailedToParse",
                f"Unknown modifier: {key}. Expected a valid update modifier or pipeline-style"
                " update specified as an array",
            )
        if not isinstance(value, dict):
            raise CommandError(
                9,
                "FailedToParse",
                f"Modifiers operate on fields but we found type {type_name(value)} instead. For"
                f" example: {{$mod: {{<field>: ...}}}} not {{{key}: {render(value)}}}",
            )
    return "operators"


# -- paths ----------------------------------------------------------------------------------


def _parts(path: str) -> list[str]:
    if not isinstance(path, str) or path == "":
        raise CommandError(56, "EmptyFieldName", "An empty update path is not valid.")
    parts = path.split(".")
    for part in parts:
        if part == "":
            raise CommandError(
                56,
                "EmptyFieldName",
                f"The update path '{path}' contains an empty field name, which is not allowed.",
            )
    first = parts[0]
    if first.startswith("$"):
        raise CommandError(
            52,
            "DollarPrefixedFieldName",
            f"The dollar ($) prefixed field '{first}' in '{path}' is not valid for storage.",
        )
    for part in parts[1:]:
        if part.startswith("$") and not (
            part == "$" or (part.startswith("$[") and part.endswith("]"))
        ):
            raise CommandError(
                52,
                "DollarPrefixedFieldName",
                f"The dollar ($) prefixed field '{part}' in '{path}' is not valid for storage.",
            )
    return parts


def _check_conflicts(paths: list[str]) -> None:
    seen: list[tuple[str, list[str]]] = []
    for path in paths:
        parts = path.split(".")
        for _, other_parts in seen:
            shorter = min(len(parts), len(other_parts))
            if parts[:shorter] == other_parts[:shorter]:
                conflict = ".".join(parts[:shorter])
                raise CommandError(
                    40,
                    "ConflictingUpdateOperators",
                    f"Updating the path '{path}' would create a conflict at '{conflict}'",
                )
        seen.append((path, parts))


def _is_index(part: str) -> bool:
    return part.isdigit()


class _Context:
    """What one update of one document needs besides the operator arguments."""

    def __init__(
        self,
        document: dict[str, Any],
        query: dict[str, Any],
        array_filters: dict[str, dict[str, Any]],
        inserting: bool,
        now: datetime.datetime,
    ) -> None:
        self.document = document
        self.query = query
        self.array_filters = array_filters
        self.inserting = inserting
        self.now = now
        self.used_filters: set[str] = set()


def _positional_index(ctx: _Context, prefix: list[str], path: str) -> int:
    from mongomock.filtering import filter_applies

    array = _get(ctx.document, prefix)
    if isinstance(array, list):
        for index, element in enumerate(array):
            probe = copy.copy(ctx.document)
            _set_plain(probe, prefix, [element])
            if filter_applies(ctx.query, probe):  # type: ignore[no-untyped-call]
                return index
    raise CommandError(
        2, "BadValue", "The positional operator did not find the match needed from the query."
    )


def _filter_matches(condition: dict[str, Any], identifier: str, element: Any) -> bool:
    from mongomock.filtering import filter_applies

    def rewrite(query: Any) -> Any:
        if isinstance(query, list):
            return [rewrite(item) for item in query]
        if not isinstance(query, dict):
            return query
        result = {}
        for key, value in query.items():
            if key in ("$and", "$or", "$nor"):
                result[key] = rewrite(value)
            elif key == identifier:
                result["e"] = value
            elif key.startswith(identifier + "."):
                result["e" + key[len(identifier) :]] = value
            else:
                result[key] = value
        return result

    return bool(filter_applies(rewrite(condition), {"e": element}))  # type: ignore[no-untyped-call]


def _expand(ctx: _Context, parts: list[str], path: str) -> list[list[str]]:
    """The concrete paths (array positions resolved) one update path stands for."""
    results: list[list[str]] = [[]]
    for part in parts:
        if part == "$":
            results = [[*prefix, str(_positional_index(ctx, prefix, path))] for prefix in results]
            continue
        if part.startswith("$[") and part.endswith("]"):
            identifier = part[2:-1]
            condition = None
            if identifier:
                if identifier not in ctx.array_filters:
                    raise CommandError(
                        2,
                        "BadValue",
                        f"No array filter found for identifier '{identifier}' in path '{path}'",
                    )
                ctx.used_filters.add(identifier)
                condition = ctx.array_filters[identifier]
            expanded: list[list[str]] = []
            for prefix in results:
                array = _get(ctx.document, prefix)
                if array is MISSING:
                    if ctx.inserting:
                        continue
                    raise CommandError(
                        2,
                        "BadValue",
                        f"The path '{'.'.join(prefix)}' must exist in the document in order to"
                        " apply array updates.",
                    )
                if not isinstance(array, list):
                    raise CommandError(
                        2,
                        "BadValue",
                        f"Cannot apply array updates to non-array element {prefix[-1]}:"
                        f" {render(array)}",
                    )
                for index, element in enumerate(array):
                    if condition is None or _filter_matches(condition, identifier, element):
                        expanded.append([*prefix, str(index)])
            results = expanded
            continue
        results = [[*prefix, part] for prefix in results]
    return results


def _get(document: Any, parts: list[str]) -> Any:
    value = document
    for part in parts:
        if isinstance(value, dict):
            value = value.get(part, MISSING)
        elif isinstance(value, list) and _is_index(part):
            index = int(part)
            value = value[index] if index < len(value) else MISSING
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def _set_plain(document: dict[str, Any], parts: list[str], value: Any) -> None:
    target: Any = document
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(parts[-1])] = value
    else:
        target[parts[-1]] = value


def _container(ctx: _Context, parts: list[str], create: bool) -> tuple[Any, str] | None:
    """The document or array holding the last part of ``parts``, created on the way if asked.

    Returns None when a part of the way is missing and ``create`` is false.
    """
    target: Any = ctx.document
    for position, part in enumerate(parts[:-1]):
        if isinstance(target, dict):
            child = target.get(part, MISSING)
            if child is MISSING:
                if not create:
                    return None
                child = {}
                target[part] = child
        elif isinstance(target, list):
            if not _is_index(part):
                if not create:
                    return None
                raise CommandError(
                    28,
                    "PathNotViable",
                    f"Cannot create field '{part}' in element"
                    f" {{{parts[position - 1] if position else ''}: {render(target)}}}",
                )
            index = int(part)
            if index >= len(target):
                if not create:
                    return None
                target.extend([None] * (index - len(target)))
                target.append({})
            child = target[index]
        else:
            if not create:
                return None
            raise CommandError(
                28,
                "PathNotViable",
                f"Cannot create field '{part}' in element"
                f" {{{parts[position - 1]}: {render(target)}}}",
            )
        if not isinstance(child, (dict, list)):
            if not create:
                return None
            raise CommandError(
                28,
                "PathNotViable",
                f"Cannot create field '{parts[position + 1]}' in element"
                f" {{{part}: {render(child)}}}",
            )
        target = child
    return target, parts[-1]


def _read(holder: Any, key: str) -> Any:
    if isinstance(holder, dict):
        return holder.get(key, MISSING)
    if isinstance(holder, list) and _is_index(key):
        index = int(key)
        return holder[index] if index < len(holder) else MISSING
    return MISSING


def _write(holder: Any, key: str, value: Any, parts: list[str]) -> None:
    if isinstance(holder, dict):
        holder[key] = value
        return
    if not _is_index(key):
        raise CommandError(
            28,
            "PathNotViable",
            f"Cannot create field '{key}' in element {{{parts[-2] if len(parts) > 1 else ''}:"
            f" {render(holder)}}}",
        )
    index = int(key)
    if index >= len(holder):
        holder.extend([None] * (index - len(holder) + 1))
    holder[index] = value


# -- operators ------------------------------------------------------------------------------


def _document_id(ctx: _Context) -> str:
    return render({"_id": ctx.document.get("_id")})


def _arith(operator: str, current: Any, operand: Any) -> Any:
    x, y = numeric_value(current), numeric_value(operand)
    if isinstance(x, decimal.Decimal) or isinstance(y, decimal.Decimal):
        x, y = decimal.Decimal(x), decimal.Decimal(y)
        return Decimal128(x + y if operator == "$inc" else x * y)
    result = x + y if operator == "$inc" else x * y
    if isinstance(result, float):
        return result
    if (
        isinstance(current, Int64)
        or isinstance(operand, Int64)
        or result not in range(-(2**31), 2**31)
    ):
        return Int64(result)
    return result


def _numeric_update(
    ctx: _Context, operator: str, parts: list[str], path: str, operand: Any
) -> None:
    if not is_number(operand):
        verb = "increment" if operator == "$inc" else "multiply"
        raise CommandError(
            14,
            "TypeMismatch",
            f"Cannot {verb} with non-numeric argument: {{{path}: {render(operand)}}}",
        )
    located = _container(ctx, parts, create=True)
    assert located is not None
    holder, key = located
    current = _read(holder, key)
    if current is MISSING:
        value = operand if operator == "$inc" else _arith("$mul", 0, operand)
        _write(holder, key, value, parts)
        return
    if not is_number(current):
        raise CommandError(
            14,
            "TypeMismatch",
            f"Cannot apply {operator} to a value of non-numeric type. {_document_id(ctx)} has"
            f" the field '{key}' of non-numeric type {type_name(current)}",
        )
    _write(holder, key, _arith(operator, current, operand), parts)


def _array_at(
    ctx: _Context, operator: str, parts: list[str], path: str, create: bool
) -> list[Any] | None:
    located = _container(ctx, parts, create=create)
    if located is None:
        return None
    holder, key = located
    current = _read(holder, key)
    if current is MISSING:
        if not create:
            return None
        current = []
        _write(holder, key, current, parts)
    if not isinstance(current, list):
        raise CommandError(
            2 if operator != "$pop" else 14,
            "BadValue" if operator != "$pop" else "TypeMismatch",
            f"The field '{path}' must be an array but is of type {type_name(current)} in document"
            f" {_document_id(ctx)}",
        )
    return current


def _sort_key(spec: Any) -> Any:
    import functools

    if isinstance(spec, dict):
        fields = list(spec.items())

        def order(a: Any, b: Any) -> int:
            for field, direction in fields:
                left = _get(a, field.split(".")) if isinstance(a, dict) else MISSING
                right = _get(b, field.split(".")) if isinstance(b, dict) else MISSING
                result = compare(
                    None if left is MISSING else left, None if right is MISSING else right
                )
                if result:
                    return result * (1 if direction > 0 else -1)
            return 0

    else:

        def order(a: Any, b: Any) -> int:
            return compare(a, b) * (1 if spec > 0 else -1)

    return functools.cmp_to_key(order)


def _push(ctx: _Context, parts: list[str], path: str, argument: Any, unique: bool) -> None:
    array = _array_at(ctx, "$addToSet" if unique else "$push", parts, path, create=True)
    assert array is not None
    modifiers = isinstance(argument, dict) and "$each" in argument
    if modifiers:
        allowed = {"$each"} if unique else {"$each", "$position", "$slice", "$sort"}
        for key in argument:
            if key not in allowed:
                raise CommandError(
                    2,
                    "BadValue",
                    f"Unrecognized clause in {'$addToSet' if unique else '$push'}: {key}",
                )
        values = argument["$each"]
        if not isinstance(values, list):
            raise CommandError(
                2,
                "BadValue",
                f"The argument to $each in {'$addToSet' if unique else '$push'} must be an array"
                f" but it was of type: {type_name(values)}",
            )
    else:
        values = [argument]
    values = copy.deepcopy(values)
    if unique:
        for value in values:
            if not any(values_equal(value, existing) for existing in array):
                array.append(value)
        return
    position = argument.get("$position") if modifiers else None
    if position is None:
        array.extend(values)
    else:
        index = int(position)
        if index < 0:
            index = max(0, len(array) + index)
        array[index:index] = values
    if modifiers and "$sort" in argument:
        array.sort(key=_sort_key(argument["$sort"]))
    if modifiers and "$slice" in argument:
        limit = int(argument["$slice"])
        array[:] = array[:limit] if limit >= 0 else array[limit:] if limit else []


def _pull_matches(condition: Any, element: Any) -> bool:
    from mongomock.filtering import filter_applies

    if isinstance(condition, dict) and condition:
        if any(key.startswith("$") for key in condition):
            return bool(filter_applies({"e": condition}, {"e": element}))  # type: ignore[no-untyped-call]
        if isinstance(element, dict):
            return bool(filter_applies(condition, element))  # type: ignore[no-untyped-call]
        return False
    return values_equal(condition, element)


def _apply_operator(
    ctx: _Context, operator: str, path: str, parts: list[str], argument: Any
) -> None:
    if operator in ("$set", "$setOnInsert"):
        located = _container(ctx, parts, create=True)
        assert located is not None
        _write(located[0], located[1], copy.deepcopy(argument), parts)
    elif operator == "$unset":
        located = _container(ctx, parts, create=False)
        if located is None:
            return
        holder, key = located
        if isinstance(holder, dict):
            holder.pop(key, None)
        elif _is_index(key) and int(key) < len(holder):
            holder[int(key)] = None
    elif operator in ("$inc", "$mul"):
        _numeric_update(ctx, operator, parts, path, argument)
    elif operator in ("$min", "$max"):
        located = _container(ctx, parts, create=True)
        assert located is not None
        holder, key = located
        current = _read(holder, key)
        order = compare(argument, current)
        if current is MISSING or (order < 0 if operator == "$min" else order > 0):
            _write(holder, key, copy.deepcopy(argument), parts)
    elif operator == "$currentDate":
        wants_timestamp = isinstance(argument, dict) and argument.get("$type") == "timestamp"
        if not (argument is True or argument is False or isinstance(argument, dict)):
            raise CommandError(
                2,
                "BadValue",
                f"{type_name(argument)} is not valid type for $currentDate. Please use a boolean"
                " ('true') or a $type expression ({$type: 'timestamp/date'}).",
            )
        seconds = int((ctx.now - datetime.datetime(1970, 1, 1)).total_seconds())
        value = Timestamp(seconds, 1) if wants_timestamp else ctx.now
        located = _container(ctx, parts, create=True)
        assert located is not None
        _write(located[0], located[1], value, parts)
    elif operator in ("$push", "$addToSet"):
        _push(ctx, parts, path, argument, unique=operator == "$addToSet")
    elif operator == "$pop":
        array = _array_at(ctx, "$pop", parts, path, create=False)
        if array:
            if argument == -1:
                array.pop(0)
            else:
                array.pop()
    elif operator in ("$pull", "$pullAll"):
        array = _array_at(ctx, operator, parts, path, create=False)
        if array is None:
            return
        if operator == "$pullAll":
            if not isinstance(argument, list):
                raise CommandError(
                    2,
                    "BadValue",
                    f"$pullAll requires an array argument but was given a {type_name(argument)}",
                )
            array[:] = [e for e in array if not any(values_equal(e, v) for v in argument)]
        else:
            array[:] = [e for e in array if not _pull_matches(argument, e)]
    elif operator == "$bit":
        located = _container(ctx, parts, create=True)
        assert located is not None
        holder, key = located
        current = _read(holder, key)
        current = 0 if current is MISSING else current
        if not isinstance(current, int) or isinstance(current, bool):
            raise CommandError(
                14,
                "TypeMismatch",
                f"Cannot apply $bit to a value of non-integral type.{_document_id(ctx)} has the"
                f" field {key} of non-integer type {type_name(current)}",
            )
        result = int(current)
        for how, operand in argument.items():
            result = {"and": result & operand, "or": result | operand, "xor": result ^ operand}[
                how
            ]
        _write(holder, key, Int64(result) if isinstance(current, Int64) else result, parts)


def _rename(ctx: _Context, source: str, target: Any) -> None:
    if not isinstance(target, str):
        raise CommandError(
            2,
            "BadValue",
            f"The 'to' field for $rename must be a string: {source}: {render(target)}",
        )
    if source == target:
        raise CommandError(
            2,
            "BadValue",
            f'The source and target field for $rename must differ: {source}: "{target}"',
        )
    source_parts, target_parts = _parts(source), _parts(target)
    for parts, path in ((source_parts, source), (target_parts, target)):
        if any(part.startswith("$") for part in parts):
            raise CommandError(
                2, "BadValue", f"The source field for $rename may not be dynamic: {path}"
            )
    located = _container(ctx, source_parts, create=False)
    if located is None:
        return
    holder, key = located
    if not isinstance(holder, dict):
        raise CommandError(
            2,
            "BadValue",
            f"The source field cannot be an array element, '{source}' in doc with"
            f" {_document_id(ctx)} has an array field called '{source_parts[-2]}'",
        )
    value = holder.get(key, MISSING)
    if value is MISSING:
        return
    del holder[key]
    destination = _container(ctx, target_parts, create=True)
    assert destination is not None
    _write(destination[0], destination[1], value, target_parts)


def _parse_array_filters(array_filters: Any) -> dict[str, dict[str, Any]]:
    parsed: dict[str, dict[str, Any]] = {}
    if array_filters is None:
        return parsed
    if not isinstance(array_filters, list):
        raise CommandError(
            14, "TypeMismatch", "BSON field 'update.updates.arrayFilters' is the wrong type"
        )
    for condition in array_filters:
        if not isinstance(condition, dict) or not condition:
            raise CommandError(
                9,
                "FailedToParse",
                "Cannot use an expression without a top-level field name in arrayFilters",
            )
        identifiers = set()
        for key in condition:
            if key in ("$and", "$or", "$nor"):
                for clause in condition[key]:
                    identifiers |= {k.split(".")[0] for k in clause}
            else:
                identifiers.add(key.split(".")[0])
        if len(identifiers) != 1:
            raise CommandError(
                9,
                "FailedToParse",
                "Error parsing array filter :: caused by :: Expected a single top-level field"
                f" name, found '{sorted(identifiers)[0]}' and '{sorted(identifiers)[-1]}'",
            )
        (identifier,) = identifiers
        if not _IDENTIFIER.match(identifier):
            raise CommandError(
                2,
                "BadValue",
                "Error parsing array filter :: caused by :: The top-level field name must be an"
                f" alphanumeric string beginning with a lowercase letter, found '{identifier}'",
            )
        if identifier in parsed:
            raise CommandError(
                9,
                "FailedToParse",
                f"Found multiple array filters with the same top-level field name {identifier}",
            )
        parsed[identifier] = condition
    return parsed


def _apply_operators(ctx: _Context, update: dict[str, Any]) -> None:
    paths: list[str] = []
    for operator, fields in update.items():
        if operator == "$setOnInsert" and not ctx.inserting:
            paths.extend(fields)
            continue
        paths.extend(fields)
        if operator == "$rename":
            paths.extend(target for target in fields.values() if isinstance(target, str))
    _check_conflicts(paths)
    original_id = ctx.document.get("_id", MISSING)
    for operator, fields in update.items():
        for path, argument in fields.items():
            if operator == "$rename":
                _rename(ctx, path, argument)
                continue
            parts = _parts(path)
            if operator == "$setOnInsert" and not ctx.inserting:
                for identifier in _identifiers(parts):
                    ctx.used_filters.add(identifier)
                continue
            for concrete in _expand(ctx, parts, path):
                _apply_operator(ctx, operator, path, concrete, argument)
    unused = set(ctx.array_filters) - ctx.used_filters
    if unused:
        raise CommandError(
            9,
            "FailedToParse",
            f"The array filter for identifier '{sorted(unused)[0]}' was not used in the update"
            f" {render(update)}",
        )
    new_id = ctx.document.get("_id", MISSING)
    if original_id is not MISSING and not values_equal(original_id, new_id):
        raise CommandError(
            66,
            "ImmutableField",
            "Performing an update on the path '_id' would modify the immutable field '_id'",
        )


def _identifiers(parts: list[str]) -> list[str]:
    return [p[2:-1] for p in parts if p.startswith("$[") and p.endswith("]") and len(p) > 3]


def _id_first(document: dict[str, Any]) -> dict[str, Any]:
    if "_id" not in document or next(iter(document)) == "_id":
        return document
    return {"_id": document["_id"], **{k: v for k, v in document.items() if k != "_id"}}


def _check_id_unchanged(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    if "_id" not in before:
        return after
    if "_id" not in after:
        return {"_id": before["_id"], **after}
    if not values_equal(before["_id"], after["_id"]):
        raise CommandError(
            66,
            "ImmutableField",
            "After applying the update, the (immutable) field '_id' was found to have been"
            f" altered to _id: {render(after['_id'])}",
        )
    return after


def apply_update(
    document: dict[str, Any],
    update: Any,
    *,
    query: dict[str, Any] | None = None,
    array_filters: Any = None,
    inserting: bool = False,
    now: datetime.datetime | None = None,
    database: Any = None,
) -> dict[str, Any]:
    """The document after ``update`` (``u`` of an update statement); ``document`` is not changed.

    Parameters
    ----------
    document : dict
        The stored document (or the upsert seed, with ``inserting=True``).
    update : dict or list
        Update operators, a replacement document, or a pipeline.
    query : dict, optional
        The statement's filter, for the positional ``$``.
    array_filters : list, optional
        The statement's ``arrayFilters``.
    inserting : bool, default=False
        True for an upsert's new document (``$setOnInsert`` applies).
    now : datetime, optional
        The server time for ``$currentDate`` (default: ``$$NOW`` of the running command).

    Examples
    --------
    >>> apply_update({"_id": 1, "a": [1, 5, 9]}, {"$set": {"a.$[big]": 0}},
    ...              array_filters=[{"big": {"$gt": 4}}])
    {'_id': 1, 'a': [1, 0, 0]}
    >>> apply_update({"_id": 1, "x": 1}, {"y": 2})
    {'_id': 1, 'y': 2}
    """
    kind = classify(update)
    if now is None:
        now = command_variables().get("NOW") or datetime.datetime.now(
            datetime.timezone.utc
        ).replace(tzinfo=None)
    if kind == "replacement":
        if array_filters:
            raise CommandError(
                72, "InvalidOptions", "Cannot specify arrayFilters and a replacement document"
            )
        check_storable(update)
        return _id_first(_check_id_unchanged(document, copy.deepcopy(update)))
    if kind == "pipeline":
        if array_filters:
            raise CommandError(
                72, "InvalidOptions", "Cannot specify arrayFilters and a pipeline update"
            )
        (result,) = run_pipeline(
            [copy.deepcopy(document)], update, database, allowed=UPDATE_STAGES
        )
        return _id_first(_check_id_unchanged(document, result))
    ctx = _Context(
        copy.deepcopy(document), query or {}, _parse_array_filters(array_filters), inserting, now
    )
    _apply_operators(ctx, update)
    return _id_first(ctx.document)


_WHOLE = frozenset(
    {
        "$set",
        "$setOnInsert",
        "$inc",
        "$mul",
        "$min",
        "$max",
        "$currentDate",
        "$bit",
        "$pull",
        "$pullAll",
        "$pop",
    }
)


def whole_paths(update: dict[str, Any]) -> frozenset[str]:
    """The paths an operator update sets as a whole (not element by element).

    A change event reports such a path as one updated field, as mongod's oplog entry does
    (``$set: {"a": {...}}`` updates ``a``, not each of its fields); ``$push`` and
    ``$addToSet`` report the appended elements instead.

    Examples
    --------
    >>> sorted(whole_paths({"$set": {"a": {"x": 1}}, "$push": {"l": 1}, "$rename": {"b": "c"}}))
    ['a', 'c']
    """
    paths: set[str] = set()
    for operator, fields in update.items():
        if operator == "$rename":
            paths.update(target for target in fields.values() if isinstance(target, str))
        elif operator in _WHOLE:
            paths.update(path for path in fields if "$" not in path)
    return frozenset(paths)


# -- upserts and storage --------------------------------------------------------------------


def _equalities(query: Any, into: dict[str, Any]) -> None:
    if not isinstance(query, dict):
        return
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            for clause in value:
                _equalities(clause, into)
        elif key.startswith("$"):
            continue
        elif isinstance(value, dict) and value and all(k.startswith("$") for k in value):
            if "$eq" in value:
                into[key] = value["$eq"]
        else:
            into[key] = value


def upsert_seed(query: dict[str, Any] | None) -> dict[str, Any]:
    """The document an upsert starts from: the filter's equality conditions, as fields.

    Examples
    --------
    >>> upsert_seed({"_id": {"$gt": 1}, "a.b": 2, "c": {"$eq": 3}, "$and": [{"d": 4}]})
    {'a': {'b': 2}, 'c': 3, 'd': 4}
    """
    fields: dict[str, Any] = {}
    _equalities(query or {}, fields)
    seed: dict[str, Any] = {}
    for path, value in fields.items():
        parts = path.split(".")
        target = seed
        for part in parts[:-1]:
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                break
            target = child
        else:
            target[parts[-1]] = copy.deepcopy(value)
    return _id_first(seed)


def check_storable(document: dict[str, Any]) -> None:
    """Refuse what mongod refuses to store: an ``_id`` that is an array, a regex, undefined,
    or a document with ``$``-prefixed fields.
    """
    if "_id" not in document:
        return
    identifier = document["_id"]
    kind = type_name(identifier) if identifier is not MISSING else "missing"
    if kind in ("array", "regex", "undefined"):
        raise CommandError(53, "InvalidIdField", f"The '_id' value cannot be of type {kind}")
    if isinstance(identifier, dict):
        for key in _all_keys(identifier):
            if key.startswith("$"):
                raise CommandError(
                    52,
                    "DollarPrefixedFieldName",
                    f"_id fields may not contain '$'-prefixed fields: {key} is not valid for"
                    " storage.",
                )


def _all_keys(document: dict[str, Any]) -> list[str]:
    keys = []
    for key, value in document.items():
        keys.append(key)
        if isinstance(value, dict):
            keys.extend(_all_keys(value))
    return keys
