"""Where a cursor resumes: the range filter after the last yielded document."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mongo_autoreconnect._resume import (
    MAX_TIED,
    CannotResume,
    TieTracker,
    after_filter,
    and_filters,
    normalize_sort,
)


def matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    """A naive matcher for what after_filter emits ($or, $and, $gt, $lt, $nin, equality).

    As on MongoDB, ``$gt``/``$lt`` never match a missing field and ``None`` matches only one.
    """
    for key, condition in query.items():
        if key == "$or":
            if not any(matches(doc, branch) for branch in condition):
                return False
        elif key == "$and":
            if not all(matches(doc, branch) for branch in condition):
                return False
        elif isinstance(condition, dict):
            ((operator, value),) = condition.items()
            if key not in doc:
                return False
            if operator == "$gt" and not doc[key] > value:
                return False
            if operator == "$lt" and not doc[key] < value:
                return False
            if operator == "$nin" and doc[key] in value:
                return False
        elif doc.get(key) != condition:
            return False
    return True


def sort_docs(docs: list[dict[str, Any]], keys: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """MongoDB's order; a missing field sorts below every value."""

    def compare(x: dict[str, Any], y: dict[str, Any]) -> int:
        for key, direction in keys:
            a, b = x.get(key, -1), y.get(key, -1)
            if a != b:
                return direction if a > b else -direction
        return 0

    return sorted(docs, key=functools.cmp_to_key(compare))


def tracked(keys, docs):
    tracker = TieTracker(keys)
    for doc in docs:
        tracker.add(doc)
    return tracker


@given(
    values=st.lists(
        st.tuples(st.none() | st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=30
    ),
    sort=st.lists(
        st.tuples(st.sampled_from(["a", "b", "_id"]), st.sampled_from([1, -1])),
        max_size=2,
        unique_by=lambda pair: pair[0],
    ),
    data=st.data(),
)
def test_the_filter_selects_exactly_the_documents_not_yielded_yet(values, sort, data):
    # "a" is missing from some documents (None here); the last one must hold it. Ties on
    # the sort keys come in any order (here, shuffled): the filter must not depend on it.
    docs = [
        {"_id": i, "b": b, **({} if a is None else {"a": a})} for i, (a, b) in enumerate(values)
    ]
    docs = data.draw(st.permutations(docs))
    ordered = sort_docs(docs, sort)
    position = data.draw(st.integers(0, len(ordered) - 1))
    assume(all(key in ordered[position] for key, _ in sort))
    yielded = ordered[: position + 1]
    query = after_filter(sort, ordered[position], tracked(sort, yielded))
    rest = [d["_id"] for d in ordered if matches(d, query)]
    assert sorted(rest) == sorted(d["_id"] for d in ordered[position + 1 :])


def test_a_single_key_gives_a_plain_range():
    assert after_filter([("_id", 1)], {"_id": 7}, TieTracker([])) == {"_id": {"$gt": 7}}


def test_an_unsorted_find_excludes_what_it_yielded():
    docs = [{"_id": 3}, {"_id": 1}]
    assert after_filter([], docs[-1], tracked([], docs)) == {"_id": {"$nin": [3, 1]}}


def test_ties_on_the_last_sort_key_are_excluded_by_id():
    docs = [{"_id": 1, "a": 1}, {"_id": 5, "a": 2}, {"_id": 4, "a": 2}]
    assert after_filter([("a", 1)], docs[-1], tracked([("a", 1)], docs)) == {
        "$or": [{"a": {"$gt": 2}}, {"a": 2, "_id": {"$nin": [5, 4]}}]
    }


def test_too_many_ties_cannot_resume():
    docs = [{"_id": i} for i in range(MAX_TIED + 1)]
    with pytest.raises(CannotResume, match=f"more than {MAX_TIED} documents yielded"):
        after_filter([], docs[-1], tracked([], docs))


def test_a_descending_key_also_takes_the_documents_missing_it():
    # They sort after every value in a descending sort; $lt alone never matches them.
    assert after_filter([("_id", -1)], {"_id": 7}, TieTracker([])) == {
        "$or": [{"_id": {"$lt": 7}}, {"_id": None}]
    }


def test_dotted_keys_are_read_from_embedded_documents():
    keys = [("meta.rank", 1), ("_id", 1)]
    query = after_filter(keys, {"_id": 1, "meta": {"rank": 5}}, TieTracker(keys))
    assert query == {"$or": [{"meta.rank": {"$gt": 5}}, {"meta.rank": 5, "_id": {"$gt": 1}}]}


@pytest.mark.parametrize(
    ("keys", "last", "message"),
    [
        ([("_id", 1)], {"v": 1}, "'_id' is missing from the last document"),
        ([("v", 1)], {"v": 1}, "'_id' is missing from the last document"),
        ([("a", 1), ("_id", 1)], {"_id": 1, "a": None}, "'a' is null"),
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
