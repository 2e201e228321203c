"""Aggregation expressions, evaluated with MongoDB's rules for variables and missing values.

mongomock's own evaluator raises on a field a document lacks, treats ``$$NOW`` as unknown
and has no ``let``; the simulator evaluates expressions here instead:

- ``"$a.b"`` is a field path; an absent field is ``MISSING`` (not null): comparisons order
  it below null, ``$not`` of it is true, a computed field whose value is missing is left out.
- ``"$$name"`` is a variable: ``ROOT``, ``CURRENT``, ``REMOVE``, and those bound for the
  running command (``NOW``, ``CLUSTER_TIME``, the command's ``let``), ``$let``, ``$map``...
  A string is a variable only where an expression is expected: ``{"$literal": "$$NOW"}``
  and a plain query ``{"s": "$$NOW"}`` keep the string.
- The operators below are implemented here; any other one is handed to mongomock's
  evaluator with the same variables bound.

[`evaluate`][mongosim._expressions.evaluate] evaluates one expression against one document;
[`bound_variables`][mongosim._expressions.bound_variables] binds the command-level variables
for the thread running a command.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import math
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

from bson import Decimal128, Int64

from mongosim._command_error import CommandError
from mongosim._values import MISSING, compare, is_number, numeric_value, type_name

__all__ = [
    "MISSING",
    "Scope",
    "bound_variables",
    "command_variables",
    "evaluate",
    "is_true",
    "scope_for",
]

_bound = threading.local()


def command_variables() -> dict[str, Any]:
    """The variables bound for the command this thread runs (empty outside a command)."""
    return dict(getattr(_bound, "variables", None) or {})


@contextlib.contextmanager
def bound_variables(
    *,
    now: datetime.datetime,
    cluster_time: Any = None,
    let: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Bind ``$$NOW``, ``$$CLUSTER_TIME`` and the command's ``let`` for this thread.

    ``let`` values are expressions themselves (``{"expires": {"$add": ["$$NOW", 1000]}}``),
    evaluated once, with no current document.

    Examples
    --------
    >>> now = datetime.datetime(2026, 1, 1)
    >>> with bound_variables(now=now, let={"limit": {"$add": [1, 2]}}):
    ...     evaluate({"$gt": ["$n", "$$limit"]}, {"n": 5}), evaluate("$$NOW", {})
    (True, datetime.datetime(2026, 1, 1, 0, 0))
    """
    variables: dict[str, Any] = {"NOW": now}
    if cluster_time is not None:
        variables["CLUSTER_TIME"] = cluster_time
    previous = getattr(_bound, "variables", None)
    _bound.variables = variables
    try:
        if let is not None:
            if not isinstance(let, dict):
                raise CommandError(
                    14, "TypeMismatch", "BSON field 'let' is the wrong type, expected object"
                )
            scope = Scope({**variables, "ROOT": {}, "CURRENT": {}})
            for name, expression in let.items():
                _check_user_variable(name)
                variables[name] = evaluate_in(expression, scope)
        yield variables
    finally:
        _bound.variables = previous


class Scope:
    """The variables visible to an expression (``CURRENT`` is the document it reads)."""

    __slots__ = ("variables",)

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables

    def with_variables(self, **variables: Any) -> Scope:
        """This scope plus ``variables`` (for ``$let``, ``$map``, ``$filter``...)."""
        return Scope({**self.variables, **variables})

    @property
    def current(self) -> Any:
        return self.variables["CURRENT"]


def scope_for(document: Any, **variables: Any) -> Scope:
    """A scope reading ``document``, with the command's variables and ``variables`` bound."""
    return Scope({**command_variables(), "ROOT": document, "CURRENT": document, **variables})


def evaluate(expression: Any, document: Any, **variables: Any) -> Any:
    """Evaluate ``expression`` against ``document``; ``MISSING`` when it has no value.

    Examples
    --------
    >>> evaluate({"$eq": ["$absent", None]}, {}), evaluate({"$not": ["$absent"]}, {})
    (False, True)
    >>> evaluate({"$literal": "$$NOW"}, {})
    '$$NOW'
    """
    return evaluate_in(expression, scope_for(document, **variables))


