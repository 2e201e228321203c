"""StreamRules against a loopback emulation of the v2 rules endpoint."""

from __future__ import annotations

import gc
import itertools
import json
from typing import Any

import pytest
import requests

from twitter_stream_client import RulesError, StreamRule, StreamRules
from twitter_stream_client.testing import RecordedRequest, Reply, ScriptedStreamServer

PATH = "/2/tweets/search/stream/rules"
TOKEN = "rules-bearer"


class RulesEndpoint:
    """In-memory rules store that answers like the documented endpoint (pages of 2)."""

    page_size = 2

    def __init__(self) -> None:
        self.rules: dict[str, dict[str, str]] = {}
        self.ids = (str(n) for n in itertools.count(1000))

    def __call__(self, request: RecordedRequest) -> Reply:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.json(401, {"title": "Unauthorized", "type": "about:blank", "status": 401})
        if request.method == "GET":
            return self.list(request.query)
        body = json.loads(request.body)
        dry_run = request.query.get("dry_run") == "true"
        if "add" in body:
            return self.add(body["add"], dry_run)
        if "delete" in body:
            return self.delete(body["delete"]["ids"], dry_run)
        return self.json(400, {"errors": [{"title": "Invalid Request"}]})

    @staticmethod
    def json(status: int, payload: dict[str, Any]) -> Reply:
        # Kept alive, as the real API does: a client that never closes its session leaks.
        return Reply(status=status, body=json.dumps(payload).encode(),
                     headers={"Content-Type": "application/json"}, keep_alive=True)  # fmt: skip

    def list(self, query: dict[str, str]) -> Reply:
        rules = list(self.rules.values())
        if "ids" in query:
            wanted = query["ids"].split(",")
            return self.json(200, {"data": [r for r in rules if r["id"] in wanted]})
        start = int(query.get("pagination_token", "0"))
        page = rules[start : start + self.page_size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if start + self.page_size < len(rules):
            meta["next_token"] = str(start + self.page_size)
        return self.json(200, {"data": page, "meta": meta} if page else {"meta": meta})

    def add(self, items: list[dict[str, str]], dry_run: bool) -> Reply:
        created, errors = [], []
        for item in items:
            if any(r["value"] == item["value"] for r in self.rules.values()):
                errors.append({"title": "DuplicateRule", "value": item["value"]})
                continue
            rule = {"id": next(self.ids), **item}
            created.append(rule)
            if not dry_run:
                self.rules[rule["id"]] = rule
        summary = {"created": len(created), "not_created": len(errors),
                   "valid": len(created), "invalid": len(errors)}  # fmt: skip
        payload: dict[str, Any] = {"data": created, "meta": {"summary": summary}}
        if errors:
            payload["errors"] = errors
        return self.json(201, payload)

    def delete(self, ids: list[str], dry_run: bool) -> Reply:
        found = [i for i in ids if i in self.rules]
        if not dry_run:
            for rule_id in found:
                del self.rules[rule_id]
        summary = {"deleted": len(found), "not_deleted": len(ids) - len(found)}
        return self.json(200, {"meta": {"summary": summary}})


@pytest.fixture
def endpoint(server: ScriptedStreamServer) -> RulesEndpoint:
    fake = RulesEndpoint()
    server.route(PATH, fake)
    return fake


@pytest.fixture
def rules(server: ScriptedStreamServer, endpoint: RulesEndpoint) -> StreamRules:
    return StreamRules(TOKEN, url=server.url(PATH))


def test_dry_run_validates_without_storing(rules: StreamRules, endpoint: RulesEndpoint) -> None:
    result = rules.add("cat has:images", dry_run=True)
    assert result.summary["valid"] == 1
    assert endpoint.rules == {}
    assert rules.list() == []


def test_add_list_delete(rules: StreamRules, server: ScriptedStreamServer) -> None:
    result = rules.add(StreamRule("cat has:images", tag="cats"), "dog")
    assert [(r.value, r.tag) for r in result.rules] == [("cat has:images", "cats"), ("dog", None)]
    assert all(r.id for r in result.rules)
    assert result.summary["created"] == 2
    assert {r.value for r in rules.list()} == {"cat has:images", "dog"}
    assert rules.list(ids=[result.rules[0].id or ""]) == [result.rules[0]]
    deleted = rules.delete(result.rules[0])
    assert deleted.summary == {"deleted": 1, "not_deleted": 0}
    assert [r.value for r in rules.list()] == ["dog"]
    add_request = next(r for r in server.requests if r.method == "POST")
    assert json.loads(add_request.body) == {
        "add": [{"value": "cat has:images", "tag": "cats"}, {"value": "dog"}]
    }


def test_duplicate_rule_comes_back_as_errors(rules: StreamRules) -> None:
    rules.add("dup")
    result = rules.add("dup", "fresh")
    assert [r.value for r in result.rules] == ["fresh"]
    assert result.errors == [{"title": "DuplicateRule", "value": "dup"}]
    assert result.summary["not_created"] == 1


def test_list_follows_pages_and_delete_all(rules: StreamRules, endpoint: RulesEndpoint) -> None:
    rules.add(*(f"rule {n}" for n in range(5)))
    assert [r.value for r in rules.list()] == [f"rule {n}" for n in range(5)]
    assert rules.delete_all(dry_run=True).summary["deleted"] == 5
    assert len(endpoint.rules) == 5
    assert rules.delete_all().summary["deleted"] == 5
    assert endpoint.rules == {}
    assert rules.delete_all().summary == {"deleted": 0, "not_deleted": 0}


def test_bad_token_raises_rules_error(
    server: ScriptedStreamServer, endpoint: RulesEndpoint
) -> None:
    with pytest.raises(RulesError, match="HTTP 401") as info:
        StreamRules("wrong", url=server.url(PATH)).list()
    assert info.value.status_code == 401


def test_bad_arguments(rules: StreamRules) -> None:
    with pytest.raises(ValueError, match="add\\(\\) needs at least one rule"):
        rules.add()
    with pytest.raises(ValueError, match="delete\\(\\) needs rule ids"):
        rules.delete()
    with pytest.raises(ValueError, match="a rule's `value` must be a non-empty string"):
        StreamRule(" ")


def test_a_top_level_problem_is_the_rules_error(
    server: ScriptedStreamServer, endpoint: RulesEndpoint
) -> None:
    # 401/403 carry one RFC 7807 problem at the top level, not in an `errors` list.
    with pytest.raises(RulesError, match="HTTP 401: Unauthorized") as info:
        StreamRules("wrong", url=server.url(PATH)).list()
    assert info.value.errors == [{"title": "Unauthorized", "type": "about:blank", "status": 401}]


def test_an_errors_list_is_the_rules_error(server: ScriptedStreamServer) -> None:
    problem = {
        "title": "Client Forbidden",
        "detail": "This request must be made using an approved developer account.",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }
    server.script(PATH, RulesEndpoint.json(403, {"errors": [problem]}))
    with pytest.raises(RulesError, match="approved developer account") as info:
        StreamRules(TOKEN, url=server.url(PATH)).add("cats")
    assert info.value.errors == [problem]
    assert info.value.status_code == 403


def test_a_body_that_is_not_json_gives_an_empty_list(server: ScriptedStreamServer) -> None:
    server.script(PATH, Reply(status=503, body=b"<html>over capacity</html>"))
    with pytest.raises(RulesError, match="over capacity") as info:
        StreamRules(TOKEN, url=server.url(PATH)).list()
    assert info.value.errors == []


def test_the_rules_client_closes_its_connections(server: ScriptedStreamServer) -> None:
    # The endpoint keeps connections alive: StreamRules must close the session it made
    # (a with block or close()), or its socket is left for the garbage collector.
    server.route(PATH, RulesEndpoint())
    with StreamRules(TOKEN, url=server.url(PATH)) as rules:
        assert rules.list() == []
    gc.collect()  # an unclosed socket would raise its ResourceWarning (an error) here


def test_a_given_session_is_left_open(server: ScriptedStreamServer) -> None:
    server.route(PATH, RulesEndpoint())
    with requests.Session() as session:
        with StreamRules(TOKEN, url=server.url(PATH), session=session) as rules:
            rules.list()
        assert rules.list() == []  # still usable: the session belongs to the caller
