"""Schema validation: a collection's ``validator`` checked on every insert and update.

A collection created (or ``collMod``-ed) with a ``validator`` refuses documents that do not
match it with DocumentValidationFailure (121) and an ``errInfo`` naming the failing
document, unless the command says ``bypassDocumentValidation: true``. ``validationLevel``
``"moderate"`` lets updates of already-invalid documents through, ``"off"`` disables the
check; ``validationAction: "warn"`` accepts the document (mongod only logs it).

The validator is a query filter (run by mongomock's matcher); ``$jsonSchema`` is checked
here for the keywords applications use most: ``bsonType``/``type``, ``required``,
``properties``, ``additionalProperties`` (boolean), ``enum``, ``minimum``/``maximum``,
``minLength``/``maxLength``, ``pattern``, ``items``, ``minItems``/``maxItems``.
"""

from __future__ import annotations

import re
from typing import Any

from mongosim._command_error import CommandError
from mongosim._values import compare, is_number, type_name

__all__ = ["check_document", "matches_json_schema"]

_JSON_TYPES = {
    "object": {"object"},
    "array": {"array"},
    "string": {"string"},
    "boolean": {"bool"},
    "null": {"null"},
    "number": {"int", "long", "double", "decimal"},
    "integer": {"int", "long"},
}


def _bson_types(spec: Any) -> set[str]:
    names = spec if isinstance(spec, list) else [spec]
    types: set[str] = set()
    for name in names:
        types |= {"int", "long", "double", "decimal"} if name == "number" else {str(name)}
    return types


def matches_json_schema(schema: dict[str, Any], value: Any) -> bool:
    """Whether ``value`` satisfies a ``$jsonSchema`` (the keywords the module lists).

    Examples
    --------
    >>> schema = {"required": ["a"], "properties": {"a": {"bsonType": "int"}}}
    >>> matches_json_schema(schema, {"a": 1}), matches_json_schema(schema, {"a": "x"})
    (True, False)
    """
    kind = type_name(value)
    if "bsonType" in schema and kind not in _bson_types(schema["bsonType"]):
        return False
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(kind in _JSON_TYPES.get(name, set()) for name in names):
            return False
    if "enum" in schema and not any(compare(value, item) == 0 for item in schema["enum"]):
        return False
    if is_number(value):
        if "minimum" in schema and compare(value, schema["minimum"]) < 0:
            return False
        if "maximum" in schema and compare(value, schema["maximum"]) > 0:
            return False
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return False
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return False
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return False
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return False
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return False
        items = schema.get("items")
        if isinstance(items, dict) and not all(matches_json_schema(items, v) for v in value):
            return False
    if isinstance(value, dict):
        if any(name not in value for name in schema.get("required", [])):
            return False
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            if name in value and not matches_json_schema(sub, value[name]):
                return False
        if schema.get("additionalProperties") is False and any(
            name not in properties for name in value
        ):
            return False
    return True


def _matches(validator: dict[str, Any], document: dict[str, Any]) -> bool:
    from mongomock.filtering import filter_applies

    rest = {key: value for key, value in validator.items() if key != "$jsonSchema"}
    schema = validator.get("$jsonSchema")
    if isinstance(schema, dict) and not matches_json_schema(schema, document):
        return False
    return not rest or bool(filter_applies(rest, document))  # type: ignore[no-untyped-call]


def check_document(
    options: dict[str, Any],
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    bypass: bool,
) -> None:
    """Refuse ``after`` (the document an insert or update would store) if it is invalid.

    Raises
    ------
    CommandError
        DocumentValidationFailure (121), with ``errInfo``.
    """
    validator = options.get("validator")
    if not validator or bypass or options.get("validationLevel") == "off":
        return
    moderate = options.get("validationLevel") == "moderate"
    if moderate and before is not None and not _matches(validator, before):
        return
    if _matches(validator, after) or options.get("validationAction") == "warn":
        return
    raise CommandError(
        121,
        "DocumentValidationFailure",
        "Document failed validation",
        details={
            "errInfo": {
                "failingDocumentId": after.get("_id"),
                "details": {
                    "operatorName": "$jsonSchema" if "$jsonSchema" in validator else "$and",
                    "specifiedAs": validator,
                    "reason": "the document does not match the collection's validator",
                },
            }
        },
    )