def is_true(value: Any) -> bool:
    """MongoDB's truth: false, null, missing, undefined and numeric zero are false."""
    if value is MISSING or value is None or value is False:
        return False
    if is_number(value):
        return bool(numeric_value(value))
    return True


def _check_user_variable(name: str) -> None:
    if (
        not name
        or not (name[0].islower() or not name[0].isascii())
        or not all(c.isalnum() or c == "_" or not c.isascii() for c in name)
    ):
        raise CommandError(
            2, "BadValue", f"'{name}' starts with an invalid character for a user variable name"
        )


def _path(value: Any, parts: list[str]) -> Any:
    for index, part in enumerate(parts):
        if isinstance(value, dict):
            value = value.get(part, MISSING)
            if value is MISSING:
                return MISSING
        elif isinstance(value, list):
            results = []
            for element in value:
                if isinstance(element, (dict, list)):
                    found = _path(element, parts[index:])
                    if found is not MISSING:
                        results.append(found)
            return results
        else:
            return MISSING
    return value


def _variable(reference: str, scope: Scope) -> Any:
    name, _, rest = reference.partition(".")
    if name == "REMOVE":
        return MISSING
    if name not in scope.variables:
        if name in ("NOW", "CLUSTER_TIME"):
            raise CommandError(
                51144, "Location51144", f"Builtin variable '$${name}' is not available"
            )
        raise CommandError(17276, "Location17276", f"Use of undefined variable: {name}")
    value = scope.variables[name]
    return _path(value, rest.split(".")) if rest else value


def evaluate_in(expression: Any, scope: Scope) -> Any:
    """Evaluate ``expression`` in ``scope`` (see [`evaluate`][mongosim._expressions.evaluate])."""
    if isinstance(expression, str):
        if expression.startswith("$$"):
            return _variable(expression[2:], scope)
        if expression.startswith("$"):
            if expression == "$":
                raise CommandError(
                    16872, "Location16872", "'$' by itself is not a valid FieldPath"
                )
            return _path(scope.current, expression[1:].split("."))
        return expression
    if isinstance(expression, list):
        return [
            None if value is MISSING else value
            for value in (evaluate_in(item, scope) for item in expression)
        ]
    if isinstance(expression, dict):
        operators = [key for key in expression if isinstance(key, str) and key.startswith("$")]
        if operators:
            if len(expression) != 1:
                raise CommandError(
                    15983,
                    "Location15983",
                    "an expression specification must contain exactly one field, the name of"
                    f" the expression. Found {len(expression)} fields in {expression}",
                )
            ((operator, arguments),) = expression.items()
            handler = _OPERATORS.get(operator)
            if handler is None:
                return _mongomock_operator(operator, arguments, scope)
            return handler(arguments, scope)
        result = {}
        for key, value in expression.items():
            if "." in key:
                raise CommandError(
                    16412, "Location16412", f"FieldPath field names may not contain '.'. ({key})"
                )
            evaluated = evaluate_in(value, scope)
            if evaluated is not MISSING:
                result[key] = evaluated
        return result
    return expression


# -- helpers --------------------------------------------------------------------------------

_Handler = Callable[[Any, Scope], Any]
_OPERATORS: dict[str, _Handler] = {}


def _operator(*names: str) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        for name in names:
            _OPERATORS[name] = handler
        return handler

    return register


def _arguments(operator: str, arguments: Any, count: int | None = None) -> list[Any]:
    listed = arguments if isinstance(arguments, list) else [arguments]
    if count is not None and len(listed) != count:
        raise CommandError(
            16020,
            "Location16020",
            f"Expression {operator} takes exactly {count} arguments."
            f" {len(listed)} were passed in.",
        )
    return listed


def _values(operator: str, arguments: Any, scope: Scope, count: int | None = None) -> list[Any]:
    return [evaluate_in(item, scope) for item in _arguments(operator, arguments, count)]


