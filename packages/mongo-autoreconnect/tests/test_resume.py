"""Where a cursor resumes: the range filter after the last yielded document."""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any

import pytest
from bson.code import Code
from bson.decimal128 import Decimal128
from hypothesis import given
from hypothesis import strategies as st

from mongo_autoreconnect._resume import (
    MAX_TIED,
    CannotResume,
    TieTracker,
    after_filter,
    and_filters,
    normalize_sort,
)

# MongoDB's order of the types the oracle uses (a missing field sorts as null).
PLACES = {type(None): 0, int: 1, str: 2, bool: 3}
ALIASES = {"null": 0, "number": 1, "string": 2, "bool": 3}
MISSING = object()


def place(value: Any) -> int:
    return 0 if value is MISSING else PLACES[type(value)]


def same(a: Any, b: Any) -> bool:
    """MongoDB's equality: missing equals null; True is not 1."""
    return place(a) == place(b) and (place(a) == 0 or a == b)


def matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    """A naive matcher for what after_filter emits ($or, $and, $eq, $gt, $lt, $type, $nin).

    As on MongoDB, ``$gt``/``$lt`` compare within one type, ``$eq: None`` also matches a
    missing field, and ``$type`` selects by type.
    """
    for key, condition in query.items():
        if key == "$or":
            if not any(matches(doc, branch) for branch in condition):
                return False
            continue
        if key == "$and":
            if not all(matches(doc, branch) for branch in condition):
                return False
            continue
        ((operator, operand),) = condition.items()
        value = doc.get(key, MISSING)
        if operator == "$eq":
            ok = same(value, operand)
        elif operator in ("$gt", "$lt"):
            ok = place(value) == place(operand) and place(value) != 0
            ok = ok and (value > operand if operator == "$gt" else value < operand)
        elif operator == "$type":
            ok = value is not MISSING and place(value) == ALIASES.get(operand)
        elif operator == "$nin":
            ok = not any(same(value, x) for x in operand)
        else:
            raise AssertionError(operator)
        if not ok:
            return False
    return True


