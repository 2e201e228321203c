"""Collations (string comparison by locale strength) and index ranges, for filters and sorts.

mongomock ignores ``collation``. The simulator supports what drivers' tests and most
applications use: ``strength`` 1 (base letters: case and diacritics ignored) and 2 (case
ignored), under any ``locale``; ``locale: "simple"`` and strength 3 or more compare as
binary (MongoDB's tertiary strength differs only in the order of cases, which the simulator
does not model). A collated filter is run against case-folded copies of the documents and of
the filter; regular expressions keep their own case rules, as on MongoDB.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mongosim._command_error import CommandError
from mongosim._values import compare

if TYPE_CHECKING:
    import mongomock

__all__ = [
    "Collation",
    "distinct_values",
    "index_range",
    "matching_documents",
    "parse_collation",
    "select_from",
]

_UNFOLDED_OPERATORS = frozenset(
    {"$regex", "$options", "$type", "$exists", "$size", "$mod", "$expr", "$where", "$jsonSchema"}
)
_OPTIONS = frozenset(
    {
        "locale",
        "strength",
        "caseLevel",
        "caseFirst",
        "numericOrdering",
        "alternate",
        "maxVariable",
        "backwards",
        "normalization",
        "version",
    }
)


@dataclass(frozen=True)
class Collation:
    """A parsed collation: only its strength changes comparisons here."""

    strength: int

    def key(self, text: str) -> str:
        """The string a comparison at this strength sees.

        Examples
        --------
        >>> Collation(2).key("Ping"), Collation(1).key("Café")
        ('ping', 'cafe')
        """
        folded = text.casefold()
        if self.strength == 1:
            decomposed = unicodedata.normalize("NFKD", folded)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        return folded

    def fold(self, value: Any) -> Any:
        """A document or value with every string replaced by its comparison key."""
        if isinstance(value, str):
            return self.key(value)
        if isinstance(value, list):
            return [self.fold(item) for item in value]
        if isinstance(value, dict):
            return {
                key: item if key in _UNFOLDED_OPERATORS else self.fold(item)
                for key, item in value.items()
            }
        return value


def parse_collation(spec: Any) -> Collation | None:
    """The collation of a command or statement; None when comparisons stay binary.

    Raises
    ------
    CommandError
        For a collation that is not a document, lacks ``locale`` or has a bad option.
    """
    if spec is None or spec == {}:
        return None  # an empty collation is the simple (binary) one
    if not isinstance(spec, dict):
        raise CommandError(14, "TypeMismatch", "collation must be an object")
    for key in spec:
        if key not in _OPTIONS:
            raise CommandError(
                40415, "Location40415", f"BSON field 'collation.{key}' is an unknown field."
            )
    locale = spec.get("locale")
    if not isinstance(locale, str):
        raise CommandError(
            40414, "Location40414", "BSON field 'collation.locale' is missing but a required field"
        )
    strength = spec.get("strength", 3)
    if not isinstance(strength, int) or isinstance(strength, bool) or not 1 <= strength <= 5:
        raise CommandError(
            51024, "Location51024", "BSON field 'strength' value must be >= 1 and <= 5"
        )
    if locale == "simple" or strength >= 3:
        return None
    return Collation(strength)


def select_from(
    documents: list[dict[str, Any]],
    query: dict[str, Any],
    collation: Collation | None,
    sort: list[tuple[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The ``documents`` matching ``query`` under ``collation``, in ``sort`` order if given."""
    from mongomock.filtering import filter_applies, resolve_sort_key

    fold = collation.fold if collation is not None else (lambda value: value)
    folded_query = fold(query)
    pairs = [
        (folded, document)
        for document in documents
        if filter_applies(folded_query, folded := fold(document))  # type: ignore[no-untyped-call]
    ]
    for field, direction in reversed(sort or []):
        key = functools.partial(resolve_sort_key, field)
        pairs.sort(key=lambda pair: key(pair[0]), reverse=direction < 0)
    return [document for _, document in pairs]


def matching_documents(
    collection: mongomock.Collection[dict[str, Any]],
    query: dict[str, Any],
    collation: Collation | None,
    sort: list[tuple[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The documents of ``collection`` matching ``query`` under ``collation``, sorted."""
    if collation is None:
        return list(collection.find(query, sort=sort))
    return select_from(list(collection.find({})), query, collation, sort)


def _values_at(value: Any, parts: list[str]) -> list[Any]:
    if not parts:
        return list(value) if isinstance(value, list) else [value]
    if isinstance(value, dict):
        return _values_at(value[parts[0]], parts[1:]) if parts[0] in value else []
    if isinstance(value, list):
        found = []
        for item in value:
            if isinstance(item, (dict, list)):
                found.extend(_values_at(item, parts))
        return found
    return []


def distinct_values(
    documents: list[dict[str, Any]], key: str, collation: Collation | None
) -> list[Any]:
    """The ``distinct`` command's answer: each value once (array elements apart), sorted.

    Examples
    --------
    >>> distinct_values([{"x": 2}, {"x": [1, 2]}, {"x": "A"}, {"x": "a"}], "x", Collation(2))
    [1, 2, 'A']
    """
    fold = collation.fold if collation is not None else (lambda value: value)
    kept: list[tuple[Any, Any]] = []
    for document in documents:
        for value in _values_at(document, key.split(".")):
            folded = fold(value)
            if not any(compare(folded, seen) == 0 for seen, _ in kept):
                kept.append((folded, value))

    def order(a: tuple[Any, Any], b: tuple[Any, Any]) -> int:
        return compare(a[0], b[0])

    kept.sort(key=functools.cmp_to_key(order))
    return [value for _, value in kept]


def _key_order(pattern: dict[str, Any]) -> Any:
    fields = list(pattern.items())

    def order(a: list[Any], b: list[Any]) -> int:
        for (_, direction), left, right in zip(fields, a, b, strict=True):
            result = compare(left, right)
            if result:
                return result if direction >= 0 else -result
        return 0

    return order


def index_range(
    documents: list[dict[str, Any]], pattern: dict[str, Any], low: Any, high: Any
) -> list[dict[str, Any]]:
    """The documents whose index key lies in ``[low, high)`` in the index's order (min/max).

    Examples
    --------
    >>> docs = [{"x": i} for i in range(5)]
    >>> index_range(docs, {"x": 1}, {"x": 1}, {"x": 3})
    [{'x': 1}, {'x': 2}]
    """
    if low is None and high is None:
        return documents
    order = _key_order(pattern)

    def key(document: dict[str, Any]) -> list[Any]:
        return [_values_at(document, field.split("."))[:1] or [None] for field in pattern]

    def bound(spec: dict[str, Any]) -> list[Any]:
        return [[spec.get(field)] for field in pattern]

    kept = []
    for document in documents:
        position = key(document)
        if low is not None and order(position, bound(low)) < 0:
            continue
        if high is not None and order(position, bound(high)) >= 0:
            continue
        kept.append(document)
    return kept