def _nullish(value: Any) -> bool:
    return value is None or value is MISSING


def _named(
    operator: str, arguments: Any, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, Any]:
    if not isinstance(arguments, dict):
        raise CommandError(
            40080, "Location40080", f"{operator} only supports an object as its argument"
        )
    for name in arguments:
        if name not in required and name not in optional:
            raise CommandError(
                40081, "Location40081", f"Unrecognized parameter to {operator}: {name}"
            )
    for name in required:
        if name not in arguments:
            raise CommandError(40082, "Location40082", f"Missing '{name}' parameter to {operator}")
    return arguments


def _as_int(value: Any) -> int:
    number = numeric_value(value)
    return int(number)


def _typed_number(value: int | float | decimal.Decimal, *operands: Any) -> Any:
    """Give an arithmetic result the widest BSON type of its operands, as MongoDB does."""
    if isinstance(value, decimal.Decimal):
        return Decimal128(value)
    if isinstance(value, float):
        return value
    if any(isinstance(operand, Int64) for operand in operands) or value not in range(
        -(2**31), 2**31
    ):
        return Int64(value)
    return value


# -- literals, variables, conditionals -----------------------------------------------------


@_operator("$literal")
def _literal(arguments: Any, scope: Scope) -> Any:
    return arguments


@_operator("$let")
def _let(arguments: Any, scope: Scope) -> Any:
    spec = _named("$let", arguments, ("vars", "in"), ())
    if not isinstance(spec["vars"], dict):
        raise CommandError(10065, "Location10065", "invalid parameter: expected an object (vars)")
    values = {}
    for name, expression in spec["vars"].items():
        _check_user_variable(name)
        values[name] = evaluate_in(expression, scope)
    return evaluate_in(spec["in"], scope.with_variables(**values))


@_operator("$cond")
def _cond(arguments: Any, scope: Scope) -> Any:
    if isinstance(arguments, dict):
        spec = _named("$cond", arguments, ("if", "then", "else"), ())
        condition, then, otherwise = spec["if"], spec["then"], spec["else"]
    else:
        condition, then, otherwise = _arguments("$cond", arguments, 3)
    return evaluate_in(then if is_true(evaluate_in(condition, scope)) else otherwise, scope)


@_operator("$ifNull")
def _if_null(arguments: Any, scope: Scope) -> Any:
    listed = _arguments("$ifNull", arguments)
    if len(listed) < 2:
        raise CommandError(1257300, "Location1257300", "$ifNull needs at least two arguments")
    for expression in listed[:-1]:
        value = evaluate_in(expression, scope)
        if not _nullish(value):
            return value
    return evaluate_in(listed[-1], scope)


@_operator("$switch")
def _switch(arguments: Any, scope: Scope) -> Any:
    spec = _named("$switch", arguments, ("branches",), ("default",))
    for branch in spec["branches"]:
        if is_true(evaluate_in(branch["case"], scope)):
            return evaluate_in(branch["then"], scope)
    if "default" not in spec:
        raise CommandError(
            40066,
            "Location40066",
            "$switch could not find a matching branch for an input, and no default was specified.",
        )
    return evaluate_in(spec["default"], scope)


# -- comparison and boolean ----------------------------------------------------------------

_COMPARISONS: dict[str, Callable[[int], Any]] = {
    "$eq": lambda order: order == 0,
    "$ne": lambda order: order != 0,
    "$gt": lambda order: order > 0,
    "$gte": lambda order: order >= 0,
    "$lt": lambda order: order < 0,
    "$lte": lambda order: order <= 0,
    "$cmp": lambda order: order,
}


def _comparison(operator: str) -> _Handler:
    decide = _COMPARISONS[operator]

    def handler(arguments: Any, scope: Scope) -> Any:
        left, right = _values(operator, arguments, scope, 2)
        return decide(compare(left, right))

    return handler


for _name in _COMPARISONS:
    _OPERATORS[_name] = _comparison(_name)


