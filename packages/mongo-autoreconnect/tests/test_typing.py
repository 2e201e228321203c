"""Type checkers see pymongo's signatures through the proxy (mypy on a sample module)."""

from __future__ import annotations

import textwrap

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy is part of the test extra")

SAMPLE = textwrap.dedent(
    """
    from typing import Any
    import pymongo
    from pymongo.results import InsertOneResult
    from mongo_autoreconnect import AsyncMongoProxy, MongoProxy, ProxiedCollection

    client = MongoProxy(pymongo.MongoClient[dict[str, Any]]())
    posts = client.blogs.posts
    reveal_type(posts)
    reveal_type(posts.insert_one({"a": 1}))
    reveal_type(client["blogs"]["posts"].find_one)
    reveal_type(client.unwrap())
    reveal_type(posts.idempotent.update_many)
    reveal_type(posts.with_options(read_preference=pymongo.ReadPreference.SECONDARY))
    reveal_type(client.get_database("x").get_collection("y").database.client)
    result: InsertOneResult = posts.insert_one({"a": 1})
    typed: ProxiedCollection[dict[str, Any]] = posts
    if posts:
        pass
    posts.insert_one({"a": 1}, bypass_document_validation="yes", nonsense=1)
    aposts = AsyncMongoProxy(pymongo.AsyncMongoClient[dict[str, Any]]()).blogs.posts
    reveal_type(aposts.insert_one)
    """
)


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory):
    path = tmp_path_factory.mktemp("typing") / "sample.py"
    path.write_text(SAMPLE)
    stdout, stderr, _ = mypy_api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(path.parent / ".mypy_cache"),
            "--no-error-summary",
            str(path),
        ]
    )
    assert not stderr, stderr
    return stdout


def revealed(output: str) -> list[str]:
    return [
        line.split("Revealed type is ")[1] for line in output.splitlines() if "Revealed" in line
    ]


def test_navigation_keeps_the_proxy_and_pymongos_types(mypy_output):
    types = revealed(mypy_output)
    assert types[0] == '"mongo_autoreconnect._proxy.ProxiedCollection[dict[str, Any]]"'
    assert types[1] == '"pymongo.results.InsertOneResult"'
    assert types[2].startswith('"def (filter:')
    assert types[2].endswith('-> dict[str, Any] | None"')
    assert types[3] == '"pymongo.synchronous.mongo_client.MongoClient[dict[str, Any]]"'
    assert types[4].startswith('"def (filter:')
    assert "update:" in types[4]
    assert types[4].endswith('-> pymongo.results.UpdateResult"')
    assert types[5] == '"mongo_autoreconnect._proxy.ProxiedCollection[dict[str, Any]]"'
    assert types[6] == '"mongo_autoreconnect._proxy.ProxiedClient[dict[str, Any]]"'
    assert types[7].startswith('"def (document: dict[str, Any]')
    assert types[7].endswith('-> typing.Coroutine[Any, Any, pymongo.results.InsertOneResult]"')


def test_wrong_arguments_are_caught_through_the_proxy(mypy_output):
    errors = [line for line in mypy_output.splitlines() if ": error:" in line]
    assert any('Unexpected keyword argument "nonsense"' in line for line in errors), errors
    assert any("bypass_document_validation" in line for line in errors), errors


def test_nothing_else_is_an_error(mypy_output):
    errors = [line for line in mypy_output.splitlines() if ": error:" in line]
    assert len(errors) == 2, errors
