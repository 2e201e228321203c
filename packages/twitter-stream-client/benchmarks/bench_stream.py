"""Throughput: consume N v2 messages (~1.7 KB, with includes and matching_rules) from a
loopback chunked stream, one HTTP chunk per message, served by a child process.

Contenders, interleaved round by round in the same run after a warm-up round, best of
the rounds (wall and CPU time of this process, over the consuming only):

- floor (json / orjson): raw socket reads, ``\\r\\n`` split, parse; what no client can beat;
- tweepy ``StreamingClient``: its streaming parser on stdlib json (``iter_lines(512)``,
  ``json.loads``, its Tweet and StreamResponse objects);
- ours, stdlib json: like for like with tweepy; ours, orjson (the ``fast`` extra);
- ``AsyncStreamClient`` (httpx), orjson.

Goals: >= 2.5x tweepy like for like, >= 4x with orjson, within 1.3x of the floor, the
async client within 1.3x of the sync one. Also prints the resident memory growth while
this package consumes the stream (goal < 20 MB) and ``python -X importtime`` of the
package beside requests alone (goal <= 1.5x).

Usage: python bench_stream.py [N] [ROUNDS] (default 100000 messages, 3 rounds).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson
import psutil
import tweepy
from tweepy.streaming import BaseStream

from twitter_stream_client import AsyncStreamClient, StreamClient, _json
from twitter_stream_client.testing import Raw, Reply, ScriptedStreamServer, SendEach

PATH = "/2/tweets/search/stream"
DISTINCT = 1000


def payloads() -> list[bytes]:
    lines = []
    for n in range(DISTINCT):
        tweet_id = str(1_600_000_000_000_000_000 + n)
        author = str(10_000 + n)
        message = {
            "data": {
                "id": tweet_id,
                "text": f"message {n} " + "lorem ipsum dolor sit amet " * 30,
                "created_at": "2026-11-28T01:00:00.000Z",
                "author_id": author,
                "lang": "en",
                "edit_history_tweet_ids": [tweet_id],
                "public_metrics": {"retweet_count": n, "reply_count": 1, "like_count": 2},
                "entities": {"hashtags": [{"start": 0, "end": 7, "tag": "bench"}] * 4},
            },
            "includes": {
                "users": [
                    {
                        "id": author,
                        "name": f"User {n}",
                        "username": f"user{n}",
                        "description": "writes benchmarks " * 8,
                        "public_metrics": {"followers_count": n, "following_count": 3},
                    }
                ]
            },
            "matching_rules": [{"id": "1", "tag": "bench"}, {"id": "2", "tag": "lorem"}],
        }
        lines.append(json.dumps(message).encode() + b"\r\n")
    return lines


def script(lines: list[bytes], count: int) -> Reply:
    """One chunk per message, as Twitter sends them, framed once so the server is cheap."""
    block = b"".join(b"%x\r\n%s\r\n" % (len(line), line) for line in lines)
    return Reply(steps=[Raw(block)] * (count // DISTINCT) + [SendEach(lines[: count % DISTINCT])])


def with_loads(loads: Callable[[bytes], Any], run: Callable[[], Timing]) -> Timing:
    saved = _json.loads
    _json.loads = loads
    try:
        return run()
    finally:
        _json.loads = saved


Timing = tuple[float, float]  # wall seconds, this process's CPU seconds


class Clocks:
    """Wall and CPU time over the same window: the consuming, not the setting up."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def read(self) -> Timing:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def time_floor(url: str, count: int, loads: Callable[[bytes], Any]) -> Timing:
    """Raw socket reads, split on \\r\\n, parse each JSON line (chunk sizes are skipped)."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port))) as sock:
        started = Clocks()
        sock.sendall(f"GET {PATH} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        seen = 0
        pending = b""
        while seen < count:
            data = sock.recv(65536)
            if not data:
                break
            *lines, pending = (pending + data).split(b"\r\n")
            for line in lines:
                if line[:1] == b"{":
                    loads(line)
                    seen += 1
        elapsed = started.read()
    assert seen >= count, seen
    return elapsed


def time_ours(url: str, count: int, growth: list[int] | None = None) -> Timing:
    client = StreamClient(url, auth=None)
    process = psutil.Process()
    seen = 0
    rss_before = rss_peak = process.memory_info().rss
    started = Clocks()
    for _ in client:
        seen += 1
        if seen % 10_000 == 0 and growth is not None:
            rss_peak = max(rss_peak, process.memory_info().rss)
        if seen == count:
            break
    elapsed = started.read()
    client.close()
    assert seen == count, seen
    if growth is not None:
        growth.append(rss_peak - rss_before)
    return elapsed


def time_async(url: str, count: int) -> Timing:
    async def consume() -> Timing:
        seen = 0
        async with AsyncStreamClient(url, auth=None) as client:
            started = Clocks()
            async for _ in client:
                seen += 1
                if seen == count:
                    break
            elapsed = started.read()
        assert seen == count, seen
        return elapsed

    return asyncio.run(consume())


class _Tweepy(tweepy.StreamingClient):
    def __init__(self, count: int) -> None:
        super().__init__("unused-bearer")
        self.count = count
        self.seen = 0

    def on_response(self, response: object) -> None:
        self.seen += 1
        if self.seen == self.count:
            self.disconnect()


def time_tweepy(url: str, count: int) -> Timing:
    stream = _Tweepy(count)
    started = Clocks()
    BaseStream._connect(stream, "GET", url)
    elapsed = started.read()
    assert stream.seen == count, stream.seen
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
        self.url = f"http://127.0.0.1:{int(self.process.stdout.readline())}{PATH}"

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def import_micros(module: str) -> int:
    """Cumulative µs of ``import module`` in a fresh interpreter (best of 5)."""
    best = None
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        pattern = rf"\|\s*(\d+) \| {re.escape(module)}$"
        total = int(re.findall(pattern, done.stderr, flags=re.MULTILINE)[-1])
        best = total if best is None else min(best, total)
    assert best is not None
    return best


def main() -> None:
    # tweepy logs "Stream connection closed by Twitter" at ERROR whenever a run ends.
    logging.getLogger("tweepy").setLevel(logging.CRITICAL)
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    size = sum(len(x) for x in payloads()) / DISTINCT
    growth: list[int] = []
    contenders: dict[str, Callable[[str, int], Timing]] = {
        "floor, json": lambda url, n: time_floor(url, n, json.loads),
        "floor, orjson": lambda url, n: time_floor(url, n, orjson.loads),
        "tweepy StreamingClient": time_tweepy,
        "ours, json": lambda url, n: with_loads(json.loads, lambda: time_ours(url, n)),
        "ours, orjson": lambda url, n: with_loads(orjson.loads, lambda: time_ours(url, n, growth)),
        "async ours, orjson": lambda url, n: with_loads(orjson.loads, lambda: time_async(url, n)),
    }
    server = _Child(count, (rounds + 1) * len(contenders))
    runs: dict[str, list[float]] = {name: [] for name in contenders}
    cpu_runs: dict[str, list[float]] = {name: [] for name in contenders}
    try:
        for run in contenders.values():  # a warm-up round (imports, first allocations)
            run(server.url, max(count // 10, 100))
        for _ in range(rounds):
            for name, run in contenders.items():
                # Also this process's CPU seconds (the server is another process): on a
                # shared, loaded machine, wall time favours whichever run found a quiet
                # moment. Both are taken over the consuming only, not over making a client.
                wall, cpu_seconds = run(server.url, count)
                runs[name].append(wall)
                cpu_runs[name].append(cpu_seconds)
    finally:
        server.close()
    best = {name: min(times) for name, times in runs.items()}
    cpu = {name: min(times) for name, times in cpu_runs.items()}
    rate = {name: count / seconds for name, seconds in best.items()}
    print(f"{count} messages of {size:.0f} bytes (v2 with includes and matching_rules), "
          f"loopback chunked stream, server in a child process, best of {rounds}")  # fmt: skip
    for name, per_second in rate.items():
        print(f"  {name:24s} {per_second:10.0f} messages/s  ({best[name]:.2f} s wall,"
              f" {cpu[name]:.2f} s CPU)")  # fmt: skip
    print("ratios of the best times, wall / CPU, then the range of the rounds' CPU ratios:")
    for label, slow, fast, goal in (
        ("ours json   vs tweepy (like for like)", "tweepy StreamingClient", "ours, json",
         ">= 2.5x"),
        ("ours orjson vs tweepy", "tweepy StreamingClient", "ours, orjson", ">= 4x"),
        ("floor json   -> ours json", "ours, json", "floor, json", "<= 1.3x"),
        ("floor orjson -> ours orjson", "ours, orjson", "floor, orjson", "<= 1.3x"),
        ("sync orjson  -> async orjson", "async ours, orjson", "ours, orjson", "<= 1.3x"),
    ):  # fmt: skip
        # Each round runs every contender once, back to back: a round's ratio compares
        # runs that met about the same load.
        each = [a / b for a, b in zip(cpu_runs[slow], cpu_runs[fast], strict=True)]
        print(f"  {label:38s} {best[slow] / best[fast]:5.2f}x / {cpu[slow] / cpu[fast]:5.2f}x"
              f"  (rounds {min(each):.2f}-{max(each):.2f}x)  [{goal}]")  # fmt: skip
    print(f"resident memory growth while consuming: {max(growth) / 2**20:.1f} MB (goal < 20 MB)")
    ours_import = import_micros("twitter_stream_client")
    requests_import = import_micros("requests")
    ratio = ours_import / requests_import
    print(f"import twitter_stream_client: {ours_import} us; import requests alone: "
          f"{requests_import} us; ratio {ratio:.2f}x [<= 1.5x]")  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
