"""Every ```python block of the README and of the docs pages runs as written, against the
local fault server, with placeholder credentials in the environment.

Blocks stand alone (each defines what it uses); a block fenced ```python test="fragment"
is only compiled. ``TWITTER_API_URL`` points every default endpoint at the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import line
from pytest_examples import CodeExample, EvalExample, find_examples
from test_rules import TOKEN, RulesEndpoint

from twitter_stream_client.testing import RecordedRequest, Reply, ScriptedStreamServer, Send

PACKAGE = Path(__file__).resolve().parents[1]
DOCS = PACKAGE.parents[1] / "docs" / "content" / "packages"
FILES = [
    PACKAGE / "README.md",
    *sorted(DOCS.glob("twitter-stream-client.md")),
    *sorted(DOCS.glob("twitter-stream-client/**/*.md")),
]
EXAMPLES = list(find_examples(*(path for path in FILES if path.is_file())))

RETWEET = {
    "data": {
        "id": "1002",
        "text": "RT @cats: a long story about a cat and…",
        "referenced_tweets": [{"type": "retweeted", "id": "1001"}],
    },
    "includes": {"tweets": [{"id": "1001", "text": "a long story…",
                             "note_tweet": {"text": "a long story about a cat and a box"}}]},
    "matching_rules": [{"id": "1", "tag": "cats"}],
}  # fmt: skip
V2 = [
    {"data": {"id": "1000", "text": "a cat"}, "matching_rules": [{"id": "1", "tag": "cats"}]},
    RETWEET,
    {"data": {"id": "1003", "text": "another cat"}, "matching_rules": [{"id": "1"}]},
]
COMPLIANCE = [
    {"data": {"delete": {"tweet": {"id": str(n), "author_id": "7"},
                         "event_at": "2026-12-03T12:00:00.000Z"}}}
    for n in (1000, 1001)
]  # fmt: skip
V1 = [
    {"limit": {"track": 12}},
    {"warning": {"code": "FALLING_BEHIND", "message": "queue 60% full", "percent_full": 60}},
    {"id": 5, "id_str": "5", "text": "new iphone", "in_reply_to_status_id": None},
    {"disconnect": {"code": 12, "stream_name": "s", "reason": "shed load"}},
]


def stream_of(messages: list[dict[str, Any]]) -> Any:
    def route(request: RecordedRequest) -> Reply:
        return Reply(steps=[Send(b"".join(line(m) for m in messages) + b"\r\n")])

    return route


@pytest.fixture
def twitter(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedStreamServer]:
    with ScriptedStreamServer() as server:
        server.route("/2/tweets/search/stream/rules", RulesEndpoint())
        server.route("/2/tweets/search/stream", stream_of(V2))
        server.route("/2/tweets/sample/stream", stream_of(V2))
        server.route("/2/tweets/compliance/stream", stream_of(COMPLIANCE))
        server.route("/1.1/statuses/filter.json", stream_of(V1))
        monkeypatch.setenv("TWITTER_API_URL", server.url())
        monkeypatch.setenv("TWITTER_BEARER_TOKEN", TOKEN)
        for name in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
            monkeypatch.setenv(f"TWITTER_{name}", f"placeholder-{name.lower()}")
        yield server


def test_the_readme_has_examples() -> None:
    assert sum(example.path.name == "README.md" for example in EXAMPLES) >= 5


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_example_runs(
    example: CodeExample,
    eval_example: EvalExample,
    twitter: ScriptedStreamServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if example.prefix_settings().get("test") == "fragment":
        compile(example.source, str(example.path), "exec")
        return
    monkeypatch.chdir(tmp_path)
    eval_example.run(example)
    # An example that iterates a stream must have been served here (this machine has no
    # route to Twitter: one that tried would reconnect until pytest-timeout ends it).
    if "for message in client" in example.source or "for event in client" in example.source:
        assert twitter.requests
