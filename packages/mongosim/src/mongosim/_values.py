"""BSON values as MongoDB sees them: type names, the canonical type order, and comparison.

The aggregation language compares values of different types by a fixed type order
(MinKey < missing < null < numbers < strings < objects < arrays < binary data < ObjectId <
booleans < dates < timestamps < regular expressions < MaxKey), and values of one type by
content. A field that does not exist is its own value, ``MISSING``, ordered below null: on
MongoDB ``{"$eq": ["$absent", null]}`` is false and ``{"$lt": ["$absent", 1]}`` is true.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import uuid
from typing import Any

from bson import Binary, Code, DBRef, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp

__all__ = [
    "MISSING",
    "compare",
    "is_number",
    "numeric_value",
    "render",
    "type_name",
    "values_equal",
]


class _Missing:
    """The value of a field that does not exist (falsy, below null in the type order)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""The value of an absent field or of ``$$REMOVE``."""

_INT32 = range(-(2**31), 2**31)


def is_number(value: object) -> bool:
    """Whether ``value`` is a BSON number (int, long, double or decimal; not a bool).

    Examples
    --------
    >>> is_number(1), is_number(2.5), is_number(True), is_number("1")
    (True, True, False, False)
    """
    return isinstance(value, (int, float, Decimal128)) and not isinstance(value, bool)


def numeric_value(value: Any) -> int | float | decimal.Decimal:
    """A BSON number as a Python number that compares and adds correctly."""
    if isinstance(value, Decimal128):
        return value.to_decimal()
    return value  # type: ignore[no-any-return]


def type_name(value: Any) -> str:
    """The name ``$type`` gives a value (``"missing"`` for an absent field).

    Examples
    --------
    >>> type_name(1), type_name(Int64(1)), type_name(2**40), type_name(None), type_name(MISSING)
    ('int', 'long', 'long', 'null', 'missing')
    """
    if value is MISSING:
        return "missing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "long"
    if isinstance(value, int):
        return "int" if value in _INT32 else "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, Decimal128):
        return "decimal"
    if isinstance(value, str):
        return "string"
    if isinstance(value, DBRef):
        return "object"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, (bytes, Binary, uuid.UUID)):
        return "binData"
    if isinstance(value, ObjectId):
        return "objectId"
    if isinstance(value, datetime.datetime):
        return "date"
    if isinstance(value, Timestamp):
        return "timestamp"
    if isinstance(value, (Regex, re.Pattern)):
        return "regex"
    if isinstance(value, Code):
        return "javascriptWithScope" if value.scope else "javascript"
    if isinstance(value, MinKey):
        return "minKey"
    if isinstance(value, MaxKey):
        return "maxKey"
    raise TypeError(f"not a BSON value: {type(value).__name__}")


_CANONICAL = {
    "minKey": -1,
    "missing": 0,
    "undefined": 0,
    "null": 5,
    "int": 10,
    "long": 10,
    "double": 10,
    "decimal": 10,
    "string": 15,
    "symbol": 15,
    "object": 20,
    "array": 25,
    "binData": 30,
    "objectId": 35,
    "bool": 40,
    "date": 45,
    "timestamp": 47,
    "regex": 50,
    "javascript": 60,
    "javascriptWithScope": 65,
    "maxKey": 127,
}


def _sign(difference: int | float | decimal.Decimal) -> int:
    return (difference > 0) - (difference < 0)


def _compare_numbers(a: Any, b: Any) -> int:
    x, y = numeric_value(a), numeric_value(b)
    x_nan = isinstance(x, (float, decimal.Decimal)) and x != x
    y_nan = isinstance(y, (float, decimal.Decimal)) and y != y
    if x_nan or y_nan:
        return int(y_nan) - int(x_nan)  # NaN sorts below every other number
    if isinstance(x, decimal.Decimal) != isinstance(y, decimal.Decimal):
        x, y = decimal.Decimal(x), decimal.Decimal(y)
    if (isinstance(x, float) and math.isinf(x)) or (isinstance(y, float) and math.isinf(y)):
        return _sign(float(x) - float(y))
    return (x > y) - (x < y)


def _binary(value: Any) -> tuple[int, int, bytes]:
    if isinstance(value, uuid.UUID):
        return (16, 4, value.bytes)
    subtype = value.subtype if isinstance(value, Binary) else 0
    data = bytes(value)
    return (len(data), subtype, data)


def _milliseconds(value: datetime.datetime) -> int:
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return (value - datetime.datetime(1970, 1, 1)) // datetime.timedelta(milliseconds=1)


def _ordered(x: Any, y: Any) -> int:
    return int((x > y) - (x < y))


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b`` in MongoDB's expression order.

    Arrays compare element by element (as in aggregation expressions); documents field by
    field (the type of the value, then the name, then the value).

    Examples
    --------
    >>> compare(MISSING, None), compare(1, 1.0), compare("a", 1), compare([1, 2], [1])
    (-1, 0, 1, 1)
    """
    type_a, type_b = type_name(a), type_name(b)
    rank_a, rank_b = _CANONICAL[type_a], _CANONICAL[type_b]
    if rank_a != rank_b:
        return _ordered(rank_a, rank_b)
    if rank_a in (-1, 0, 5, 127):
        return 0
    if rank_a == 10:
        return _compare_numbers(a, b)
    if type_a == "object":
        return _compare_documents(a, b)
    if type_a == "array":
        for item_a, item_b in zip(a, b, strict=False):
            result = compare(item_a, item_b)
            if result:
                return result
        return _ordered(len(a), len(b))
    if type_a == "binData":
        return _ordered(_binary(a), _binary(b))
    if type_a == "objectId":
        return _ordered(a.binary, b.binary)
    if type_a == "date":
        return _ordered(_milliseconds(a), _milliseconds(b))
    if type_a == "timestamp":
        return _ordered((a.time, a.inc), (b.time, b.inc))
    if type_a == "regex":
        return _ordered((a.pattern, _flags(a)), (b.pattern, _flags(b)))
    if rank_a in (60, 65):
        return _ordered((str(a), repr(a.scope)), (str(b), repr(b.scope)))
    return _ordered(a, b)