@_operator("$and")
def _and(arguments: Any, scope: Scope) -> bool:
    return all(is_true(evaluate_in(item, scope)) for item in _arguments("$and", arguments))


@_operator("$or")
def _or(arguments: Any, scope: Scope) -> bool:
    return any(is_true(evaluate_in(item, scope)) for item in _arguments("$or", arguments))


@_operator("$not")
def _not(arguments: Any, scope: Scope) -> bool:
    (value,) = _values("$not", arguments, scope, 1)
    return not is_true(value)


# -- arithmetic -----------------------------------------------------------------------------


def _type_error(code: int, message: str) -> CommandError:
    return CommandError(code, "TypeMismatch" if code == 14 else f"Location{code}", message)


@_operator("$add")
def _add(arguments: Any, scope: Scope) -> Any:
    values = _values("$add", arguments, scope)
    if any(_nullish(value) for value in values):
        return None
    date: datetime.datetime | None = None
    total: int | float | decimal.Decimal = 0
    for value in values:
        if isinstance(value, datetime.datetime):
            if date is not None:
                raise CommandError(
                    16612, "Location16612", "only one date allowed in an $add expression"
                )
            date = value
        elif is_number(value):
            number = numeric_value(value)
            if isinstance(number, decimal.Decimal) or isinstance(total, decimal.Decimal):
                total = decimal.Decimal(total) + decimal.Decimal(number)
            else:
                total = total + number
        else:
            raise _type_error(
                16554, f"$add only supports numeric or date types, not {type_name(value)}"
            )
    if date is not None:
        return date + datetime.timedelta(milliseconds=round(float(total)))
    return _typed_number(total, *values)


