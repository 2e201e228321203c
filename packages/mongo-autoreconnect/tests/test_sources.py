"""How cursors are (re-)issued: the find arguments each source sends."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import CursorType

from mongo_autoreconnect._resume import CannotResume
from mongo_autoreconnect._sources import FindSource, NamedSource, PipelineSource


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


def test_an_unsorted_find_is_sent_sorted_by_id():
    target = Recorder()
    FindSource(({"a": 1},), {}).open(None, 0, target)
    assert target.calls == [("find", (), {"filter": {"a": 1}, "sort": [("_id", 1)]})]


def test_a_reopened_find_filters_after_the_last_document_and_keeps_the_rest():
    target = Recorder()
    source = FindSource(({"a": 1},), {"sort": [("t", -1)], "skip": 4, "limit": 10})
    source.chain.append(("batch_size", (2,), {}))
    source.open(source.resume_point({"_id": 7, "t": 3}), 6, target)
    (_, _, kwargs), batch = target.calls
    assert kwargs["filter"] == {
        "$and": [
            {"a": 1},
            {"$or": [{"t": {"$lt": 3}}, {"t": None}, {"t": 3, "_id": {"$gt": 7}}]},
        ]
    }
    assert kwargs["skip"] == 0
    assert kwargs["limit"] == 4
    assert kwargs["sort"] == [("t", -1), ("_id", 1)]
    assert batch == ("batch_size", (2,), {})


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
def test_sorts_that_cannot_take_a_tiebreaker_are_sent_untouched(kwargs):
    target = Recorder()
    source = FindSource((), kwargs)
    source.open(None, 0, target)
    assert target.calls[0][2].get("sort") == kwargs.get("sort")
    with pytest.raises(CannotResume):
        source.resume_point({"_id": 1, "score": 2})


def test_a_pipeline_ending_in_sort_gets_the_tiebreaker_and_resumes_with_match():
    source = PipelineSource(
        "aggregate", ([{"$match": {}}, {"$sort": {"n": 1}}],), {"batchSize": 2}
    )
    args, kwargs = source.call_args()
    assert args[0][-1] == {"$sort": {"n": 1, "_id": 1}}
    target = Recorder()
    source.open(source.resume_point({"_id": 2, "n": 5}), 3, target)
    (_, (pipeline,), kwargs) = target.calls[0]
    assert pipeline[-1] == {"$match": {"$or": [{"n": {"$gt": 5}}, {"n": 5, "_id": {"$gt": 2}}]}}
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