def _flags(regex: Any) -> int:
    return int(regex.flags)


def _compare_documents(a: Any, b: Any) -> int:
    if isinstance(a, DBRef):
        a = a.as_doc()
    if isinstance(b, DBRef):
        b = b.as_doc()
    for (key_a, value_a), (key_b, value_b) in zip(a.items(), b.items(), strict=False):
        rank = _ordered(_CANONICAL[type_name(value_a)], _CANONICAL[type_name(value_b)])
        if rank:
            return rank
        name = _ordered(key_a, key_b)
        if name:
            return name
        value = compare(value_a, value_b)
        if value:
            return value
    return _ordered(len(a), len(b))


def values_equal(a: Any, b: Any) -> bool:
    """Equality as ``$eq`` decides it (``1 == 1.0``; field order matters in documents).

    Examples
    --------
    >>> values_equal({"a": 1, "b": 2}, {"b": 2, "a": 1}), values_equal([1], [1.0])
    (False, True)
    """
    return compare(a, b) == 0


def render(value: Any, *, spaced: bool = False) -> str:
    """A value as MongoDB writes it in error messages (``{ a: 1 }`` or ``{a: 1}``).

    Examples
    --------
    >>> render({"a": "x", "b": [1, 2.5]}, spaced=True)
    '{ a: "x", b: [ 1, 2.5 ] }'
    >>> render({"_id": ObjectId("5ad6ff54f698fd5f883c6325")})
    "{_id: ObjectId('5ad6ff54f698fd5f883c6325')}"
    """
    pad = " " if spaced else ""
    if isinstance(value, dict):
        if not value:
            return "{}"
        fields = ", ".join(f"{key}: {render(item, spaced=spaced)}" for key, item in value.items())
        return f"{{{pad}{fields}{pad}}}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = ", ".join(render(item, spaced=spaced) for item in value)
        return f"[{pad}{items}{pad}]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    if value is MISSING:
        return "MISSING"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Int64):
        return f"{int(value)}"
    if isinstance(value, ObjectId):
        return f"ObjectId('{value}')"
    if isinstance(value, datetime.datetime):
        return f"new Date({_milliseconds(value)})"
    if isinstance(value, Timestamp):
        return f"Timestamp({value.time}, {value.inc})"
    if isinstance(value, Decimal128):
        return f'NumberDecimal("{value}")'
    return str(value)