@_operator("$subtract")
def _subtract(arguments: Any, scope: Scope) -> Any:
    left, right = _values("$subtract", arguments, scope, 2)
    if _nullish(left) or _nullish(right):
        return None
    if isinstance(left, datetime.datetime):
        if isinstance(right, datetime.datetime):
            return Int64((left - right) // datetime.timedelta(milliseconds=1))
        if is_number(right):
            return left - datetime.timedelta(milliseconds=round(float(numeric_value(right))))
    elif is_number(left) and is_number(right):
        x, y = numeric_value(left), numeric_value(right)
        if isinstance(x, decimal.Decimal) or isinstance(y, decimal.Decimal):
            return Decimal128(decimal.Decimal(x) - decimal.Decimal(y))
        return _typed_number(x - y, left, right)
    raise _type_error(
        16556,
        f"can't $subtract {type_name(right)} from {type_name(left)}",
    )


@_operator("$multiply")
def _multiply(arguments: Any, scope: Scope) -> Any:
    values = _values("$multiply", arguments, scope)
    if any(_nullish(value) for value in values):
        return None
    product: int | float | decimal.Decimal = 1
    for value in values:
        if not is_number(value):
            raise _type_error(
                16555, f"$multiply only supports numeric types, not {type_name(value)}"
            )
        number = numeric_value(value)
        if isinstance(number, decimal.Decimal) or isinstance(product, decimal.Decimal):
            product = decimal.Decimal(product) * decimal.Decimal(number)
        else:
            product = product * number
    return _typed_number(product, *values)


@_operator("$divide")
def _divide(arguments: Any, scope: Scope) -> Any:
    left, right = _values("$divide", arguments, scope, 2)
    if _nullish(left) or _nullish(right):
        return None
    if not (is_number(left) and is_number(right)):
        raise _type_error(
            16609,
            f"$divide only supports numeric types, not {type_name(left)} and {type_name(right)}",
        )
    x, y = numeric_value(left), numeric_value(right)
    if y == 0:
        raise CommandError(2, "BadValue", "can't $divide by zero")
    if isinstance(x, decimal.Decimal) or isinstance(y, decimal.Decimal):
        return Decimal128(decimal.Decimal(x) / decimal.Decimal(y))
    return x / y


@_operator("$mod")
def _mod(arguments: Any, scope: Scope) -> Any:
    left, right = _values("$mod", arguments, scope, 2)
    if _nullish(left) or _nullish(right):
        return None
    if not (is_number(left) and is_number(right)):
        raise _type_error(
            16611,
            f"$mod only supports numeric types, not {type_name(left)} and {type_name(right)}",
        )
    x, y = numeric_value(left), numeric_value(right)
    if y == 0:
        raise CommandError(16610, "Location16610", "can't $mod by zero")
    if isinstance(x, decimal.Decimal) or isinstance(y, decimal.Decimal):
        return Decimal128(decimal.Decimal(x) % decimal.Decimal(y))
    remainder = math.fmod(x, y)
    if isinstance(x, float) or isinstance(y, float):
        return remainder
    return _typed_number(int(remainder), left, right)


def _unary_number(operator: str, function: Callable[[Any], Any]) -> _Handler:
    def handler(arguments: Any, scope: Scope) -> Any:
        (value,) = _values(operator, arguments, scope, 1)
        if _nullish(value):
            return None
        if not is_number(value):
            raise _type_error(
                28765, f"{operator} only supports numeric types, not {type_name(value)}"
            )
        result = function(numeric_value(value))
        return _typed_number(result, value) if not isinstance(value, float) else float(result)

    return handler


_OPERATORS["$abs"] = _unary_number("$abs", abs)
_OPERATORS["$ceil"] = _unary_number("$ceil", math.ceil)
_OPERATORS["$floor"] = _unary_number("$floor", math.floor)
_OPERATORS["$trunc"] = _unary_number("$trunc", math.trunc)


# -- types ----------------------------------------------------------------------------------


@_operator("$type")
def _type(arguments: Any, scope: Scope) -> str:
    (value,) = _values("$type", arguments, scope, 1)
    return type_name(value)


@_operator("$isArray")
def _is_array(arguments: Any, scope: Scope) -> bool:
    (value,) = _values("$isArray", arguments, scope, 1)
    return isinstance(value, list)


@_operator("$isNumber")
def _is_number(arguments: Any, scope: Scope) -> bool:
    (value,) = _values("$isNumber", arguments, scope, 1)
    return is_number(value)


# -- arrays ---------------------------------------------------------------------------------


def _array(operator: str, value: Any, position: str = "") -> list[Any]:
    if not isinstance(value, list):
        raise CommandError(
            28664 if operator != "$size" else 17124,
            "Location17124" if operator == "$size" else "Location28664",
            f"The argument to {operator} must be an array{position}, but was of type:"
            f" {type_name(value)}",
        )
    return value


@_operator("$size")
def _size(arguments: Any, scope: Scope) -> int:
    (value,) = _values("$size", arguments, scope, 1)
    return len(_array("$size", value))


@_operator("$arrayElemAt")
def _array_elem_at(arguments: Any, scope: Scope) -> Any:
    array, index = _values("$arrayElemAt", arguments, scope, 2)
    if _nullish(array) or _nullish(index):
        return None
    if not isinstance(array, list):
        raise CommandError(
            28689,
            "Location28689",
            f"$arrayElemAt's first argument must be an array, but is {type_name(array)}",
        )
    if not is_number(index):
        raise CommandError(
            28690,
            "Location28690",
            f"$arrayElemAt's second argument must be a numeric value, but is {type_name(index)}",
        )
    position = _as_int(index)
    if -len(array) <= position < len(array):
        return array[position]
    return MISSING


def _first_or_last(operator: str, pick: int) -> _Handler:
    def handler(arguments: Any, scope: Scope) -> Any:
        (value,) = _values(operator, arguments, scope, 1)
        if _nullish(value):
            return None
        array = _array(operator, value)
        return array[pick] if array else MISSING

    return handler


_OPERATORS["$first"] = _first_or_last("$first", 0)
_OPERATORS["$last"] = _first_or_last("$last", -1)


@_operator("$concatArrays")
def _concat_arrays(arguments: Any, scope: Scope) -> Any:
    values = _values("$concatArrays", arguments, scope)
    if any(_nullish(value) for value in values):
        return None
    result: list[Any] = []
    for value in values:
        if not isinstance(value, list):
            raise CommandError(
                28664,
                "Location28664",
                f"$concatArrays only supports arrays, not {type_name(value)}",
            )
        result.extend(value)
    return result


@_operator("$in")
def _in(arguments: Any, scope: Scope) -> bool:
    value, array = _values("$in", arguments, scope, 2)
    if not isinstance(array, list):
        raise CommandError(
            40081,
            "Location40081",
            f"$in requires an array as a second argument, found: {type_name(array)}",
        )
    return any(compare(value, item) == 0 for item in array)


@_operator("$filter")
def _filter(arguments: Any, scope: Scope) -> Any:
    spec = _named("$filter", arguments, ("input", "cond"), ("as", "limit"))
    values = evaluate_in(spec["input"], scope)
    if _nullish(values):
        return None
    name = spec.get("as", "this")
    limit = evaluate_in(spec["limit"], scope) if "limit" in spec else None
    result = []
    for item in _array("$filter", values, " (input)"):
        if is_true(evaluate_in(spec["cond"], scope.with_variables(**{name: item}))):
            result.append(item)
            if limit is not None and len(result) >= _as_int(limit):
                break
    return result


@_operator("$map")
def _map(arguments: Any, scope: Scope) -> Any:
    spec = _named("$map", arguments, ("input", "in"), ("as",))
    values = evaluate_in(spec["input"], scope)
    if _nullish(values):
        return None
    name = spec.get("as", "this")
    mapped = (
        evaluate_in(spec["in"], scope.with_variables(**{name: item}))
        for item in _array("$map", values, " (input)")
    )
    return [None if value is MISSING else value for value in mapped]


@_operator("$reduce")
def _reduce(arguments: Any, scope: Scope) -> Any:
    spec = _named("$reduce", arguments, ("input", "initialValue", "in"), ())
    values = evaluate_in(spec["input"], scope)
    if _nullish(values):
        return None
    accumulated = evaluate_in(spec["initialValue"], scope)
    for item in _array("$reduce", values, " (input)"):
        accumulated = evaluate_in(spec["in"], scope.with_variables(value=accumulated, this=item))
    return accumulated


@_operator("$reverseArray")
def _reverse_array(arguments: Any, scope: Scope) -> Any:
    (value,) = _values("$reverseArray", arguments, scope, 1)
    return None if _nullish(value) else list(reversed(_array("$reverseArray", value)))


# -- objects --------------------------------------------------------------------------------


@_operator("$mergeObjects")
def _merge_objects(arguments: Any, scope: Scope) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for value in _values("$mergeObjects", arguments, scope):
        if _nullish(value):
            continue
        if not isinstance(value, dict):
            raise CommandError(
                40400,
                "Location40400",
                f"$mergeObjects requires object inputs, but input {value!r} is of type"
                f" {type_name(value)}",
            )
        merged.update(value)
    return merged


def _field_name(operator: str, spec: dict[str, Any], scope: Scope) -> str:
    field = spec["field"]
    if isinstance(field, dict) and list(field) == ["$literal"]:
        field = field["$literal"]
    elif isinstance(field, str) and field.startswith("$"):
        raise CommandError(
            4161108 if operator == "$getField" else 4161106,
            "Location4161106",
            f"{operator} field path must not be a field path (use $literal for a field name"
            " starting with '$')",
        )
    if not isinstance(field, str):
        raise CommandError(
            4161107 if operator != "$getField" else 5654602,
            "Location4161107",
            f"{operator} requires 'field' to evaluate to type String, but got {type_name(field)}",
        )
    return field


@_operator("$getField")
def _get_field(arguments: Any, scope: Scope) -> Any:
    if not isinstance(arguments, dict) or "field" not in arguments:
        arguments = {"field": arguments, "input": "$$CURRENT"}
    spec = _named("$getField", arguments, ("field",), ("input",))
    field = _field_name("$getField", spec, scope)
    value = evaluate_in(spec.get("input", "$$CURRENT"), scope)
    if _nullish(value):
        return MISSING if value is MISSING else None
    if not isinstance(value, dict):
        return MISSING
    return value.get(field, MISSING)


@_operator("$setField")
def _set_field(arguments: Any, scope: Scope) -> Any:
    spec = _named("$setField", arguments, ("field", "input", "value"), ())
    field = _field_name("$setField", spec, scope)
    document = evaluate_in(spec["input"], scope)
    if _nullish(document):
        return None
    if not isinstance(document, dict):
        raise CommandError(
            4161105,
            "Location4161105",
            "$setField requires 'input' to evaluate to type Object, but got"
            f" {type_name(document)}",
        )
    value = evaluate_in(spec["value"], scope)
    result = dict(document)
    if value is MISSING:
        result.pop(field, None)
    else:
        result[field] = value
    return result


@_operator("$unsetField")
def _unset_field(arguments: Any, scope: Scope) -> Any:
    spec = _named("$unsetField", arguments, ("field", "input"), ())
    return _set_field({**spec, "value": "$$REMOVE"}, scope)


@_operator("$objectToArray")
def _object_to_array(arguments: Any, scope: Scope) -> Any:
    (value,) = _values("$objectToArray", arguments, scope, 1)
    if _nullish(value):
        return None
    if not isinstance(value, dict):
        raise CommandError(
            40390,
            "Location40390",
            f"$objectToArray requires a document input, found: {type_name(value)}",
        )
    return [{"k": key, "v": item} for key, item in value.items()]


@_operator("$arrayToObject")
def _array_to_object(arguments: Any, scope: Scope) -> Any:
    (value,) = _values("$arrayToObject", arguments, scope, 1)
    if _nullish(value):
        return None
    result: dict[str, Any] = {}
    for item in _array("$arrayToObject", value):
        if isinstance(item, dict):
            result[item["k"]] = item["v"]
        else:
            key, entry = item
            result[key] = entry
    return result


# -- strings --------------------------------------------------------------------------------


@_operator("$concat")
def _concat(arguments: Any, scope: Scope) -> Any:
    values = _values("$concat", arguments, scope)
    if any(_nullish(value) for value in values):
        return None
    for value in values:
        if not isinstance(value, str):
            raise CommandError(
                16702,
                "Location16702",
                f"$concat only supports strings, not {type_name(value)}",
            )
    return "".join(values)


def _case(operator: str, convert: Callable[[str], str]) -> _Handler:
    def handler(arguments: Any, scope: Scope) -> str:
        (value,) = _values(operator, arguments, scope, 1)
        if _nullish(value):
            return ""
        return convert(value if isinstance(value, str) else str(value))

    return handler


_OPERATORS["$toLower"] = _case("$toLower", str.lower)
_OPERATORS["$toUpper"] = _case("$toUpper", str.upper)


_random = random.Random()


@_operator("$rand")
def _rand(arguments: Any, scope: Scope) -> float:
    if arguments != {}:
        raise CommandError(3040501, "Location3040501", "$rand does not currently accept arguments")
    return _random.random()


# -- everything else: mongomock -------------------------------------------------------------


def _mongomock_operator(operator: str, arguments: Any, scope: Scope) -> Any:
    from mongomock import OperationFailure, aggregate

    variables = {
        name: value
        for name, value in scope.variables.items()
        if name not in ("ROOT", "CURRENT") and value is not MISSING
    }
    current = scope.current if isinstance(scope.current, dict) else {}
    parser = aggregate._Parser(current, user_vars=variables)  # type: ignore[no-untyped-call]
    try:
        return parser.parse({operator: arguments})  # type: ignore[no-untyped-call]
    except KeyError:
        return MISSING
    except OperationFailure as error:
        if "Unrecognized expression" in str(error):
            raise CommandError(
                168, "InvalidPipelineOperator", f"Unrecognized expression '{operator}'"
            ) from error
        raise
