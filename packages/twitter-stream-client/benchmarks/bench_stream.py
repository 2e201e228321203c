"""Throughput: consume N ~2 KB v2 messages from a loopback chunked stream.

Anchors, timed in the same run on the same server and payload:
- tweepy's parser, minimal: ``BaseStream`` (``iter_lines(chunk_size=512)``) with an
  ``on_data`` that only ``json.loads`` each line (the goal is >= 2x this one);
- tweepy's ``StreamingClient.on_data`` in full (JSON plus its Tweet/StreamResponse objects).

Also prints the resident memory growth while this package consumes the stream (goal < 20 MB).
Usage: python bench_stream.py [N] (default 100000).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import psutil
import tweepy
from tweepy.streaming import BaseStream

from twitter_stream_client import StreamClient, _json
from twitter_stream_client.testing import Raw, Reply, ScriptedStreamServer, SendEach

PATH = "/2/tweets/search/stream"
DISTINCT = 1000


def payloads() -> list[bytes]:
    lines = []
    for n in range(DISTINCT):
        message = {
            "data": {
                "id": str(1_600_000_000_000_000_000 + n),
                "text": f"message {n} " + "lorem ipsum dolor sit amet " * 50,
                "created_at": "2026-11-28T01:00:00.000Z",
                "author_id": str(10_000 + n),
                "lang": "en",
                "edit_history_tweet_ids": [str(1_600_000_000_000_000_000 + n)],
                "public_metrics": {"retweet_count": n, "reply_count": 1, "like_count": 2},
                "entities": {"hashtags": [{"start": 0, "end": 7, "tag": "bench"}] * 8},
            },
            "matching_rules": [{"id": "1", "tag": "bench"}],
        }
        lines.append(json.dumps(message).encode() + b"\r\n")
    return lines


def script(lines: list[bytes], count: int) -> Reply:
    """One chunk per message, as Twitter sends them, framed once so the server is cheap."""
    block = b"".join(b"%x\r\n%s\r\n" % (len(line), line) for line in lines)
    return Reply(steps=[Raw(block)] * (count // DISTINCT) + [SendEach(lines[: count % DISTINCT])])


def time_ours(
    server: Any, count: int, loads: Callable[[bytes], Any] | None = None
) -> tuple[float, int]:
    """Seconds to consume ``count`` messages, and the peak resident memory growth."""
    client = StreamClient(server.url(PATH), auth=None)
    saved = _json.loads
    if loads is not None:
        _json.loads = loads  # the stdlib decoder, for comparison
    process = psutil.Process()
    seen = 0
    rss_before = process.memory_info().rss
    rss_peak = rss_before
    started = time.perf_counter()
    for _ in client:
        seen += 1
        if seen % 10_000 == 0:
            rss_peak = max(rss_peak, process.memory_info().rss)
        if seen == count:
            break
    elapsed = time.perf_counter() - started
    client.close()
    _json.loads = saved
    assert seen == count, seen
    return elapsed, rss_peak - rss_before


class _MinimalTweepy(BaseStream):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.seen = 0

    def on_data(self, raw_data: bytes) -> None:
        json.loads(raw_data)
        self.seen += 1
        if self.seen == self.count:
            self.disconnect()


class _FullTweepy(tweepy.StreamingClient):
    def __init__(self, count: int) -> None:
        super().__init__("unused-bearer")
        self.count = count
        self.seen = 0

    def on_response(self, response: object) -> None:
        self.seen += 1
        if self.seen == self.count:
            self.disconnect()


def time_tweepy(server: Any, count: int, make: Callable[[int], BaseStream]) -> float:
    stream = make(count)
    started = time.perf_counter()
    BaseStream._connect(stream, "GET", server.url(PATH))
    elapsed = time.perf_counter() - started
    assert stream.seen == count, stream.seen  # type: ignore[attr-defined]
    return elapsed


def serve(count: int, connections: int) -> None:
    """Run in a child process, so the server never competes with the clients for the GIL."""
    lines = payloads()
    with ScriptedStreamServer() as server:
        for _ in range(connections):
            server.script(PATH, script(lines, count))
        print(server.port, flush=True)
        sys.stdin.read()  # until the parent closes the pipe


class _Child:
    def __init__(self, count: int, connections: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(count), str(connections)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main() -> None:
    # tweepy logs "Stream connection closed by Twitter" at ERROR whenever a run ends.
    logging.getLogger("tweepy").setLevel(logging.CRITICAL)
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    size = sum(len(x) for x in payloads()) / DISTINCT
    growth: list[int] = []

    def ours(server: Any, n: int) -> float:
        elapsed, grown = time_ours(server, n)
        growth.append(grown)
        return elapsed

    # This package runs first, so its memory growth is measured before tweepy touched the heap.
    contenders: dict[str, Callable[[Any, int], float]] = {
        f"ours-{_json.BACKEND}": ours,
        "ours-stdlib-json": lambda server, n: time_ours(server, n, json.loads)[0],
        "tweepy-minimal": lambda server, n: time_tweepy(server, n, _MinimalTweepy),
        "tweepy-full": lambda server, n: time_tweepy(server, n, _FullTweepy),
    }
    rounds = 2
    server = _Child(count, rounds * len(contenders))
    runs: dict[str, list[float]] = {name: [] for name in contenders}
    try:
        for _ in range(rounds):
            for name, run in contenders.items():
                runs[name].append(run(server, count))
    finally:
        server.close()
    best = {name: min(times) for name, times in runs.items()}
    print(
        f"{count} messages of {size:.0f} bytes, loopback chunked stream, server in a child process"
    )
    for name, seconds in best.items():
        print(
            f"  {name:18s} {count / seconds:10.0f} messages/s  ({seconds:.2f} s, best of {rounds})"
        )
    ours = best[f"ours-{_json.BACKEND}"]
    ratio = best["tweepy-full"] / ours
    print(f"ratio vs tweepy StreamingClient (its streaming parser): {ratio:.2f}x"
          " (goal >= 2x)")  # fmt: skip
    print(f"ratio vs tweepy iter_lines + json.loads only: {best['tweepy-minimal'] / ours:.2f}x")
    print(f"stdlib json instead of {_json.BACKEND}: ratio vs StreamingClient "
          f"{best['tweepy-full'] / best['ours-stdlib-json']:.2f}x")  # fmt: skip
    grown = max(growth)
    print(f"resident memory growth while consuming: {grown / 2**20:.1f} MB (goal < 20 MB)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