def sort_docs(docs: list[dict[str, Any]], keys: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """MongoDB's order: by type first (missing as null), then by value within a type."""

    def compare(x: dict[str, Any], y: dict[str, Any]) -> int:
        for key, direction in keys:
            a, b = x.get(key, MISSING), y.get(key, MISSING)
            if place(a) != place(b):
                return direction if place(a) > place(b) else -direction
            if place(a) and a != b:
                return direction if a > b else -direction
        return 0

    return sorted(docs, key=functools.cmp_to_key(compare))


def tracked(keys, docs):
    tracker = TieTracker(keys)
    for doc in docs:
        tracker.add(doc)
    return tracker


VALUES = st.none() | st.integers(0, 3) | st.sampled_from(["x", "y"]) | st.booleans()


@given(
    values=st.lists(
        st.tuples(st.just(MISSING) | VALUES, VALUES),
        min_size=1,
        max_size=30,
    ),
    sort=st.lists(
        st.tuples(st.sampled_from(["a", "b", "_id"]), st.sampled_from([1, -1])),
        max_size=2,
        unique_by=lambda pair: pair[0],
    ),
    data=st.data(),
)
def test_the_filter_selects_exactly_the_documents_not_yielded_yet(values, sort, data):
    # Values of several types (null, numbers, strings, booleans) and missing "a" fields;
    # ties on the sort keys come in any order (here, shuffled): the filter must not
    # depend on it.
    docs = [
        {"_id": i, "b": b, **({} if a is MISSING else {"a": a})} for i, (a, b) in enumerate(values)
    ]
    docs = data.draw(st.permutations(docs))
    ordered = sort_docs(docs, sort)
    position = data.draw(st.integers(0, len(ordered) - 1))
    yielded = ordered[: position + 1]
    query = after_filter(sort, ordered[position], tracked(sort, yielded))
    rest = [d["_id"] for d in ordered if matches(d, query)]
    assert sorted(rest) == sorted(d["_id"] for d in ordered[position + 1 :])


LATER_THAN_NUMBERS = [
    {"$type": alias}
    for alias in (
        "string",
        "object",
        "binData",
        "objectId",
        "bool",
        "date",
        "timestamp",
        "regex",
        "maxKey",
    )
]


def test_a_single_key_gives_a_range_then_the_types_sorted_after():
    assert after_filter([("_id", 1)], {"_id": 7}, TieTracker([])) == {
        "$or": [{"_id": {"$gt": 7}}, *({"_id": t} for t in LATER_THAN_NUMBERS)]
    }


def test_after_the_last_type_there_is_only_its_own_range():
    last = {"_id": datetime.datetime(2020, 1, 1)}
    query = after_filter([("_id", 1)], last, TieTracker([]))
    assert query["$or"][0] == {"_id": {"$gt": last["_id"]}}
    assert [branch["_id"] for branch in query["$or"][1:]] == [
        {"$type": "timestamp"},
        {"$type": "regex"},
        {"$type": "maxKey"},
    ]


def test_after_a_null_come_every_other_type_and_the_remaining_nulls():
    docs = [{"_id": 1}, {"_id": 2, "a": None}]
    query = after_filter([("a", 1)], docs[-1], tracked([("a", 1)], docs))
    assert query["$or"][0] == {"a": {"$type": "number"}}
    assert query["$or"][-1] == {"a": {"$eq": None}, "_id": {"$nin": [1, 2]}}


def test_an_unsorted_find_excludes_what_it_yielded():
    docs = [{"_id": 3}, {"_id": 1}]
    assert after_filter([], docs[-1], tracked([], docs)) == {"_id": {"$nin": [3, 1]}}


def test_ties_on_the_last_sort_key_are_excluded_by_id():
    docs = [{"_id": 1, "a": 1}, {"_id": 5, "a": 2}, {"_id": 4, "a": 2}]
    query = after_filter([("a", 1)], docs[-1], tracked([("a", 1)], docs))
    assert query["$or"][0] == {"a": {"$gt": 2}}
    assert query["$or"][-1] == {"a": {"$eq": 2}, "_id": {"$nin": [5, 4]}}


def test_ties_follow_mongodbs_equality_not_pythons():
    # Decimal128("1") and 1 tie in MongoDB; the int yielded first must stay excluded.
    docs = [{"_id": "int", "a": 1}, {"_id": "dec", "a": Decimal128("1")}]
    query = after_filter([("a", 1)], docs[-1], tracked([("a", 1)], docs))
    assert query["$or"][-1]["_id"] == {"$nin": ["int", "dec"]}


def test_under_a_collation_every_string_may_tie():
    keys = [("name", 1)]
    docs = [{"_id": 1, "name": "bob"}, {"_id": 2, "name": "Bob"}, {"_id": 3, "name": "BOB"}]
    tracker = TieTracker(keys, loose_strings=True)
    for doc in docs:
        tracker.add(doc)
    assert after_filter(keys, docs[-1], tracker)["$or"][-1]["_id"] == {"$nin": [1, 2, 3]}
    assert after_filter(keys, docs[-1], tracked(keys, docs))["$or"][-1]["_id"] == {"$nin": [3]}


def test_too_many_ties_cannot_resume():
    docs = [{"_id": i} for i in range(MAX_TIED + 1)]
    with pytest.raises(CannotResume, match=f"more than {MAX_TIED} documents yielded"):
        after_filter([], docs[-1], tracked([], docs))


def test_a_descending_key_also_takes_the_documents_missing_it():
    # They sort after every value in a descending sort; $lt alone never matches them.
    assert after_filter([("a", -1)], {"_id": 1, "a": 7}, TieTracker([("a", -1)])) == {
        "$or": [
            {"a": {"$lt": 7}},
            {"a": {"$eq": None}},
            {"a": {"$type": "minKey"}},
            {"a": {"$eq": 7}, "_id": {"$nin": [1]}},
        ]
    }


def test_dotted_keys_are_read_from_embedded_documents():
    keys = [("meta.rank", -1), ("_id", 1)]
    query = after_filter(keys, {"_id": "x", "meta": {"rank": 5}}, TieTracker(keys))
    assert {"meta.rank": {"$lt": 5}} in query["$or"]
    assert {"meta.rank": {"$eq": 5}, "_id": {"$gt": "x"}} in query["$or"]


@pytest.mark.parametrize(
    ("keys", "last", "message"),
    [
        ([("_id", 1)], {"v": 1}, "'_id' is missing from the last document"),
        ([("v", 1)], {"v": 1}, "'_id' is missing from the last document"),
        ([("a", 1), ("_id", 1)], {"_id": 1, "a": float("nan")}, "'a' is NaN"),
        ([("a", 1), ("_id", 1)], {"_id": 1, "a": re.compile("x")}, "regular expression"),
        ([("a", 1), ("_id", 1)], {"_id": 1, "a": Code("f()")}, "holds a Code"),
        ([("a", 1), ("_id", 1)], {"_id": 1, "a": [1, 2]}, "'a' holds an array"),
        ([("a.b", 1), ("_id", 1)], {"_id": 1, "a": [{"b": 1}]}, "'a.b' goes through an array"),
        ([("$natural", 1)], {"_id": 1}, r"\$natural sort has no key"),
        ([("score", {"$meta": "textScore"})], {"score": 1}, "not 1 or -1"),
    ],
)
def test_cannot_resume_says_why(keys, last, message):
    with pytest.raises(CannotResume, match=message):
        after_filter(keys, last, tracked(keys, [last]))


@pytest.mark.parametrize(
    ("spec", "direction", "expected"),
    [
        (None, None, []),
        ("a", None, [("a", 1)]),
        ("a", -1, [("a", -1)]),
        ([("a", 1), ("b", -1)], None, [("a", 1), ("b", -1)]),
        ({"a": -1, "b": 1}, None, [("a", -1), ("b", 1)]),
        (["a", "b"], None, [("a", 1), ("b", 1)]),
    ],
)
def test_normalize_sort_accepts_every_pymongo_form(spec, direction, expected):
    assert normalize_sort(spec, direction) == expected


def test_the_callers_filter_is_kept():
    assert and_filters(None, {"_id": {"$gt": 1}}) == {"_id": {"$gt": 1}}
    assert and_filters({"x": 1}, {"_id": {"$gt": 1}}) == {"$and": [{"x": 1}, {"_id": {"$gt": 1}}]}
