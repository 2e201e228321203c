"""How cursors are (re-)issued: the find arguments each source sends."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import CursorType

from mongo_autoreconnect._resume import CannotResume
from mongo_autoreconnect._sources import (
    FindSource,
    NamedSource,
    PipelineSource,
    projection_shows,
)


class Recorder:
    """Stands in for a collection: records what find/aggregate were called with."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def find(self, **kwargs: Any) -> Recorder:
        self.calls.append(("find", (), kwargs))
        return self

    def aggregate(self, *args: Any, **kwargs: Any) -> str:
        self.calls.append(("aggregate", args, kwargs))
        return "cursor"

    def batch_size(self, n: int) -> None:
        self.calls.append(("batch_size", (n,), {}))


def test_find_positional_arguments_are_bound_by_name():
    source = FindSource(({"a": 1}, {"a": 1}), {"limit": 5})
    assert source.spec == {"filter": {"a": 1}, "projection": {"a": 1}, "limit": 5}


def test_the_first_find_is_the_callers_unchanged():
    # The first attempt sends what bare pymongo sends (no sort or tie-breaker added).
    target = Recorder()
    FindSource(({"a": 1},), {"sort": [("t", 1)], "limit": 3}).open(None, 0, target)
    FindSource(({"a": 1},), {}).open(None, 0, target)
    assert target.calls == [
        ("find", (), {"filter": {"a": 1}, "sort": [("t", 1)], "limit": 3}),
        ("find", (), {"filter": {"a": 1}}),
    ]


def test_a_reopened_find_filters_after_the_last_document_and_keeps_the_rest():
    target = Recorder()
    source = FindSource(({"a": 1},), {"sort": [("t", -1)], "skip": 4, "limit": 10})
    source.chain.append(("batch_size", (2,), {}))
    for doc in ({"_id": 1, "t": 5}, {"_id": 9, "t": 3}, {"_id": 7, "t": 3}):
        assert not source.seen(doc)
    source.open(source.resume_point({"_id": 7, "t": 3}), 6, target)
    (_, _, kwargs), batch = target.calls
    callers, after = kwargs["filter"]["$and"]
    assert callers == {"a": 1}
    assert after["$or"][:3] == [
        {"t": {"$lt": 3}},
        {"t": {"$eq": None}},
        {"t": {"$type": "minKey"}},
    ]
    assert after["$or"][3:] == [{"t": {"$eq": 3}, "_id": {"$nin": [9, 7]}}]
    assert kwargs["skip"] == 0
    assert kwargs["limit"] == 4
    assert kwargs["sort"] == [("t", -1)]
    assert batch == ("batch_size", (2,), {})


@pytest.mark.parametrize(
    ("args", "kwargs", "chain"),
    [
        ((), {"collation": {"locale": "en", "strength": 2}}, None),
        ((), {}, {"locale": "en", "strength": 2}),
    ],
)
def test_a_collation_makes_strings_tie_and_is_replayed(args, kwargs, chain):
    source = FindSource(args, {**kwargs, "sort": [("name", 1)]})
    if chain is not None:
        source.chained("collation", (chain,), {})
    assert source.tied.loose_strings
    target = Recorder()
    source.open({"name": {"$gt": "b"}}, 1, target)
    assert target.calls[0][2]["collation"] == {"locale": "en", "strength": 2}


@pytest.mark.parametrize(
    ("projection", "key", "shown"),
    [
        (None, "k", True),
        ({"k": 1}, "k", True),
        (["k", "x"], "k", True),  # pymongo's list of names
        ({"a": 1}, "a.b", True),
        ({"x": 0}, "k", True),
        ({"x": 1}, "_id", True),
        ({"x": 1}, "k", False),
        ({"k": 0}, "k", False),
        ({"a": False}, "a.b", False),
        ({"_id": 0}, "_id", False),
        ({"x": {"$toUpper": "$x"}}, "k", False),  # computing a field includes only it
    ],
)
def test_the_projection_says_whether_documents_show_the_sort_key(projection, key, shown):
    assert projection_shows(projection, key) is shown


@pytest.mark.parametrize(
    ("projection", "key", "message"),
    [
        ({"k": {"$multiply": ["$k", -1]}}, "k", "computed by the projection 'k'"),
        ({"k": "$other"}, "k", "computed"),
        ({"a": {"$slice": 1}}, "a", "computed"),
        ({"a.b": 1}, "a", "shows only part of sort key 'a'"),
        ({"a.b": 0}, "a", "shows only part of sort key 'a'"),
    ],
)
def test_a_projection_that_changes_the_sort_key_cannot_resume(projection, key, message):
    with pytest.raises(CannotResume, match=message):
        projection_shows(projection, key)
    source = FindSource(({}, projection), {"sort": [(key, 1)]})
    with pytest.raises(CannotResume, match=message):
        source.resume_point({"_id": 1, key: 2})


def test_a_missing_sort_key_the_projection_removed_cannot_resume():
    source = FindSource(({}, {"x": 1}), {"sort": [("k", 1)]})
    with pytest.raises(CannotResume, match="'k' is missing from the last document"):
        source.resume_point({"_id": 1, "x": 2})


def test_limit_is_exhausted_by_what_was_yielded():
    source = FindSource((), {"limit": 3})
    assert not source.exhausted(2)
    assert source.exhausted(3)
    assert not FindSource((), {}).exhausted(10_000)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sort": [("$natural", 1)]},
        {"sort": [("score", {"$meta": "textScore"})]},
        {"cursor_type": CursorType.TAILABLE},
    ],
)
def test_sorts_and_tailable_cursors_that_cannot_resume_say_so(kwargs):
    target = Recorder()
    source = FindSource((), kwargs)
    source.open(None, 0, target)
    assert target.calls[0][2].get("sort") == kwargs.get("sort")
    with pytest.raises(CannotResume):
        source.resume_point({"_id": 1, "score": 2})


def test_a_pipeline_ending_in_sort_resumes_with_a_match_after_it():
    pipeline = [{"$match": {}}, {"$sort": {"n": 1}}]
    source = PipelineSource("aggregate", (pipeline,), {"batchSize": 2})
    target = Recorder()
    source.open(None, 0, target)
    assert target.calls[0] == ("aggregate", (pipeline,), {"batchSize": 2})  # unchanged
    source.seen({"_id": 2, "n": 5})
    source.open(source.resume_point({"_id": 2, "n": 5}), 3, target)
    (_, (reissued,), kwargs) = target.calls[1]
    assert reissued[:-1] == pipeline
    branches = reissued[-1]["$match"]["$or"]
    assert branches[0] == {"n": {"$gt": 5}}
    assert {"n": {"$type": "string"}} in branches
    assert branches[-1] == {"n": {"$eq": 5}, "_id": {"$nin": [2]}}
    assert kwargs == {"batchSize": 2}


def test_a_pipeline_not_ending_in_sort_cannot_resume():
    source = PipelineSource("aggregate", (), {"pipeline": [{"$group": {"_id": "$k"}}]})
    with pytest.raises(CannotResume, match="does not end with a \\$sort"):
        source.resume_point({"_id": 1})


def test_named_cursors_skip_the_names_already_yielded():
    source = NamedSource("list_indexes", (), {})
    assert [source.seen({"name": n}) for n in ("_id_", "a_1")] == [False, False]
    assert [source.seen({"name": n}) for n in ("_id_", "a_1", "b_1")] == [True, True, False]
    with pytest.raises(CannotResume, match="no unique `name`"):
        source.resume_point({"v": 2})
